"""YAML 1.2 rules that libyaml does not enforce, and the libyaml errors we can explain better.

libyaml reads a few invalid inputs without complaint and drops or reshapes content on the
way: text after a closing quote (`"0571-88888888"#备注` keeps only the number, the rest
becomes a comment), flow lists wrapped back to column 0, `[-]`, leading blank lines of a
block scalar wider than its text. It also follows YAML 1.1 where 1.2 differs: `[?待定]` is
a mapping to libyaml, and it cannot read some valid flow forms at all (`[:x]`, a key whose
colon is on the next line). Each of these is refused here with a located Chinese message;
the measured outcome over the official YAML test suite is in `tests/test_yaml_suite.py`.

Checks on the text run only when a cheap look at the text says they may apply, so clean
content pays for a few substring searches per file.
"""

from __future__ import annotations

import re

import yaml

from generator.errors import Problem
from generator.refusals import MAX_PROBLEMS, position

ALIAS = "不支持锚点和别名（& 与 *），请直接写出内容"
GLUED_COMMENT = "“#”前缺少空格：若是注释，请在“#”前加一个空格；若是内容，请把它写进引号内"
UNDER_INDENTED = ("续行缩进不足：方括号、花括号或引号中的内容换行后，续行要比所属字段（或列表项“-”）多缩进，"
                  "请在行首加空格")
BLANK_LINES = "块文本开头的空行比第一行文字缩进更多，请删除这些空行中的空格"
EMPTY_KEY = "字段名不能为空：请在冒号“:”前写出字段名"
FLOW_DASH = "方括号或花括号中的“-”不能单独作为值，请加引号写成“'-'”"
FLOW_COLON_START = "方括号或花括号中以“:”开头的文本请加引号"
FLOW_KEY_LINES = "方括号或花括号中的字段名须与其后的冒号“:”写在同一行，请删除其间的换行"
FLOW_COLON_SPACE = "方括号或花括号中冒号“:”后须有空格"
BLOCK_AT_TOP = "块文本（“|”或“>”）的内容须缩进，请在这些行的行首加空格"
EMPTY_FILE = "文件是空的"

# A property (anchor or tag) starts after a space, a line start or a flow indicator.
_PROPERTY = re.compile(r"(?:^|[ \[{,])[&!]", re.M)
# A comment glued to what precedes it: after a quote, a flow indicator or a block header.
_GLUED = re.compile(r"(?:[\"'\[\]{},:]|[|>][-+1-9]{0,2})#")
_NAME = re.compile(r"[^\s,\[\]{}]*")  # an anchor's name as YAML 1.2 reads it (libyaml stops at ":")
_ONLY_MARKERS = re.compile(r"(?:[ ]*(?:#[^\n]*)?\r?\n|\.\.\.(?:[ ]+#[^\n]*)?[ ]*(?:\r?\n|\Z))*\Z")


def flow_question(value: str) -> str:
    return f"方括号或花括号中以“?”开头的文本请加引号，写成“'?{value}'”"


def anchor_message(name: str) -> str:
    return f"不支持锚点和别名（& 与 *），请删除“&{name}”"


def _tokens(text: str, stop: int | None = None):
    """libyaml's tokens, up to an offset or the first error."""
    try:
        for token in yaml.scan(text, Loader=yaml.CSafeLoader):
            if stop is not None and token.start_mark.index >= stop:
                return
            yield token
    except yaml.YAMLError:
        return


def token_problems(text: str, rel: str, stop: int | None = None) -> list[Problem]:
    """Anchors, aliases and the non-specific tag `!` (which leave no trace on a composed
    node) and comments glued to a value, from libyaml's tokens; only scanned when the text
    has a candidate."""
    properties = _PROPERTY.search(text) is not None
    glued = "#" in text and _GLUED.search(text) is not None
    if not (properties or glued):
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
                header = text[start:text.find("\n", start) % (len(text) + 1)]
                hash_at = header.find("#")
                if hash_at > 0 and header[hash_at - 1] != " ":
                    add(start + hash_at, GLUED_COMMENT)
            elif end > start and text[end:end + 1] == "#" and text[end - 1] not in " \n\r":
                add(end, GLUED_COMMENT)
    if alias is not None:  # a value written twice: point at the second writing
        add(alias.start_mark.index, ALIAS)
    elif anchor is not None:
        at = anchor.start_mark.index
        add(at, anchor_message(_NAME.match(text, at + 1).group()))
    return sorted(problems, key=lambda p: (p.line, p.column))


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
