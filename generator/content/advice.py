"""Advice added to validation messages: what the editor probably meant.

Curly (Chinese) quotes that YAML keeps as part of the value, spaces nobody can see at either
end of a value, the nearest valid key or value to a misspelt one (difflib), and a record's
name written where its id belongs. Runs only for values the validator already refused.
"""

from __future__ import annotations

import difflib
import unicodedata

OPENING = "“‘「『"
CLOSING = "”’」』"

_SPACE_NAMES = {
    " ": "空格", "\u00a0": "不换行空格 NBSP（U+00A0，常见于从网页复制的文本）",
    "\u3000": "全角空格（U+3000）", "\u2002": "半角空格（U+2002）", "\u2003": "全角空格（U+2003）",
    "\u2009": "窄空格（U+2009）", "\u202f": "窄不换行空格（U+202F）", "\n": "换行",
}

def nearest(word: str, options) -> str | None:
    """The closest option to a misspelt word, if one is close enough to be meant."""
    found = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    if not found:
        found = difflib.get_close_matches(word.lower(), [o.lower() for o in options], n=1, cutoff=0.6)
        found = [o for o in options if found and o.lower() == found[0]]
    return found[0] if found else None


def did_you_mean(word: str, options) -> str:
    match = nearest(word, options)
    return f"您是不是要写 {match}？" if match else ""


def curly_quoted(value: str) -> bool:
    return len(value) >= 2 and value[0] in OPENING and value[-1] in CLOSING


def space_name(ch: str) -> str:
    return _SPACE_NAMES.get(ch) or f"不可见字符 U+{ord(ch):04X}（{unicodedata.name(ch, '')}）"


def invisible(value: str) -> str:
    """Where a value has whitespace at either end, in words ('' if none)."""
    parts = []
    if value[:1].isspace():
        parts.append(f"开头有一个{space_name(value[0])}")
    if len(value) > 1 and value[-1:].isspace():
        parts.append(f"末尾有一个{space_name(value[-1])}")
    return "、".join(parts)


def clean(value: str) -> tuple[str, list[str]]:
    """(the value without curly quotes and surrounding whitespace, what was wrong in words)."""
    problems = []
    inner = value
    if curly_quoted(inner):
        problems.append(f"两端是弯引号 {inner[0]}{inner[-1]}（YAML 不把它们当作引号，会连同引号一起发布）")
        inner = inner[1:-1]
    where = invisible(inner)
    if where:
        problems.append(f"{where}（看不见，但会被当作内容）")
        inner = inner.strip()
    return inner, problems


def department_advice(given: str, departments) -> str:
    """Why `--department <given>` names no registered department, and the id to write.
    `departments` are (id, name, short name) triples from the registry."""
    given = given.strip()
    for dept_id, name, short in departments:
        if given in (name, short):
            which = "全称" if given == name else "简称"
            return f"部门“{given}”是部门 {dept_id} 的{which}：这里请写部门标识，改为 --department {dept_id}"
    names: dict[str, str] = {}
    for dept_id, name, short in departments:
        for word in (dept_id, name, short):
            if word:
                names.setdefault(word, dept_id)
    match = nearest(given, names)
    if match is None:  # an abbreviation: its characters in order within one full name
        within = [word for word in names if _subsequence(given, word)]
        match = within[0] if len({names[w] for w in within}) == 1 else None
    if match is not None:
        named = "" if match == names[match] else f"（{match}）"
        return f"部门“{given}”不是已登记的部门标识：您是不是要写 --department {names[match]}{named}？"
    return f"部门“{given}”不是已登记的部门标识：请先在 departments.yaml 中登记部门，或检查 --department 的拼写"


def _subsequence(short: str, word: str) -> bool:
    chars = iter(word)
    return bool(short) and all(ch in chars for ch in short)
