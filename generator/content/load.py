"""The positioned loader: content bytes to plain data, or located problems — never a crash.

Builds load content with libyaml's composer (fast, and every node keeps its line and
column) and resolve plain scalars ourselves with the YAML 1.2 core schema: `NO` and
`yes` stay strings, `0123` is the integer 123 (the validator then asks for quotes where
a code or phone number is expected), there are no octal or sexagesimal surprises, and
dates stay strings until the models parse them.

Content comes from many departments' spreadsheets and editors, so everything YAML offers
that content has no use for is refused with a located Chinese message, in bounded time
and memory: anchors and aliases (and alias bombs), tags (the bare `!` too), empty keys,
what libyaml lets through against YAML 1.2 (comments glued to a value, flow and quoted
lines wrapped back to their key's column: `refusals.py`), directives, several documents, nesting
deeper than any record needs (checked *before* libyaml's recursive composer can overflow
the C stack), oversized files, values and node counts, tabs, control, invisible and
bidirectional characters (written raw, as YAML escapes or as HTML character references),
lone surrogates, encodings other than UTF-8, and Excel artefacts (`#N/A`, `_x000D_`,
`1.23E+11`). Positions are looked up again only when a problem must be reported (`Locator`).
"""

from __future__ import annotations

import gc
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
import yaml._yaml  # libyaml's parser, which the composer below extends

from generator.content import personal_data
from generator.errors import Pending, Problem
from generator.content.hints import syntax_hint
from generator.content.refusals import (BLANK_LINES, EMPTY_KEY, ESCAPE, FORBIDDEN_CHARS, LONG_NUMBER, MAX_PROBLEMS,
                                UNDER_INDENTED, blank_lines_problem, char_problem, continuation_problem, decode,
                                digits_across_lines, explain, flow_problems, position, scan_source, scan_text,
                                scientific_message, token_problems, unescape, yaml_problem)

__all__ = ["Loaded", "Locator", "compose", "decode", "load_file", "load_text", "position", "scalar", "scan_text"]

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_SCALAR_CHARS = 200_000  # one value: a long policy text fits, a pasted database does not
MAX_KEY_CHARS = 100
MAX_NODES = 500_000  # per file (about 150 MB of parsed nodes at most)
MAX_DEPTH = 40
_SAFE_FLOW = 1000  # fewer brackets than this cannot nest deep enough to matter
_DEEP_BLOCK = re.compile(r"\n[ ?:-]{200}")  # 200 columns of indentation or "- - - …" (a leading "\n": fast)

_INT = re.compile(r"[-+]?[0-9]+\Z")
_OCT = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_SCIENTIFIC = re.compile(r"[-+]?[0-9]+(\.[0-9]+)?[eE][-+]?[0-9]+\Z")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(nan|NaN|NAN)\Z")
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_TRUE = frozenset(("true", "True", "TRUE"))
_FALSE = frozenset(("false", "False", "FALSE"))
_IN_FLOW = -2  # the indentation passed to nodes inside a flow collection: its lines are checked as one


@dataclass
class Loaded:
    """One content file after loading: its plain data, or the problems that stopped it."""

    path: Path
    rel: str
    data: Any
    problems: list[Problem]
    digest: str
    text: str = ""


class _Composer(yaml._yaml.CParser):
    """libyaml's composer without PyYAML's tag resolution: we resolve scalars ourselves, so
    an implicit node gets the empty tag and any node that still has a tag had it written."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        return ""

    def descend_resolver(self, parent: Any, index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


def compose(text: str) -> yaml.Node | None:
    """The node tree of a one-document text. A final line break is added when missing:
    libyaml then reads a last line of spaces in a block scalar as YAML 1.2 says (it dropped it)."""
    if not text.endswith(("\n", "\r")):
        text += "\n"
    loader = _Composer(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _structure_problem(text: str, rel: str) -> Problem | None:
    """Refuse what would exhaust the composer: too many nodes, or nesting deep enough to
    overflow libyaml's recursive composer (a crash, not an exception) — found by events."""
    if len(text) > 1_000_000:
        bound = (2 * text.count(":") + text.count("-") + text.count(",") + text.count("[")
                 + text.count("{") + 2 * text.count("?"))
        if bound > MAX_NODES:
            count = 0
            for event in yaml.parse(text, Loader=yaml.CSafeLoader):
                count += isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent))
                if count > MAX_NODES:
                    mark = event.start_mark
                    assert mark is not None  # libyaml marks every event
                    return Problem(rel, mark.line + 1, mark.column + 1,
                                   f"文件中的值超过 {MAX_NODES:,} 个，请拆分为多个文件")
    if text.count("[") + text.count("{") < _SAFE_FLOW and not _DEEP_BLOCK.search(text) \
            and not _DEEP_BLOCK.match("\n" + text[:200]):
        return None
    depth = 0
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                assert mark is not None  # libyaml marks every event
                return Problem(rel, mark.line + 1, mark.column + 1, f"嵌套层数超过 {MAX_DEPTH} 层，请检查缩进")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


class _AliasFound(Exception):
    """A node reached twice: an alias the token check missed (a safety net against alias bombs)."""


class _Converter:
    """Node tree to plain Python values, YAML 1.2 core schema, with located refusals."""

    def __init__(self, rel: str, text: str):
        self.rel = rel
        self.text = text
        self.problems: list[Problem] = []
        self.seen: set[int] | None = set() if "&" in text else None  # no anchor, no alias
        self.escapes = "\\" in text  # only double-quoted scalars with escapes need a second look
        self.folded = digits_across_lines(text)

    def fail(self, node: yaml.Node, message: str) -> None:
        if len(self.problems) < 2 * MAX_PROBLEMS:
            self.problems.append(Problem(self.rel, node.start_mark.line + 1, node.start_mark.column + 1, message))

    def fail_at(self, offset: int, message: str) -> None:
        if len(self.problems) < 2 * MAX_PROBLEMS:
            self.problems.append(Problem(self.rel, *position(self.text, offset), message))

    def value(self, node: yaml.Node, depth: int = 0, indent: int = -1) -> Any:
        """`indent` is the column of the block collection holding the node (-1 at the top):
        lines that continue a flow collection or a quoted scalar must be indented further."""
        if depth > MAX_DEPTH:
            self.fail(node, f"嵌套层数超过 {MAX_DEPTH} 层，请检查缩进")
            return None
        if self.seen is not None:
            if id(node) in self.seen:
                raise _AliasFound
            self.seen.add(id(node))
        if node.tag:
            self.fail(node, f"不支持 YAML 标签 {node.tag.replace('tag:yaml.org,2002:', '!!')}，请删除")
            return None
        if node.__class__ is yaml.ScalarNode:
            return self.scalar(node, indent)
        if not node.flow_style:  # type: ignore[attr-defined]  # a collection: `__class__ is` does not narrow
            indent = node.start_mark.column
        elif indent != _IN_FLOW:
            for offset, message in flow_problems(self.text, node, indent):
                self.fail_at(offset, message)
            indent = _IN_FLOW
        # Most nodes are plain keys and scalar values: those are read here without the checks that
        # cannot apply to them (a million calls saved at a city's scale; same results, same order).
        child, scalar_node, escapes = depth + 1, yaml.ScalarNode, self.escapes
        direct = child <= MAX_DEPTH and self.seen is None  # a scalar child needs only self.scalar()
        if node.__class__ is yaml.SequenceNode:
            return [self.scalar(item, indent) if direct and item.__class__ is scalar_node and not item.tag
                    else self.value(item, child, indent) for item in node.value]
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if not (key_node.__class__ is scalar_node and key and not key_node.tag and len(key) <= MAX_KEY_CHARS
                    and not (escapes and key_node.style == '"')):
                key = self.key(key_node)
                if key is None:
                    continue
            if key in result:
                self.fail(key_node, f"字段 {key} 重复出现，请删除其中一个")
                continue
            if direct and value_node.__class__ is scalar_node and not value_node.tag:
                result[key] = self.scalar(value_node, indent)
            else:
                result[key] = self.value(value_node, child, indent)
        return result

    def key(self, node: yaml.Node) -> str | None:
        if node.__class__ is not yaml.ScalarNode or node.tag:
            self.fail(node, "字段名必须是简单文本")
            return None
        if not node.value and not node.style:
            self.fail(node, EMPTY_KEY)
            return None
        if len(node.value) > MAX_KEY_CHARS:
            self.fail(node, f"字段名过长（{len(node.value):,} 字），请检查这一行是否缺少冒号后的空格")
            return None
        if self.escapes and node.style == '"':
            self.check_quoted(node, node.value)
        return node.value

    def scalar(self, node: yaml.ScalarNode, indent: int = -1) -> Any:
        value = node.value
        if len(value) > MAX_SCALAR_CHARS:
            self.fail(node, f"文本过长（{len(value):,} 字），一个字段最多 {MAX_SCALAR_CHARS:,} 字，请精简或拆分")
            return None
        style = node.style
        if style:  # quoted or block scalar: always text
            if style == "|" or style == ">":
                at = blank_lines_problem(self.text, node.start_mark.index, indent)
                if at is not None:
                    self.fail_at(at, BLANK_LINES)
            elif indent >= 0 and node.start_mark.line != node.end_mark.line:
                at = continuation_problem(self.text, node.start_mark.index, node.end_mark.index, indent, flow=False)
                if at is not None:
                    self.fail_at(at, UNDER_INDENTED)
            if not (self.escapes and style == '"' and self.check_quoted(node, value)) and self.folded and style != "|":
                self.check_folded(node, value)
            if value[:1].isdigit() and _SCIENTIFIC.match(value):
                self.fail(node, scientific_message(value))
            return value
        if self.folded and node.start_mark.line != node.end_mark.line:
            self.check_folded(node, value)
        if value[:1] > "\x7f":  # text (most values are Chinese): no number, boolean or null starts so
            return value
        result = scalar(node)
        if len(value) > 4000 and result is value and _INT.match(value):
            self.fail(node, f"数字过长（{len(value):,} 位），请检查；编码和号码请加引号写成文本")
        elif result.__class__ is float and ("e" in value or "E" in value):
            self.fail(node, scientific_message(value))
        return result

    def check_quoted(self, node: yaml.ScalarNode, value: str) -> bool:
        """Characters and numbers a double-quoted scalar wrote as escapes (the text scan
        cannot see them); False if it has no escapes."""
        source = self.text[node.start_mark.index:node.end_mark.index]
        if "\\" not in source:
            return False
        if FORBIDDEN_CHARS.search(value):
            for match in ESCAPE.finditer(source):
                ch = unescape(match.group())
                if ch and FORBIDDEN_CHARS.match(ch):
                    line, col = position(self.text, node.start_mark.index + match.start())
                    message = char_problem(ch).replace("含有", f"转义符“{match.group()}”写出了", 1)
                    if len(self.problems) < 2 * MAX_PROBLEMS:
                        self.problems.append(Problem(self.rel, line, col, message))
                    break
        self.check_folded(node, value, source)
        return True

    def check_folded(self, node: yaml.ScalarNode, value: str, source: str | None = None) -> None:
        """Personal data that exists only in the value: joined across lines or written as escapes."""
        if not LONG_NUMBER.search(value):
            return
        found = personal_data.find_personal_data(value)
        if source is None:
            source = self.text[node.start_mark.index:node.end_mark.index]
        if len(found) > len(personal_data.find_personal_data(source)):
            self.fail(node, found[0].message + "（号码由转义符或折行拼接而成）")


def scalar(node: yaml.ScalarNode) -> Any:
    value = node.value
    if node.style:  # quoted or block scalar: always text
        return value
    if value in _NULLS:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    first = value[0]
    if first.isdigit() or first in "+-.":
        if len(value) > 4000:  # beyond Python's int() limit: no field wants such a number
            return value
        if _INT.match(value):
            return int(value)
        if _OCT.match(value):
            return int(value[2:], 8)
        if _HEX.match(value):
            return int(value[2:], 16)
        if _FLOAT.match(value):
            return float(value)
        if _INF.match(value):
            return float("-inf") if value[0] == "-" else float("inf")
        if _NAN.match(value):
            return float("nan")
    return value


def load_text(text: str, rel: str) -> tuple[Any, list[Problem]]:
    """Text to plain data, or located problems; never raises for any text.

    Python's cyclic garbage collector is paused meanwhile: composing allocates a million
    acyclic objects for a city's content, and collections triggered by them (each walking
    everything loaded so far) used to cost more than parsing itself."""
    problems = scan_source(text, rel)
    if problems:
        return None, problems
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load_checked(text, rel)
    finally:
        if collecting:
            gc.enable()


def _load_checked(text: str, rel: str) -> tuple[Any, list[Problem]]:
    try:
        problem = _structure_problem(text, rel)
        if problem:
            return None, [problem]
        node = compose(text)
    except yaml.MarkedYAMLError as exc:
        return None, _error_problems(exc, text, rel)
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        return None, [Problem(rel, 1, 1, f"YAML 格式错误：{exc}")]
    if node is None:
        return None, [Problem(rel, 1, 1, "文件是空的")]
    problems = token_problems(text, rel)  # before converting: an alias bomb is never expanded
    if problems:
        return None, problems
    converter = _Converter(rel, text)
    try:
        data = converter.value(node)
    except _AliasFound:
        return None, token_problems(text, rel, force=True)
    return data, converter.problems


def _error_problems(exc: yaml.MarkedYAMLError, text: str, rel: str) -> list[Problem]:
    """What libyaml stopped at, or what we refuse that comes before it (an anchor, a tag, a
    glued comment), in words that say what the editor wrote and how to fix it."""
    mark = exc.problem_mark or exc.context_mark
    found = token_problems(text, rel, mark.index if mark else None)
    if found:
        return found
    hint = syntax_hint(text, exc)
    if hint is not None:
        return [Problem(rel, *position(text, hint[0]), hint[1])]
    problem = yaml_problem(exc, rel, text)
    if mark:
        message = explain(problem.message, text, mark.index, f"{exc.context or ''} {exc.problem or ''}")
        problem = Problem(rel, problem.line, problem.column, message)
    return [problem]


def load_file(path: Path, rel: str) -> Loaded:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return Loaded(path, rel, None, [Problem(rel, 1, 1, f"文件超过 {MAX_FILE_BYTES // 1048576} MB，请拆分")], "")
        raw = path.read_bytes()
    except OSError as exc:
        return Loaded(path, rel, None, [Problem(rel, 1, 1, f"无法读取文件：{exc.strerror or exc}")], "")
    digest = hashlib.blake2b(raw, digest_size=16).hexdigest()
    if len(raw) > MAX_FILE_BYTES:
        return Loaded(path, rel, None, [Problem(rel, 1, 1, f"文件超过 {MAX_FILE_BYTES // 1048576} MB，请拆分")], digest)
    text, problems = decode(raw, rel)
    if text is None:
        return Loaded(path, rel, None, problems, digest)
    data, problems = load_text(text, rel)
    return Loaded(path, rel, data, problems, digest, text)


class Locator:
    """Turns pending problems (paths inside documents) into file:line:column problems.

    Files are composed again only when one of their problems is reported."""

    def __init__(self) -> None:
        self._nodes: dict[Path, yaml.Node | None] = {}

    def node(self, file: Path) -> yaml.Node | None:
        if file not in self._nodes:
            try:
                self._nodes[file] = compose(file.read_bytes().decode("utf-8-sig"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
                self._nodes[file] = None
        return self._nodes[file]

    def find(self, file: Path, path: tuple, at_key: bool = False) -> tuple[yaml.Node | None, yaml.Node | None]:
        """The deepest node on `path` (and the key node of its last step, if any)."""
        node = self.node(file)
        key_node = None
        for step in path:
            if isinstance(node, yaml.MappingNode):
                match = next(((k, v) for k, v in node.value if k.value == step), None)
                if match is None:
                    break
                key_node, node = match
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
                key_node, node = None, node.value[step]
            else:
                break
        return node, key_node

    def resolve(self, pending: Pending, rel: str) -> Problem:
        node, key_node = self.find(pending.file, pending.path)
        target = key_node if (pending.at_key and key_node is not None) else node
        if target is None:
            return Problem(rel, 1, 1, pending.message, pending.severity)
        mark = target.start_mark
        return Problem(rel, mark.line + 1, mark.column + 1, pending.message, pending.severity)

    def raw_scalar(self, file: Path, path: tuple) -> str | None:
        node, _ = self.find(file, path)
        return node.value if isinstance(node, yaml.ScalarNode) else None
