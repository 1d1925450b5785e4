"""Reading spreadsheet files: .xlsx (openpyxl), .xls (xlrd) and .csv (UTF-8 or GBK) into grids.

A grid keeps every cell with its type as the reader saw it (so that `cells` can refuse
what Excel did to it) and where merged ranges lie: the cells a merge covers, other than
its top-left one, are marked with the position the value comes from.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.editing.workbook import UsageError

Cell = tuple[Any, "str | None"]  # (value, data type: "e" for an Excel error)


@dataclass
class Grid:
    file: str
    sheet: str
    cells: list[list[Cell]]
    merged_from: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # 0-based

    def value(self, row: int, col: int) -> Cell:
        line = self.cells[row] if row < len(self.cells) else []
        return line[col] if col < len(line) else (None, None)


def read_grids(path: Path, sheet_name: str | None = None) -> list[Grid]:
    """Every worksheet of the file (or the one named), in workbook order."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return [_csv(path)]
    if suffix in (".xlsx", ".xlsm"):
        grids = _xlsx(path)
    elif suffix == ".xls":
        grids = _xls(path)
    else:
        raise UsageError(f"不支持的文件类型 {path.suffix}：请使用 .xlsx、.xls 或 .csv")
    if sheet_name is None:
        return grids
    chosen = [g for g in grids if g.sheet == sheet_name]
    if not chosen:
        raise UsageError(f"{path.name} 中没有工作表“{sheet_name}”（有：{'、'.join(g.sheet for g in grids)}）")
    return chosen


def _csv(path: Path) -> Grid:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")  # Excel's "CSV" on Chinese Windows
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return Grid(path.name, "CSV", [[(v, None) for v in row] for row in rows])


def _xlsx(path: Path) -> list[Grid]:
    from openpyxl import load_workbook

    book = load_workbook(path, data_only=True)
    grids = []
    for sheet in book.worksheets:
        cells: list[list[Cell]] = [[(c.value, c.data_type) for c in row] for row in sheet.iter_rows()]
        grid = Grid(path.name, sheet.title, cells)
        for merged in sheet.merged_cells.ranges:
            _mark(grid, merged.min_row - 1, merged.max_row, merged.min_col - 1, merged.max_col)
        grids.append(grid)
    book.close()
    return grids


def _xls(path: Path) -> list[Grid]:
    import xlrd
    from xlrd.biffh import XLRDError  # where it is defined (the stubs do not re-export it from xlrd)

    try:
        book = xlrd.open_workbook(str(path), formatting_info=True)
    except XLRDError as exc:
        raise UsageError(f"无法读取 {path.name}：{exc}") from None
    grids = []
    for sheet in book.sheets():
        cells = [[_xls_cell(book, sheet.cell(r, c)) for c in range(sheet.ncols)] for r in range(sheet.nrows)]
        grid = Grid(path.name, sheet.name, cells)
        for rlo, rhi, clo, chi in sheet.merged_cells:
            _mark(grid, rlo, rhi, clo, chi)
        grids.append(grid)
    return grids


def _xls_cell(book, cell) -> Cell:
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None, None
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#N/A"), "e"
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value), "b"
    if cell.ctype == xlrd.XL_CELL_DATE:
        return xlrd.xldate_as_datetime(cell.value, book.datemode), "d"
    if cell.ctype == xlrd.XL_CELL_NUMBER:  # xlrd reads every number as a float, as Excel stores it
        return (int(cell.value) if float(cell.value).is_integer() else cell.value), "n"
    return cell.value, "s"


def _mark(grid: Grid, rlo: int, rhi: int, clo: int, chi: int) -> None:
    for r in range(rlo, rhi):
        for c in range(clo, chi):
            if (r, c) != (rlo, clo):
                grid.merged_from[(r, c)] = (rlo, clo)
