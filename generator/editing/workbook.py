"""Writing spreadsheet files: .xlsx (openpyxl) and .csv (reading is in sheets.py).

Written workbooks keep every cell as text (number format `@`) so that Excel does not turn
codes into numbers or dates when an editor types into them, offer drop-downs for enum
columns, and carry a second sheet, 填写说明, that explains every column.
"""

from __future__ import annotations

import csv
import io
import typing
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from generator.editing import cells
from generator.editing.cells import Column


class UsageError(Exception):
    """The command cannot run as asked (unknown department, bad mapping file …)."""


def write_table(path: Path, columns: list[Column], sheets: list[tuple[str, list[list[Any]]]]) -> None:
    """Write `sheets` [(title, rows)] — each a header row, then data — and the 填写说明 sheet.
    A .csv holds one table: the header once, then the rows of every sheet."""
    if path.suffix.lower() == ".csv":
        out = io.StringIO()
        rows = [sheets[0][1][0]] + [row for _, table in sheets for row in table[1:]]
        csv.writer(out).writerows([["" if v is None else v for v in row] for row in rows])
        path.write_text(out.getvalue(), encoding="utf-8-sig", newline="")
        return
    if path.suffix.lower() != ".xlsx":
        raise UsageError(f"不支持的文件类型 {path.suffix}：请使用 .xlsx 或 .csv")
    book = Workbook()
    book.remove(book.worksheets[0])  # the sheet a new workbook starts with
    for title, rows in sheets:
        _sheet(book.create_sheet(title), columns, rows)
    _instructions(book.create_sheet("填写说明"), columns)
    book.save(path)


def _sheet(sheet, columns: list[Column], rows: list[list[Any]]) -> None:
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row, 1):
            cell = sheet.cell(r, c)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            cell.number_format = "@"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for c, column in enumerate(columns, 1):
        sheet.cell(1, c).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(c)].width = 36 if column.info is not None and column.key != "id" else 16
        sheet.column_dimensions[get_column_letter(c)].number_format = "@"
        choices = _choices(column)
        if choices:
            rule = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
            rule.add(f"{get_column_letter(c)}2:{get_column_letter(c)}10000")
            sheet.add_data_validation(rule)
    sheet.freeze_panes = "B2"


def _choices(column: Column) -> tuple[str, ...]:
    def literal(annotation: Any) -> tuple[str, ...]:
        if typing.get_origin(annotation) is typing.Literal:
            return tuple(typing.get_args(annotation))
        for arg in typing.get_args(annotation):
            found = literal(arg)
            if found:
                return found
        return ()

    if column.info is None:
        return ()
    if column.shape == "bool":
        return (cells.YES, cells.NO)
    return literal(column.info.annotation) if column.shape in ("text", "code") else ()


def _instructions(sheet, columns: list[Column]) -> None:
    sheet.append(["列名", "字段", "必填", "说明", "填写方式"])
    for column in columns:
        info = column.info
        if info is None:
            sheet.append([column.header, "（部门）", "", "部门标识；导入时须与 --department 一致，可留空", ""])
            continue
        required = "是" if info.is_required() and (len(column.path) == 1) else ""
        description = info.description if info.description != info.title else ""
        choices = "、".join(_choices(column))
        sheet.append([column.header, column.key, required, description, "；".join(x for x in (column.hint(), choices) if x)])
    for letter, width in zip("ABCDE", (22, 28, 6, 50, 50)):
        sheet.column_dimensions[letter].width = width
