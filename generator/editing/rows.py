"""Sheet rows to row records: cells decoded, merged cells filled, 主项 rows with their 子项.

A 主项 with 子项 becomes ONE record with its `subitems`: the 子项名称 / 子项编码 cells of the
main row and of the rows under it whose 主项 cells (id, code, name) are empty or merged
with the main row's. Sub-items keep their own codes (`subitems[].code`). A sub-item row
that fills a 主项 column with a value other than the main row's is refused: the two
readings of such a row (one record or two) differ, and the editor must say which.
Other merged cells give every row they cover the value of their top-left cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.editing import cells
from generator.editing.cells import CellError, Column
from generator.editing.headers import DEPARTMENT, Header, Layout, is_note_row, where
from generator.editing.sheets import Grid


@dataclass
class SheetRow:
    """One record (or, for kinds whose rows are list items, one item) read from the sheet."""

    grid: Grid
    number: int  # 0-based index of its first row
    values: dict[str, Any] = field(default_factory=dict)  # column key -> decoded value (None: empty cell)
    cells: dict[str, str] = field(default_factory=dict)  # column key -> FILE:SHEET:ROW:COLUMN
    headers: dict[str, str] = field(default_factory=dict)  # column key -> the sheet's header text
    items: dict[str, list[dict]] = field(default_factory=dict)  # per-row list field -> its items
    refused: bool = False  # a cell was refused (reported): the row is not checked further
    top: int = 0  # 0-based index of the sheet's (first) header row: rows above it are titles
    as_written: dict[str, Any] = field(default_factory=dict)  # column key -> value before names became ids

    def titles(self) -> list[str]:
        """The text of the title rows above the table."""
        return [str(v).strip() for line in self.grid.cells[:self.top] for v, _ in line if isinstance(v, str) and v.strip()]

    def at(self, key: str | None = None) -> str:
        return self.cells[key] if key is not None and key in self.cells else where(self.grid, self.number, 0)

    def header(self, key: str, column: Column) -> str:
        return self.headers.get(key, column.header)


@dataclass
class Read:
    rows: list[SheetRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_rows(grid: Grid, header: Header, layout: Layout) -> Read:
    out = Read(notes=list(header.notes))
    identity = {"id", *layout.spec.match}
    per_row = {c: col for c, col in header.columns.items() if col.per_row}
    main = {c: col for c, col in header.columns.items() if not col.per_row}
    current: SheetRow | None = None
    for r in range(header.row + 1, len(grid.cells)):
        raw = grid.cells[r]
        if all(_empty(v) for v, _ in raw):
            continue
        note = is_note_row(raw)
        if note:
            out.notes.append(f"{where(grid, r, 0)}: 跳过说明行“{note.splitlines()[0][:30]}”")
            continue
        covered = {c for c in header.columns if (r, c) in grid.merged_from and grid.merged_from[(r, c)][0] < r}
        continuation = current is not None and per_row and all(
            c in covered or _empty(grid.value(r, c)[0]) for c, col in main.items() if col.key in identity
        ) and any(not _empty(grid.value(r, c)[0]) for c in per_row)
        if not continuation:
            current = SheetRow(grid, r, top=header.top)
            out.rows.append(current)
        assert current is not None  # a continuation continues a row
        for c, column in header.columns.items():
            source = grid.merged_from.get((r, c), (r, c))
            if continuation and not column.per_row and c in covered:
                continue
            value, data_type = grid.value(*source)
            at = where(grid, r, c)
            try:
                decoded = cells.decode(column, value, data_type)
            except CellError as exc:
                out.problems.append(f"{at}: error: {header.text[c]}：{exc}")
                current.refused = True
                continue
            if column.per_row:
                continue
            if continuation:
                if decoded is not None and decoded != current.values.get(column.key):
                    out.problems.append(
                        f"{at}: error: {header.text[c]}：子项行的内容与第 {current.number + 1} 行的主项不同；"
                        "如果它是独立的事项，请填写它自己的职权名称和编码；如果是同一事项，请与主项合并单元格或留空")
                continue
            current.values[column.key] = decoded
            current.cells[column.key] = at
            current.headers[column.key] = header.text[c]
        _add_item(current, grid, r, per_row, header, out)
    return out


def _add_item(row: SheetRow, grid: Grid, r: int, per_row: dict[int, Column], header: Header, out: Read) -> None:
    item: dict[str, Any] = {}
    field_name = None
    for c, column in per_row.items():
        value, data_type = grid.value(*grid.merged_from.get((r, c), (r, c)))
        field_name = column.path[0]
        row.cells.setdefault(column.key, where(grid, r, c))
        row.headers.setdefault(column.key, header.text[c])
        try:
            decoded = cells.decode(column, value, data_type)
        except CellError:
            continue  # reported by read_rows
        if decoded is not None:
            item[column.path[-1]] = decoded
    if field_name is not None:
        row.items.setdefault(field_name, [])
        if item:
            row.items[field_name].append(item)


def department_of(row: SheetRow) -> Any:
    return row.values.get(DEPARTMENT)
