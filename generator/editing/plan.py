"""Row records merged into the content they update: what each file will hold, checked.

Nothing is lost on the way:
- a column the sheet does not have leaves its field as it is; an emptied cell clears it;
- a row without an id finds its record by the kind's `match` fields (code, then name), else
  gets a stable new id (ids.py), so a second import of the same sheet changes nothing;
- a record the sheet does not list is kept, and reported; with `--allow-delete` it is
  removed, unless another record still names it;
- every file's new text is computed and checked before anything is written.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from generator.editing import ids
from generator.editing.diff import describe
from generator.editing.headers import Layout
from generator.editing.rows import SheetRow
from generator.content.validate import message_for


@dataclass
class Unit:
    """One record (or list item) as the sheet gives it, matched to what it updates."""

    row: SheetRow
    data: dict  # merged: the old unit with the sheet's columns laid over it
    old: dict | None


@dataclass
class FileChange:
    path: Path
    label: str
    new: Any = None  # plain data to write; None: nothing to write
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)  # records the sheet does not list: kept as they are
    removed: list[tuple[str, str]] = field(default_factory=list)  # (id, name)
    rows: list[str] = field(default_factory=list)  # FILE:SHEET:ROW of the sheet rows it takes
    refused: int = 0  # of those, rows with a problem


@dataclass
class Outcome:
    """Everything an import would do, checked; nothing is written until `writes` is applied."""

    kind: str = ""
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    changes: list[FileChange] = field(default_factory=list)
    referenced: list[str] = field(default_factory=list)
    writes: dict[Path, Any] = field(default_factory=dict)  # path -> new text (None: remove the file)
    sources: dict[Path, str] = field(default_factory=dict)  # path -> FILE:SHEET:ROW:COLUMN of a row it takes


def get(data: Any, path: tuple) -> Any:
    for step in path:
        data = data.get(step) if isinstance(data, dict) else None
    return data


def put(data: dict, path: tuple, value: Any) -> None:
    """Set (or, for None, remove) the value at `path`; an object left empty goes too."""
    if len(path) > 1:
        inner = data.get(path[0])
        inner = dict(inner) if isinstance(inner, dict) else {}
        put(inner, path[1:], value)
        if inner:
            data[path[0]] = inner
        else:
            data.pop(path[0], None)
    elif value is None or value == []:
        data.pop(path[0], None)
    else:
        data[path[0]] = value


def unit_values(layout: Layout, row: SheetRow, prefix: str) -> dict[tuple, Any]:
    """The fields of one unit the sheet gives (path inside the unit -> value or None)."""
    out: dict[tuple, Any] = {}
    for column in layout.columns:
        key = column.key
        if column.info is None or column.per_row or key not in row.values:
            continue
        if prefix and not key.startswith(prefix + "."):
            continue
        if not prefix and layout.spec.rows and key.startswith(layout.spec.rows + "."):
            continue
        out[column.path[1:] if prefix else column.path] = row.values[key]
    for name, items in row.items.items():
        out[(name,)] = items or None
    return out


def merge_units(layout: Layout, rows: list[SheetRow], old_units: list[dict], owner: str, taken: set[str],
                prefix: str, problems: list[str]) -> list[Unit]:
    """Each row laid over the old unit it updates (found by id, then by the match fields)."""
    spec = layout.spec
    by_id = {u.get("id"): u for u in old_units if isinstance(u.get("id"), str)}
    claimed: dict[str, SheetRow] = {}
    units = []
    serial = 0
    for row in rows:
        values = unit_values(layout, row, prefix)
        if row.refused:
            if isinstance(values.get(("id",)), str):
                claimed.setdefault(values[("id",)].lower(), row)
            continue
        old = by_id.get(values.get(("id",))) if values.get(("id",)) else None
        if values.get(("id",)) is None:
            old = ids.find(old_units, values, spec.match, claimed)
        data = copy.deepcopy(old) if old is not None else {}
        if old is None:
            for key, value in spec.defaults.items():
                path = tuple(key.split("."))
                if prefix:
                    if path[0] != prefix:
                        continue
                    path = path[1:]
                elif spec.rows and path[0] == spec.rows:
                    continue
                if path not in values:
                    put(data, path, value)
        for path, value in values.items():
            written = row.as_written.get(".".join(((prefix,) if prefix else ()) + path), value)
            put(data, path, written if old is not None and get(old, path) == written else value)
        if not data.get("id"):
            serial += 1
            data = {"id": ids.new_id(layout, data, owner, row, taken, serial), **data}
        rid = data["id"]
        if rid.lower() in claimed:
            first = claimed[rid.lower()]
            problems.append(f"{row.at('id')}: error: {row.headers.get('id', '标识')} {rid} 与第 {first.number + 1} 行重复")
            continue
        claimed[rid.lower()] = row
        taken.add(rid.lower())
        units.append(Unit(row, data, old))
    return units


def validate_units(layout: Layout, model, record: dict, units: Sequence[Unit | None], where_list: str | None,
                   problems: list[str]) -> Any:
    """Check a record against the model; each problem located at the cell it comes from."""
    try:
        return model.model_validate(record)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            loc = tuple(s for s in error["loc"] if not (isinstance(s, str) and (s.startswith("function-") or "[" in s)))
            unit, inner = None, loc
            if where_list is None and units:
                unit = units[0]
            elif loc[:1] == (where_list,) and len(loc) > 1 and isinstance(loc[1], int) and loc[1] < len(units):
                unit, inner = units[loc[1]], loc[2:]
            problems.append(_located(layout, unit, inner, where_list, model, error, loc))
        return None


def _located(layout: Layout, unit: Unit | None, inner: tuple, where_list: str | None, model, error, loc) -> str:
    names = [s for s in inner if isinstance(s, str)]
    prefix = f"{where_list}." if where_list else ""
    best = None
    for column in layout.columns:
        key = column.key.removeprefix(prefix).replace("[]", "")
        parts = key.split(".")
        if names[:len(parts)] == parts and (best is None or len(parts) > len(best[1])):
            best = (column, parts)
    if best is None and names:
        best = next(((c, [names[0]]) for c in layout.columns if c.key.removeprefix(prefix).split(".")[0] == names[0]), None)
    message = message_for(model, {**error, "loc": loc})
    item = next((f"第 {s + 1} 项：" for s in inner[1:2] if isinstance(s, int)), "")
    if unit is None:
        return f"error: {message}"
    chosen = best[0] if best else None
    if chosen is not None and chosen.key in unit.row.cells:
        return f"{unit.row.cells[chosen.key]}: error: {unit.row.header(chosen.key, chosen)}：{item}{message}"
    header = f"（表格中没有“{chosen.header}”列）" if chosen is not None else ""
    return f"{unit.row.at()}: error: {item}{message}{header}"


def report(layout: Layout, change: FileChange, units: list[Unit], label_of) -> None:
    """Fill the per-record lines of `change`: added, changed (every value), unchanged."""
    for unit in units:
        name = label_of(unit.data)
        if unit.old is None:
            change.added.append(f"{unit.row.at()}: 新增 {name}")
            continue
        lines = describe(layout, unit, unit.old, unit.data)
        if lines:
            change.changed.append(f"{unit.row.at()}: 修改 {name}\n" + "\n".join(f"    {line}" for line in lines))
        else:
            change.unchanged += 1
