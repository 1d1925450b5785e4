"""The positioned loader: content bytes to plain data, or located problems — never a crash.

Builds load content with libyaml's composer (fast, and every node keeps its line and
column) and resolve plain scalars ourselves with the YAML 1.2 core schema: `NO` and
`yes` stay strings, `0123` is the integer 123 (the validator then asks for quotes where
a code or phone number is expected), there are no octal or sexagesimal surprises, and
dates stay strings until the models parse them.

Content comes from many departments' spreadsheets and editors, so everything YAML offers
that content has no use for is refused with a located Chinese message, in bounded time
and memory: aliases (and alias bombs), tags, directives, several documents, nesting
deeper than any record needs (checked *before* libyaml's recursive composer can overflow
the C stack), oversized files, values and node counts, tabs, control, invisible and
bidirectional characters (written raw, as YAML escapes or as HTML character references),
lone surrogates, encodings other than UTF-8, and Excel artefacts (`#N/A`, `_x000D_`,
`1.23E+11`). Positions are looked up again only when a problem must be reported (`Locator`).
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
import yaml.cyaml

from generator import personal_data
from generator.errors import Pending, Problem

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_SCALAR_CHARS = 200_000  # one value: a long policy text fits, a pasted database does not
MAX_KEY_CHARS = 100
MAX_NODES = 500_000  # per file (about 150 MB of parsed nodes at most)
MAX_DEPTH = 40
MAX_PROBLEMS = 20  # per file and check: enough to act on, bounded for hostile input
_SAFE_FLOW = 1000  # fewer brackets than this cannot nest deep enough to matter
_DEEP_BLOCK = re.compile(r"(?:\A|\n)[ ?:-]{200}")  # 200 columns of indentation or "- - - …"

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

# Characters no record needs and that can hide, reorder or break text: tab, C0 controls
# (but newlines), DEL, C1 controls, soft hyphen, bidirectional controls, zero-width and
# other invisible format characters, line/paragraph separators, BOM, the replacement
# character (text lost to a bad conversion), lone surrogates and Unicode tag characters.
_FORBIDDEN = ("\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
              "\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffd\ud800-\udfff\U000e0000-\U000e007f")
_FORBIDDEN_CHARS = re.compile(f"[{_FORBIDDEN}]")
_CHAR_NAMES = {
    "\x00": "空字符（NUL）", "\u00ad": "软连字符", "\u061c": "阿拉伯字母标记（双向控制符）",
    "\u200b": "零宽空格", "\u200c": "零宽非连接符", "\u200d": "零宽连接符",
    "\u200e": "从左到右标记", "\u200f": "从右到左标记", "\u2028": "行分隔符", "\u2029": "段分隔符",
    "\u202a": "从左到右嵌入符", "\u202b": "从右到左嵌入符", "\u202c": "双向格式结束符",
    "\u202d": "从左到右覆盖符", "\u202e": "从右到左覆盖符", "\u2060": "字连接符",
    "\u2066": "从左到右隔离符", "\u2067": "从右到左隔离符", "\u2068": "首强隔离符", "\u2069": "双向隔离结束符",
    "\ufeff": "字节顺序标记（BOM）",
}
_EXCEL_ERROR = re.compile(r"#(?:N/A|REF!|VALUE!|DIV/0!|NAME\?|NUM!|NULL!|SPILL!|CALC!|FIELD!|BLOCKED!|"
                          r"CONNECT!|BUSY!|UNKNOWN!|GETTING_DATA)")
_EXCEL_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")
_CHAR_REF = re.compile(r"&(?:#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[A-Za-z][A-Za-z0-9]{1,31});")
_ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.S)
_YAML_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
                 "r": "\r", "e": "\x1b", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029"}
_FOLDED_DIGITS = re.compile(r"[0-9０-９][ \-]?\r?\n *[0-9０-９]")  # a number broken across lines
_LONG_NUMBER = re.compile(r"[0-9０-９][0-9０-９Xx Ｘｘ\-－+＋]{9,}")

# libyaml's problem texts mapped to what an editor can act on.
_YAML_MESSAGES = (
    ("expected a single document", "一个文件只能有一个 YAML 文档，请删除多余的“---”及其后内容"),
    ("but found another document", "一个文件只能有一个 YAML 文档，请删除多余的“---”及其后内容"),
    ("could not find expected ':'", "这里缺少冒号“:”，或上一行的引号没有闭合"),
    ("mapping values are not allowed", "这里不能出现“键: 值”：请检查缩进，或给含冒号的文本加引号"),
    ("did not find expected key", "缩进不一致：这一行应与同级字段对齐"),
    ("did not find expected '-' indicator", "缩进不一致：列表项“-”应与同级列表项对齐"),
    ("did not find expected ',' or ']'", "方括号列表没有正确结束：缺少“,”或“]”"),
    ("did not find expected ',' or '}'", "花括号没有正确结束：缺少“,”或“}”"),
    ("did not find expected node content", "这里缺少值；以“]”“}”“,”等符号开头的文本请加引号"),
    ("found unexpected end of stream", "文件意外结束：引号或括号没有闭合"),
    ("found undefined alias", "不支持锚点和别名（& 与 *），请直接写出内容"),
    ("did not find expected alphabetic or numeric character", "不支持锚点和别名（& 与 *）：以“&”或“*”开头的文本请加引号"),
    ("found undefined tag handle", "不支持 YAML 标签（以 ! 开头），请删除"),
    ("did not find expected tag URI", "不支持 YAML 标签（以 ! 开头），请删除"),
    ("YAML directive", "不支持 YAML 指令（以 % 开头的行），请删除这一行"),
    ("incompatible YAML document", "不支持 YAML 指令（以 % 开头的行），请删除这一行"),
    ("found unknown escape character", "双引号文本中有无效的转义符“\\”，请改用单引号或写成“\\\\”"),
    ("found invalid Unicode character escape code",
     "双引号文本中的 Unicode 转义无效（代理码位 D800–DFFF 或超出范围），请删除"),
    ("found a tab character", "不能用 Tab 缩进或分隔，请改用空格"),
    ("did not find expected comment or line break", "块文本标记“|”或“>”之后应直接换行，内容写在下一行"),
    ("found unexpected ':'", "这里不能出现冒号：含冒号的文本请加引号"),
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
    head = raw[:64]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")) or head.count(0) * 4 >= max(len(head), 4):
        return None, [Problem(rel, 1, 1, "文件是 UTF-16 或 UTF-32 编码，请在编辑器中“另存为 UTF-8”后再提交")]
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw.count(b"\n", 0, exc.start) + 1
        column = len(raw[line_start:exc.start].decode("utf-8", "replace")) + 1
        try:
            raw.decode("gb18030")
            hint = "看起来是 GBK/GB18030 编码，请在编辑器中“另存为 UTF-8”后再提交"
        except UnicodeDecodeError:
            hint = "请在编辑器中“另存为 UTF-8”后再提交"
        return None, [Problem(rel, line, column, f"文件不是 UTF-8 编码（第 {exc.start + 1} 字节无效），{hint}")]
    return text, []


def _char_problem(ch: str, indent: bool = False) -> str:
    if ch == "\t":
        return "不能用 Tab 缩进或分隔，请改用空格" if indent else "含有 Tab 字符（常见于从表格复制的文本），请改用空格"
    if ch == "\ufffd":
        return "含有替换字符“\ufffd”：文件曾被错误转码，这里原有的文字已丢失，请从原文重新复制"
    if "\ud800" <= ch <= "\udfff":
        return f"含有无效的代理码位 U+{ord(ch):04X}，请删除"
    kind = "控制字符" if unicodedata.category(ch) == "Cc" else "不可见字符"
    name = _CHAR_NAMES.get(ch, f"{kind} U+{ord(ch):04X}")
    return f"含有不可见或控制字符：{name}，请删除（常见于从网页或表格复制的文本）"


def scan_text(text: str, rel: str) -> list[Problem]:
    """Refuse characters that no record needs and that can hide or reorder text."""
    problems = []
    for match in _FORBIDDEN_CHARS.finditer(text):
        line, col = position(text, match.start())
        indent = not text[match.start() - col + 1:match.start()].strip(" \t")
        problems.append(Problem(rel, line, col, _char_problem(match.group(), indent)))
        if len(problems) >= MAX_PROBLEMS:
            break
    return problems


def scan_source(text: str, rel: str) -> list[Problem]:
    """Problems visible in a file's text before parsing: characters, directives, Excel artefacts."""
    problems = scan_text(text, rel)

    def add(offset: int, message: str) -> None:
        if len(problems) < 2 * MAX_PROBLEMS:
            problems.append(Problem(rel, *position(text, offset), message))

    if text.startswith("%") or "\n%" in text:
        for match in re.finditer(r"^%", text, re.M):
            add(match.start(), "不支持 YAML 指令（以 % 开头的行），请删除这一行")
    if "#" in text:
        for match in _EXCEL_ERROR.finditer(text):
            add(match.start(), f"含有 Excel 错误值“{match.group()}”：表格公式出错，请在原表格中改正后填写真实内容")
    if "_x" in text:
        for match in _EXCEL_ESCAPE.finditer(text):
            add(match.start(), f"含有 Excel 导出残留“{match.group()}”（表格中的换行或控制字符），请删除")
    if "&" in text:
        for match in _CHAR_REF.finditer(text):
            ch = html.unescape(match.group())
            if len(ch) == 1 and (_FORBIDDEN_CHARS.match(ch) or unicodedata.category(ch) == "Nd"):
                add(match.start(), f"HTML 字符引用“{match.group()}”写出了隐藏字符或数字，请直接写出文字或删除")
    return problems


def _yaml_problem(exc: yaml.MarkedYAMLError, rel: str, source: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    text = f"{exc.context or ''} {exc.problem or ''}"
    message = next((zh for en, zh in _YAML_MESSAGES if en in text), None)
    if message is None and "cannot start any token" in text and mark:
        ch = source[mark.index:mark.index + 1] if mark.index < len(source) else ""
        message = f"“{ch}”不能出现在值的开头，请给这段文本加引号"
    if message is None:
        message = f"YAML 格式错误：{(exc.problem or exc.context or '').strip()}"
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Problem(rel, line, col, message)


class _Composer(yaml.cyaml.CParser):
    """libyaml's composer without PyYAML's tag resolution: we resolve scalars ourselves, so
    an implicit node gets the empty tag and any node that still has a tag had it written."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        return ""

    def descend_resolver(self, parent: Any, index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


def compose(text: str) -> yaml.Node | None:
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
                    return Problem(rel, mark.line + 1, mark.column + 1,
                                   f"文件中的值超过 {MAX_NODES:,} 个，请拆分为多个文件")
    if text.count("[") + text.count("{") < _SAFE_FLOW and not _DEEP_BLOCK.search(text):
        return None
    depth = 0
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                return Problem(rel, mark.line + 1, mark.column + 1, f"嵌套层数超过 {MAX_DEPTH} 层，请检查缩进")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


class _AliasFound(Exception):
    """A node reached twice: the document uses an alias (and may be an alias bomb)."""


class _Converter:
    """Node tree to plain Python values, YAML 1.2 core schema, with located refusals."""

    def __init__(self, rel: str, text: str):
        self.rel = rel
        self.text = text
        self.problems: list[Problem] = []
        self.seen: set[int] | None = set() if "&" in text else None  # no anchor, no alias
        self.escapes = "\\" in text  # only double-quoted scalars with escapes need a second look
        self.folded = _FOLDED_DIGITS.search(text) is not None

    def fail(self, node: yaml.Node, message: str) -> None:
        if len(self.problems) < 2 * MAX_PROBLEMS:
            self.problems.append(Problem(self.rel, node.start_mark.line + 1, node.start_mark.column + 1, message))

    def value(self, node: yaml.Node, depth: int = 0) -> Any:
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
            return self.scalar(node)
        if node.__class__ is yaml.SequenceNode:
            return [self.value(item, depth + 1) for item in node.value]
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.key(key_node)
            if key is None:
                continue
            if key in result:
                self.fail(key_node, f"字段 {key} 重复出现，请删除其中一个")
                continue
            result[key] = self.value(value_node, depth + 1)
        return result

    def key(self, node: yaml.Node) -> str | None:
        if node.__class__ is not yaml.ScalarNode or node.tag:
            self.fail(node, "字段名必须是简单文本")
            return None
        if len(node.value) > MAX_KEY_CHARS:
            self.fail(node, f"字段名过长（{len(node.value):,} 字），请检查这一行是否缺少冒号后的空格")
            return None
        if self.escapes and node.style == '"':
            self.check_quoted(node, node.value)
        return node.value

    def scalar(self, node: yaml.ScalarNode) -> Any:
        value = node.value
        if len(value) > MAX_SCALAR_CHARS:
            self.fail(node, f"文本过长（{len(value):,} 字），一个字段最多 {MAX_SCALAR_CHARS:,} 字，请精简或拆分")
            return None
        style = node.style
        if style:  # quoted or block scalar: always text
            if not (self.escapes and style == '"' and self.check_quoted(node, value)) and self.folded and style != "|":
                self.check_folded(node, value)
            if value[:1].isdigit() and _SCIENTIFIC.match(value):
                self.fail(node, _scientific_message(value))
            return value
        if self.folded and node.start_mark.line != node.end_mark.line:
            self.check_folded(node, value)
        result = scalar(node)
        if result.__class__ is float and ("e" in value or "E" in value):
            self.fail(node, _scientific_message(value))
        return result

    def check_quoted(self, node: yaml.ScalarNode, value: str) -> bool:
        """Characters and numbers a double-quoted scalar wrote as escapes (the text scan
        cannot see them); False if it has no escapes."""
        source = self.text[node.start_mark.index:node.end_mark.index]
        if "\\" not in source:
            return False
        if _FORBIDDEN_CHARS.search(value):
            for match in _ESCAPE.finditer(source):
                ch = _unescape(match.group())
                if ch and _FORBIDDEN_CHARS.match(ch):
                    line, col = position(self.text, node.start_mark.index + match.start())
                    message = _char_problem(ch).replace("含有", f"转义符“{match.group()}”写出了", 1)
                    self.problems.append(Problem(self.rel, line, col, message))
                    break
        self.check_folded(node, value, source)
        return True

    def check_folded(self, node: yaml.ScalarNode, value: str, source: str | None = None) -> None:
        """Personal data that exists only in the value: joined across lines or written as escapes."""
        if not _LONG_NUMBER.search(value):
            return
        found = personal_data.find_personal_data(value)
        if source is None:
            source = self.text[node.start_mark.index:node.end_mark.index]
        if len(found) > len(personal_data.find_personal_data(source)):
            self.fail(node, found[0].message + "（号码由转义符或折行拼接而成）")


def _unescape(sequence: str) -> str:
    if sequence[1] in "xuU":
        return chr(int(sequence[2:], 16))
    return _YAML_ESCAPES.get(sequence[1], "")


def _scientific_message(value: str) -> str:
    return (f"“{value}”像是 Excel 用科学计数法显示的数字，原来的编码或数字已经丢失："
            "请在表格中把这一列设为“文本”格式，从原始资料重新填写")


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
    problems = scan_source(text, rel)
    if problems:
        return None, problems
    try:
        problem = _structure_problem(text, rel)
        if problem:
            return None, [problem]
        node = compose(text)
    except yaml.MarkedYAMLError as exc:
        return None, [_yaml_problem(exc, rel, text)]
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        return None, [Problem(rel, 1, 1, f"YAML 格式错误：{exc}")]
    if node is None:
        return None, [Problem(rel, 1, 1, "文件是空的")]
    converter = _Converter(rel, text)
    try:
        data = converter.value(node)
    except _AliasFound:
        return None, [_alias_problem(text, rel)]
    return data, converter.problems


def _alias_problem(text: str, rel: str) -> Problem:
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.AliasEvent):
            mark = event.start_mark
            return Problem(rel, mark.line + 1, mark.column + 1, "不支持锚点和别名（& 与 *），请直接写出内容")
    return Problem(rel, 1, 1, "不支持锚点和别名（& 与 *），请直接写出内容")


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
