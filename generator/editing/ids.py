"""Ids for rows that have none: found again on re-import, made stable when new.

A row without an id is the existing record whose `match` fields agree with it, tried in
order (for powers: the code, then the name), when exactly one unclaimed record does.
Otherwise it gets a new id from its owner (the department, board issue or list) and its
code — `shichang-0012100001` — or, without a code, a word for its kind and its serial
(序号, else the next free number): `shichang-xk-007`. The new id is written to the YAML, so
the next import matches it by id or code and never makes a second one.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from generator.editing.headers import Layout


def find(old_units: list[dict], values: dict[tuple, Any], match: tuple[str, ...], claimed: dict) -> dict | None:
    for key in match:
        value = values.get((key,))
        if value in (None, ""):
            continue
        found = [u for u in old_units if u.get(key) == value and str(u.get("id", "")).lower() not in claimed]
        if len(found) == 1:
            return found[0]
        if found:
            return None  # ambiguous: a new record rather than a guess
    return None


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"-{2,}", "-", re.sub(r"[^A-Za-z0-9-]", "-", text)).strip("-")


def new_id(layout: Layout, data: dict, owner: str, row, taken: set[str], serial: int) -> str:
    spec = layout.spec
    code = _ascii(str(data.get("code") or "")) if spec.id_from == "code" else ""
    if code:
        candidate = f"{owner}-{code}"
        n = 2
        while candidate.lower() in taken:
            candidate, n = f"{owner}-{code}-{n}", n + 1
        return candidate
    words = [spec.id_words[key].get(data.get(key) or "", "") for key in spec.id_words]
    stem = "-".join(x for x in (owner, *words) if x)
    number = row.values.get("#serial")
    n = int(number) if isinstance(number, str) and number.isdigit() else serial
    while f"{stem}-{n:03d}".lower() in taken:
        n += 1
    return f"{stem}-{n:03d}"
