"""The free text of the sheets departments publish, read into content values.

- numbered cells ("1.…\\n2.…", "（一）…", "①…", "一、…") become lists without the numbering;
  a line that does not start a new number continues the item above it;
- 实施依据 text reading "《…》第X条（第X款）：…" becomes `{law, article, text}`, kept whole as
  `{law}` otherwise;
- 收费依据及标准 ("不收费", or the standard) becomes `{charged, standard?}`;
- time limits written "20个工作日" become 20; "即办" (done on the spot) becomes 0;
- 红榜 / 黑榜 become `red` / `black`;
- units listed on one line (市发展改革委、市市场监管局) become a list.

Each reader takes the cell's text and returns the value or raises ValueError with a
message in Chinese saying what to write instead.
"""

from __future__ import annotations

import re

_CN = "一二三四五六七八九十百千零〇两"
_NUMBER = re.compile(
    rf"\s*(?:\d+\s*[.．、)）]|[（(]\s*(?:\d+|[{_CN}]+)\s*[)）]|[①-⑳]|[{_CN}]+\s*、|第[{_CN}\d]+[条项]\s*[、.．:：])\s*")
_ARTICLE = rf"第[{_CN}\d]+条(?:之[{_CN}]+)?(?:第[{_CN}\d]+款)?(?:第[{_CN}\d]+项)?"
_BASIS = re.compile(rf"\s*(《[^》]+》)\s*({_ARTICLE}(?:[、和及]{_ARTICLE})*)\s*[：:，,。]?\s*(.*)\Z", re.S)
_DAYS = re.compile(r"\s*(\d+)\s*(?:个)?\s*工作日\s*\Z")
NO_FEE = ("不收费", "无", "否", "免费", "不收取费用", "无收费")


def numbered(text: str) -> tuple[str, ...]:
    """The items of a cell: its numbered items, or its lines when nothing is numbered."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not any((match := _NUMBER.match(line)) and match.end() < len(line) for line in lines):
        return tuple(lines)
    items: list[str] = []
    for line in lines:
        match = _NUMBER.match(line)
        if match and match.end() < len(line):
            items.append(line[match.end():].strip())
        elif items:
            items[-1] += "\n" + line
        else:
            items.append(line)
    return tuple(items)


def units(text: str) -> list[str]:
    """Units written on one line, as published lists do: 市发展改革委、市市场监管局."""
    return [u.strip() for u in re.split(r"[、，,；;]", text) if u.strip()]


def legal_basis(item: str) -> dict:
    """One 依据 item: `{law, article, text}` where it reads 《…》第X条：…, else `{law}`."""
    match = _BASIS.match(item)
    if not match:
        return {"law": item.strip()}
    law, article, text = match.groups()
    return {"law": law, "article": article, **({"text": text.strip()} if text.strip() else {})}


def fee_text(text: str) -> dict:
    text = text.strip()
    if text in NO_FEE:
        return {"charged": False}
    return {"charged": True, "standard": text}


def working_days(text: str) -> int:
    text = text.strip()
    if text.isdigit():
        return int(text)
    if text in ("即办", "即时办结", "当场办结"):
        return 0
    match = _DAYS.match(text)
    if match:
        return int(match.group(1))
    raise ValueError(f"“{text}”不是工作日数：请写成整数（如 20 或“20个工作日”），其他说明写在“时限说明”列")


def board_name(text: str) -> str:
    names = {"red": "red", "black": "black", "红榜": "red", "红": "red", "表扬": "red", "黑榜": "black", "黑": "black", "曝光": "black"}
    if text.strip() in names:
        return names[text.strip()]
    raise ValueError(f"“{text.strip()}”无法识别：请填写“红榜”或“黑榜”")


# readers of a whole cell, by the name a kind gives in SHEET_COLUMNS.parse
CELL_READERS = {"fee_text": fee_text, "working_days": working_days, "board_name": board_name}
# readers of one item of a list-of-objects cell, for items not written in the ｜ form
ITEM_READERS = {"legal_basis": legal_basis}
