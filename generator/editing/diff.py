"""What an import changes in one record, value by value, named by the sheet's own headers."""

from __future__ import annotations

import json
from typing import Any

from generator.editing.headers import Layout

SHOWN = 40  # characters of a value shown in the summary


def _show(value: Any) -> str:
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value).replace("\n", "⏎")
    return text if len(text) <= SHOWN else text[:SHOWN] + "…"


def _get(data: Any, path: tuple) -> Any:
    for step in path:
        data = data.get(step) if isinstance(data, dict) else None
    return data


def describe(layout: Layout, unit, old: dict, new: dict) -> list[str]:
    """One line per field the sheet changes: `CELL 职权名称：旧 → 新`, `清空“…”`."""
    lines = []
    seen = set()
    prefix = ""
    if layout.spec.rows and any(k.startswith(layout.spec.rows + ".") for k in unit.row.cells):
        prefix = layout.spec.rows + "."
    for column in layout.columns:
        key = column.key
        if column.info is None or key not in unit.row.cells:
            continue
        if prefix and not key.startswith(prefix):
            continue
        path = column.path[1:] if prefix else column.path
        if column.per_row:
            path = path[:1]
        if path in seen:
            continue
        seen.add(path)
        before, after = _get(old, path), _get(new, path)
        if before == after:
            continue
        header = unit.row.header(key, column)
        where = unit.row.cells[key]
        if after is None:
            lines.append(f"{where}: 清空“{header}”（原为：{_show(before)}）")
        elif before is None:
            lines.append(f"{where}: 填写“{header}”：{_show(after)}")
        else:
            lines.append(f"{where}: 修改“{header}”：{_show(before)} → {_show(after)}")
    return lines
