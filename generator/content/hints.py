"""What an editor most likely did wrong when libyaml stops, found from the text around the spot.

libyaml reports where it noticed a problem, often lines after the mistake and in terms of
its own grammar ("could not find expected ':'"). The everyday mistakes of people who have
never seen YAML are few: a full-width colon `：` after a key, a list item without its `- `,
a quote that is never closed. Each is recognised here and reported at the line the editor
has to change. Runs only for a file libyaml already refused, so it may take its time.
"""

from __future__ import annotations

import re

import yaml

FULLWIDTH_COLON = ("这里的冒号“：”是全角（中文）冒号：字段名后请改用半角冒号“:”，并在其后加一个空格，"
                   "例如 {key}: {value}")
MISSING_DASH = "这一行是列表中的一项，但缺少开头的“- ”：请在“{item}”前加上“- ”（短横线和一个空格），与上一项对齐"
UNCLOSED_QUOTE = "这里的引号“{quote}”没有闭合：请在这个值的末尾补上“{quote}”（或删除这个引号）"

_KEY_LINE = re.compile(r"[ ]*(?:- )?[A-Za-z_][A-Za-z0-9_-]*:(?:[ ]|$)", re.M)
_FULLWIDTH_KEY = re.compile(r"([ ]*(?:- )?)([A-Za-z_][A-Za-z0-9_-]*)[ ]*：[ ]*(.*)")


def syntax_hint(text: str, exc: yaml.MarkedYAMLError) -> tuple[int, str] | None:
    """(offset, message) of the mistake behind a libyaml error, when it is a known one."""
    context = exc.context_mark
    problem = exc.problem_mark
    lines = [m.line for m in (context, problem) if m is not None]
    for line in sorted(set(lines + [max(0, min(lines) - 1)] if lines else [])):
        found = _fullwidth_colon(text, line)
        if found:
            return found
    if context is not None and exc.context == "while scanning a simple key":
        found = _missing_dash(text, context.index)
        if found:
            return found
    if context is not None and exc.context == "while scanning a quoted scalar":
        quote = text[context.index:context.index + 1]
        return context.index, UNCLOSED_QUOTE.format(quote=quote)
    return _unclosed_quote(text, problem.index if problem else len(text))


def _line_span(text: str, line: int) -> tuple[int, int]:
    start = 0
    for _ in range(line):
        start = text.find("\n", start) + 1
        if start == 0:
            return len(text), len(text)
    end = text.find("\n", start)
    return start, len(text) if end == -1 else end


def _fullwidth_colon(text: str, line: int) -> tuple[int, str] | None:
    start, end = _line_span(text, line)
    match = _FULLWIDTH_KEY.match(text, start, end)
    if match is None or ":" in text[start:match.end(2)]:
        return None
    value = match.group(3).rstrip("\r").split(" #")[0].strip()
    return text.index("：", match.end(2)), FULLWIDTH_COLON.format(key=match.group(2), value=value or "…")


def _missing_dash(text: str, key_start: int) -> tuple[int, str] | None:
    """A plain line among list items `- x` at the same column (libyaml read it as a key)."""
    line_start = text.rfind("\n", 0, key_start) + 1
    column = key_start - line_start
    if text[line_start:key_start].strip(" "):
        return None
    line_end = text.find("\n", key_start)
    item = text[key_start:line_end if line_end != -1 else None].rstrip("\r")
    if ":" in item.split("#")[0]:
        return None
    at = line_start - 1
    while at > 0:
        prev_start = text.rfind("\n", 0, at) + 1
        prev = text[prev_start:at].rstrip("\r")
        at = prev_start - 1
        if not prev.strip() or prev.lstrip().startswith("#"):
            continue
        indent = len(prev) - len(prev.lstrip(" "))
        if indent == column and prev[indent:indent + 2] in ("- ", "-"):
            return key_start, MISSING_DASH.format(item=item.strip())
        return None
    return None


def _unclosed_quote(text: str, stop: int) -> tuple[int, str] | None:
    """A quoted value read across lines that look like `key: value`: its closing quote is missing,
    so libyaml took the next quote in the file as the end and stopped later."""
    try:
        for token in yaml.scan(text, Loader=yaml.CSafeLoader):
            if token.start_mark.index >= stop:
                break
            if token.__class__ is yaml.ScalarToken and token.style in ("'", '"') \
                    and token.start_mark.line != token.end_mark.line:
                body = text[text.find("\n", token.start_mark.index) + 1:token.end_mark.index]
                if _KEY_LINE.search(body):
                    return token.start_mark.index, UNCLOSED_QUOTE.format(quote=token.style)
    except yaml.YAMLError:
        pass
    return None
