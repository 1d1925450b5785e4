"""The positioned YAML loader.

Builds load content with libyaml's composer (fast, and every node keeps its line and
column) and resolve plain scalars ourselves with the YAML 1.2 core schema: `NO` and
`yes` stay strings, `0123` is the integer 123 (the validator then asks for quotes where
a code or phone number is expected), there are no octal or sexagesimal surprises, and
dates stay strings until the models parse them.

Anything YAML offers that content has no use for is refused with a located message:
aliases, tags, directives, several documents, control and invisible characters.
Positions are looked up again only when a problem must be reported (`Locator`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.errors import Pending, Problem

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_DEPTH = 40

_INT = re.compile(r"[-+]?[0-9]+\Z")
_OCT = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(nan|NaN|NAN)\Z")
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_TRUE = frozenset(("true", "True", "TRUE"))
_FALSE = frozenset(("false", "False", "FALSE"))
_STD_TAGS = frozenset(
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "merge", "value", "binary", "omap", "pairs", "set")
)

# Characters that must not appear in content: C0 controls (but tab and newlines),
# DEL, C1 controls, bidirectional overrides and zero-width characters.
_FORBIDDEN_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]"
)
_CHAR_NAMES = {
    "\x00": "空字符（NUL）",
    "\u200b": "零宽空格",
    "\u200c": "零宽非连接符",
    "\u200d": "零宽连接符",
    "\u200e": "从左到右标记",
    "\u200f": "从右到左标记",
    "\u202e": "从右到左覆盖符",
    "\u202d": "从左到右覆盖符",
    "\ufeff": "字节顺序标记（BOM）",
}

# libyaml's problem texts mapped to what an editor can act on.
_YAML_MESSAGES = (
    ("found character '\\t' that cannot start any token", "不能用 Tab 缩进或分隔，请改用空格"),
    ("found character '\t' that cannot start any token", "不能用 Tab 缩进或分隔，请改用空格"),
    ("expected a single document", "一个文件只能有一个 YAML 文档，请删除多余的“---”及其后内容"),
    ("but found another document", "一个文件只能有一个 YAML 文档，请删除多余的“---”及其后内容"),
    ("could not find expected ':'", "这里缺少冒号“:”，或上一行的引号没有闭合"),
    ("mapping values are not allowed", "这里不能出现“键: 值”：请检查缩进，或给含冒号的文本加引号"),
    ("did not find expected key", "缩进不一致：这一行应与同级字段对齐"),
    ("did not find expected '-' indicator", "缩进不一致：列表项“-”应与同级列表项对齐"),
    ("found unexpected end of stream", "文件意外结束：引号或括号没有闭合"),
    ("found undefined alias", "不支持锚点和别名（& 与 *），请直接写出内容"),
    ("found undefined tag handle", "不支持 YAML 标签（以 ! 开头），请删除"),
    ("found unknown escape character", "双引号文本中有无效的转义符“\\”，请改用单引号或写成“\\\\”"),
    ("found a tab character", "不能用 Tab 缩进或分隔，请改用空格"),
    ("found unexpected ':'", "这里不能出现冒号：含冒号的文本请加引号"),
    ("found character '@' that cannot start any token", "“@”不能出现在值的开头，请给这段文本加引号"),
    ("found character '`' that cannot start any token", "“`”不能出现在值的开头，请给这段文本加引号"),
    ("found character '%' that cannot start any token", "“%”不能出现在值的开头，请给这段文本加引号"),
)


@dataclass
class Loaded:
    """One content file after loading: its plain data, or the problems that stopped it."""

    path: Path
    rel: str
    data: Any
    problems: list[Problem]
    digest: str
    text: str = ""


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def decode(raw: bytes, rel: str) -> tuple[str | None, list[Problem]]:
    """Bytes to text, refusing what is not UTF-8 with advice on how to re-save it."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [Problem(rel, 1, 1, "文件是 UTF-16 编码，请在编辑器中“另存为 UTF-8”后再提交")]
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        try:
            raw.decode("gb18030")
            hint = "看起来是 GBK/GB18030 编码，请在编辑器中“另存为 UTF-8”后再提交"
        except UnicodeDecodeError:
            hint = "请在编辑器中“另存为 UTF-8”后再提交"
        return None, [Problem(rel, line, column, f"文件不是 UTF-8 编码（第 {exc.start + 1} 字节无效），{hint}")]
    return text, []


def scan_text(text: str, rel: str) -> list[Problem]:
    """Refuse characters that no record needs and that can hide or reorder text."""
    problems = []
    for match in _FORBIDDEN_CHARS.finditer(text):
        ch = match.group()
        name = _CHAR_NAMES.get(ch, f"控制字符 U+{ord(ch):04X}")
        line, col = position(text, match.start())
        problems.append(Problem(rel, line, col, f"含有不可见或控制字符：{name}，请删除（常见于从网页或表格复制的文本）"))
        if len(problems) >= 20:
            break
    for match in re.finditer(r"^%", text, re.M):
        line, col = position(text, match.start())
        problems.append(Problem(rel, line, col, "不支持 YAML 指令（以 % 开头的行），请删除这一行"))
    return problems


def _yaml_problem(exc: yaml.MarkedYAMLError, rel: str, source: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    text = f"{exc.context or ''} {exc.problem or ''}"
    if mark and "\t" in source:
        line = source.split("\n")[mark.line] if mark.line < source.count("\n") + 1 else ""
        if line[mark.column:mark.column + 1] == "\t" or line[:mark.column + 1].lstrip(" ").startswith("\t"):
            text = "found a tab character"
    message = next((zh for en, zh in _YAML_MESSAGES if en in text), None)
    if message is None:
        message = f"YAML 格式错误：{(exc.problem or exc.context or '').strip()}"
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Problem(rel, line, col, message)


def compose(text: str) -> yaml.Node | None:
    loader = yaml.CSafeLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


class _Converter:
    """Node tree to plain Python values, YAML 1.2 core schema, with located refusals."""

    def __init__(self, rel: str):
        self.rel = rel
        self.problems: list[Problem] = []
        self.seen: set[int] = set()

    def fail(self, node: yaml.Node, message: str) -> None:
        self.problems.append(Problem(self.rel, node.start_mark.line + 1, node.start_mark.column + 1, message))

    def value(self, node: yaml.Node, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            self.fail(node, f"嵌套层数超过 {MAX_DEPTH} 层，请检查缩进")
            return None
        if id(node) in self.seen:
            raise _AliasFound
        self.seen.add(id(node))
        if node.tag not in _STD_TAGS:
            self.fail(node, f"不支持 YAML 标签 {node.tag.replace('tag:yaml.org,2002:', '!!')}，请删除")
            return None
        if isinstance(node, yaml.ScalarNode):
            return scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, depth + 1) for item in node.value]
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, "字段名必须是简单文本")
                continue
            key = key_node.value
            if key in result:
                self.fail(key_node, f"字段 {key} 重复出现，请删除其中一个")
                continue
            result[key] = self.value(value_node, depth + 1)
        return result


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
    problems = scan_text(text, rel)
    if problems:
        return None, problems
    try:
        node = compose(text)
    except yaml.MarkedYAMLError as exc:
        return None, [_yaml_problem(exc, rel, text)]
    except (yaml.YAMLError, RecursionError) as exc:
        return None, [Problem(rel, 1, 1, f"YAML 格式错误：{exc}")]
    if node is None:
        return None, [Problem(rel, 1, 1, "文件是空的")]
    converter = _Converter(rel)
    try:
        data = converter.value(node)
    except _AliasFound:
        return None, [_alias_problem(text, rel)]
    return data, converter.problems


class _AliasFound(Exception):
    """A node reached twice: the document uses an alias (and may be an alias bomb)."""


def _alias_problem(text: str, rel: str) -> Problem:
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.AliasEvent):
            mark = event.start_mark
            return Problem(rel, mark.line + 1, mark.column + 1, "不支持锚点和别名（& 与 *），请直接写出内容")
    return Problem(rel, 1, 1, "不支持锚点和别名（& 与 *），请直接写出内容")


def load_file(path: Path, rel: str) -> Loaded:
    raw = path.read_bytes()
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
            except (OSError, UnicodeDecodeError, yaml.YAMLError):
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
