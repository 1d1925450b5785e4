"""What content text may not contain, and the Chinese message an editor can act on for each.

Used by the loader (`load.py`) before and after parsing, and by spreadsheet import for cell
values: characters that hide, reorder or break text; encodings other than UTF-8; Excel
artefacts; libyaml's own problem texts translated.

Then the YAML 1.2 rules libyaml does not enforce. libyaml reads a few invalid inputs without
complaint and drops or reshapes content on the way: text glued to a closing quote
(`"0571-88888888"#备注` keeps only the number, the rest becomes a comment), flow lists wrapped
back to their key's column, `[-]`, leading blank lines of a block scalar wider than its text.
It follows YAML 1.1 where 1.2 differs (`[?待定]` is a mapping to it), and cannot read some
valid flow forms at all (`[:x]`, a key whose colon is on the next line). Each is refused with
a located message; `tests/test_yaml_suite.py` measures the outcome over the official YAML test
suite. Checks on the text run only when a plain substring search says they may apply.
"""

from __future__ import annotations

import html
import re
import unicodedata

import yaml

from generator.errors import Problem

MAX_PROBLEMS = 20  # per file and check: enough to act on, bounded for hostile input

# Characters no record needs and that can hide, reorder or break text: tab, C0 controls
# (but newlines), DEL, C1 controls, soft hyphen, bidirectional controls, zero-width and
# other invisible format characters, line/paragraph separators, BOM, the replacement
# character (text lost to a bad conversion), lone surrogates and Unicode tag characters.
_FORBIDDEN = ("\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
              "\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffd\ud800-\udfff\U000e0000-\U000e007f")
FORBIDDEN_CHARS = re.compile(f"[{_FORBIDDEN}]")
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
ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.S)
_YAML_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
                 "r": "\r", "e": "\x1b", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029"}
_LINE_STARTS_DIGIT = re.compile(r"\n *[0-9０-９]")
LONG_NUMBER = re.compile(r"[0-9０-９][0-9０-９Xx Ｘｘ\u3000\-－+＋]{9,}")

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
    ("block sequence entries are not allowed", "这里不能开始列表：列表项“- ”应另起一行并缩进"),
    ("did not find expected comment or line break", "块文本标记“|”或“>”之后应直接换行，内容写在下一行"),
    ("found unexpected ':'", "这里不能出现冒号：含冒号的文本请加引号"),
    ("did not find expected <document start>", "一个文件只能有一个 YAML 文档，请删除多余的“---”或“...”及其后内容"),
    ("mapping keys are not allowed", "这里不能出现“键:”：请检查缩进，或给含冒号、问号的文本加引号"),
    ("found unexpected document indicator", "文本中不能有单独成行的“---”或“...”：请给这段文本加引号或改写"),
    ("did not find expected hexdecimal number", "双引号文本中有无效的转义符“\\”，请改用单引号或写成“\\\\”"),
    ("did not find expected whitespace or line break", "以“&”“*”“!”“%”开头的文本请加引号"),
    ("did not find expected '!'", "不支持 YAML 标签（以 ! 开头），请删除"),
    ("did not find the expected '>'", "不支持 YAML 标签（以 ! 开头），请删除"),
    ("URI escaped octet", "不支持 YAML 标签（以 ! 开头），请删除"),
    ("found an indentation indicator equal to 0", "块文本标记“|”或“>”后的缩进数字不能为 0，请删除这个数字"),
    ("TAG directive", "不支持 YAML 指令（以 % 开头的行），请删除这一行"),
    ("directive name", "不支持 YAML 指令（以 % 开头的行），请删除这一行"),
    ("found unexpected non-alphabetical character", "不支持 YAML 指令（以 % 开头的行），请删除这一行"),
    ("digit or '.' character", "不支持 YAML 指令（以 % 开头的行），请删除这一行"),
    ("version number", "不支持 YAML 指令（以 % 开头的行），请删除这一行"),
    ("found duplicate anchor", "不支持锚点和别名（& 与 *），请直接写出内容"),
)


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def decode(raw: bytes, rel: str) -> tuple[str | None, list[Problem]]:
    """Bytes to text, refusing what is not UTF-8 with advice on how to re-save it."""
    head = raw[:64]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")) or head.count(0) * 4 >= max(len(head), 4):
        utf = "UTF-32" if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")) else "UTF-16"
        return None, [Problem(rel, 1, 1, f"文件是 {utf} 编码，请在编辑器中“另存为 UTF-8”后再提交")]
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


def char_problem(ch: str, indent: bool = False) -> str:
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
    for match in FORBIDDEN_CHARS.finditer(text):
        line, col = position(text, match.start())
        indent = not text[match.start() - col + 1:match.start()].strip(" \t")
        problems.append(Problem(rel, line, col, char_problem(match.group(), indent)))
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
            if len(ch) == 1 and (FORBIDDEN_CHARS.match(ch) or unicodedata.category(ch) == "Nd"):
                add(match.start(), f"HTML 字符引用“{match.group()}”写出了隐藏字符或数字，请直接写出文字或删除")
    return problems


def yaml_problem(exc: yaml.MarkedYAMLError, rel: str, source: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    text = f"{exc.context or ''} {exc.problem or ''}"
    message = next((zh for en, zh in _YAML_MESSAGES if en in text), None)
    if message is None and "cannot start any token" in text and mark:
        ch = source[mark.index:mark.index + 1] if mark.index < len(source) else ""
        message = f"“{ch}”不能出现在值的开头，请给这段文本加引号"
    if message is None:
        message = f"YAML 格式错误：{(exc.problem or exc.context or '').strip()}"
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    if "invalid Unicode character escape" in text:
        col = max(1, col - 2)  # libyaml points at the hex digits; point at the backslash
    return Problem(rel, line, col, message)


def digits_across_lines(text: str) -> bool:
    """Whether a line ends with a digit and the next starts with one (a folded scalar joins them)."""
    for match in _LINE_STARTS_DIGIT.finditer(text):
        before = text[max(0, match.start() - 3):match.start()].rstrip("\r -")
        if before[-1:].isdigit():
            return True
    return False


def unescape(sequence: str) -> str:
    if sequence[1] in "xuU":
        return chr(int(sequence[2:], 16))
    return _YAML_ESCAPES.get(sequence[1], "")


def scientific_message(value: str) -> str:
    return (f"“{value}”像是 Excel 用科学计数法显示的数字，原来的编码或数字已经丢失："
            "请在表格中把这一列设为“文本”格式，从原始资料重新填写")


# --- YAML 1.2 rules libyaml does not enforce ----------------------------------------------
ALIAS = "不支持锚点和别名（& 与 *），请直接写出内容"
GLUED_COMMENT = "“#”前缺少空格：若是注释，请在“#”前加一个空格；若是内容，请把它写进引号内"
UNDER_INDENTED = ("续行缩进不足：方括号、花括号或引号中的内容换行后，续行（包括单独成行的“]”“}”）要比所属字段"
                  "（或列表项“-”）多缩进，请在行首加空格")
BLANK_LINES = "块文本开头的空行比第一行文字缩进更多，请删除这些空行中的空格"
EMPTY_KEY = "字段名不能为空：请在冒号“:”前写出字段名"
FLOW_DASH = "方括号或花括号中的“-”不能单独作为值，请加引号写成“'-'”"
FLOW_COLON_START = "方括号或花括号中以“:”开头的文本请加引号"
FLOW_KEY_LINES = "方括号或花括号中的字段名须与其后的冒号“:”写在同一行，请删除其间的换行"
FLOW_COLON_SPACE = "方括号或花括号中冒号“:”后须有空格"
BLOCK_AT_TOP = "块文本（“|”或“>”）的内容须缩进，请在这些行的行首加空格"
EMPTY_FILE = "文件是空的"

_TOKEN_END = " \n\r[]{},?:\"'"
_BLOCK_HEADER = re.compile(r"[|>][-+1-9]{0,2}\Z")
_NAME = re.compile(r"[^\s,\[\]{}]*")  # an anchor's name as YAML 1.2 reads it (libyaml stops at ":")
_ONLY_MARKERS = re.compile(r"(?:[ ]*(?:#[^\n]*)?\r?\n|\.\.\.(?:[ ]+#[^\n]*)?[ ]*(?:\r?\n|\Z))*\Z")


def flow_question(value: str) -> str:
    return f"方括号或花括号中以“?”开头的文本请加引号，写成“'?{value}'”"


def anchor_message(name: str) -> str:
    return f"不支持锚点和别名（& 与 *），请删除“&{name}”"


def _follows(text: str, char: str, before: str) -> bool:
    """Whether `char` occurs at the start of the text or right after one of `before`
    (a plain search: a regular expression costs more than the loading on large files)."""
    at = text.find(char)
    while at != -1:
        if at == 0 or text[at - 1] in before:
            return True
        at = text.find(char, at + 1)
    return False


def _glued(text: str) -> bool:
    """Whether a `#` follows a quote, a flow indicator or a block scalar header directly."""
    at = text.find("#")
    while at != -1:
        if at and (text[at - 1] in "\"'[]{},:" or _BLOCK_HEADER.search(text, max(0, at - 3), at)):
            return True
        at = text.find("#", at + 1)
    return False


def _tokens(text: str, stop: int | None = None):
    """libyaml's tokens, up to an offset or the first error."""
    try:
        for token in yaml.scan(text, Loader=yaml.CSafeLoader):
            if stop is not None and token.start_mark.index >= stop:
                return
            yield token
    except yaml.YAMLError:
        return


def token_problems(text: str, rel: str, stop: int | None = None, force: bool = False) -> list[Problem]:
    """Anchors, aliases and the non-specific tag `!` (which leave no trace on a composed
    node) and comments glued to a value, from libyaml's tokens; only scanned when the text
    has a candidate."""
    glued = _glued(text)
    # a libyaml token starts the text or a line, or follows a space, an indicator or a quote
    if not (force or glued or _follows(text, "&", _TOKEN_END) or _follows(text, "!", _TOKEN_END)):
        return []
    problems: list[Problem] = []
    alias = anchor = None

    def add(offset: int, message: str) -> None:
        if len(problems) < MAX_PROBLEMS:
            problems.append(Problem(rel, *position(text, offset), message))

    for token in _tokens(text, stop):
        cls = token.__class__
        if cls is yaml.AliasToken:
            alias = alias or token
        elif cls is yaml.AnchorToken:
            anchor = anchor or token
        elif cls is yaml.TagToken and token.value == (None, "!"):
            add(token.start_mark.index, "不支持 YAML 标签 !，请删除")
        if glued:
            start, end = token.start_mark.index, token.end_mark.index
            if cls is yaml.ScalarToken and token.style in ("|", ">"):
                line_end = text.find("\n", start)
                header = text[start:line_end if line_end != -1 else None]
                hash_at = header.find("#")
                if hash_at > 0 and header[hash_at - 1] != " ":
                    add(start + hash_at, GLUED_COMMENT)
            elif end > start and text[end:end + 1] == "#" and text[end - 1] not in " \n\r":
                add(end, GLUED_COMMENT)
    if alias is not None:  # a value written twice: point at the second writing
        add(alias.start_mark.index, ALIAS)
    elif anchor is not None:
        at = anchor.start_mark.index
        name = _NAME.match(text, at + 1)
        assert name is not None  # `*`: the empty name matches too
        add(at, anchor_message(name.group()))
    return sorted(problems, key=lambda p: (p.line, p.column))


def flow_problems(text: str, node: yaml.Node, indent: int) -> list[tuple[int, str]]:
    """What libyaml lets through in a flow collection, as (offset, message): lines wrapped back
    to the block parent's column (`indent`), `[?x]` read as a mapping (YAML 1.1), a lone `-`."""
    found = []
    start, end = node.start_mark, node.end_mark
    if indent >= 0 and start.line != end.line:
        at = continuation_problem(text, start.index, end.index, indent, flow=True)
        if at is not None:
            found.append((at, UNDER_INDENTED))
    stack = [node]
    while stack and len(found) < MAX_PROBLEMS:
        node = stack.pop()
        if node.__class__ is yaml.ScalarNode:
            if node.value == "-" and not node.style:
                found.append((node.start_mark.index, FLOW_DASH))
        elif node.__class__ is yaml.SequenceNode:
            stack.extend(reversed(node.value))
        else:
            for key_node, _ in node.value:
                at = key_node.start_mark.index - 1
                if key_node.__class__ is yaml.ScalarNode and key_node.value and text[at:at + 1] == "?":
                    found.append((at, flow_question(key_node.value)))
            for key_node, value_node in reversed(node.value):
                stack.append(value_node)
                stack.append(key_node)
    return found


def continuation_problem(text: str, start: int, end: int, indent: int, flow: bool) -> int | None:
    """Offset of the first line of a multi-line flow collection or quoted scalar (from
    `start` to `end`) that is not indented more than its block parent (`indent`), if any."""
    at = text.find("\n", start, end)
    while at != -1:
        line = at + 1
        first = line
        while first < end and text[first] == " ":
            first += 1
        if first < len(text) and text[first] not in "\n\r" and first - line <= indent \
                and not (flow and text[first] == "#"):
            return first
        at = text.find("\n", line, end)
    return None


def blank_lines_problem(text: str, start: int, indent: int) -> int | None:
    """Offset of a leading blank line of a block scalar (header at `start`, no indentation
    indicator) that holds more spaces than the scalar's first text line."""
    header_end = text.find("\n", start)
    if header_end == -1 or any(ch.isdigit() for ch in text[start:header_end].split("#")[0]):
        return None
    widest, widest_at, at = -1, None, header_end + 1
    while at < len(text):
        end = text.find("\n", at)
        end = len(text) if end == -1 else end
        line = text[at:end].rstrip("\r")
        if line.strip(" "):
            content = len(line) - len(line.lstrip(" "))
            return widest_at if widest > content > indent else None
        if len(line) > widest:
            widest, widest_at = len(line), at
        at = end + 1
    return None


def explain(message: str, text: str, index: int, error: str) -> str:
    """A better message for a libyaml error whose place shows what the editor wrote."""
    ch = text[index:index + 1]
    if _ONLY_MARKERS.match(text):
        return EMPTY_FILE
    if "expected <document start>" in error and re.match(r"(?:[ ]*(?:#[^\n]*)?\n)*---[ ]+[|>]", text):
        return BLOCK_AT_TOP
    if ch != ":":
        return message
    line_start = text.rfind("\n", 0, index) + 1
    before = text[line_start:index]
    after = text[index + 1:index + 2]
    in_flow = text.count("[", 0, index) + text.count("{", 0, index) > \
        text.count("]", 0, index) + text.count("}", 0, index)
    if after in ("", " ", "\n", "\r", ",", "]", "}"):
        previous = text[:index].rstrip(" \n\r")[-1:]
        if (in_flow and previous in ("", "[", "{", ",", "?")) or (not in_flow and not before.strip(" -?")):
            return EMPTY_KEY
    entry = text[max(text.rfind(c, 0, index) for c in "[{,") + 1:index]
    if in_flow and (not before.strip() or ("\n" in entry.strip() and not re.search(r":[ \n]", entry))):
        return FLOW_KEY_LINES
    if in_flow and after in (",", "]", "}"):
        return FLOW_COLON_SPACE
    if in_flow and after not in ("", " ", "\n", "\r"):
        return FLOW_COLON_START
    return message
