"""Spreadsheet files: .xlsx (openpyxl) and .csv, read into rows and written from rows.

Written workbooks keep every cell as text (number format `@`) so that Excel does not turn
codes into numbers or dates when an editor types into them, offer drop-downs for enum
columns, and carry a second sheet, 填写说明, that explains every column.
"""

from __future__ import annotations

import csv
import io
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from generator.editing import cells
from generator.editing.cells import Column

if TYPE_CHECKING:
    from generator.editing.spreadsheet import Mapping


class UsageError(Exception):
    """The command cannot run as asked (unknown department, bad mapping file …)."""


@dataclass
class Table:
    file: str
    sheet: str
    header: list[Any]
    rows: list[tuple[int, list[tuple[Any, str | None]]]]  # (row number, [(value, data type)])


def read_table(path: Path, sheet_name: str | None = None) -> Table:
    if path.suffix.lower() == ".csv":
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030")  # Excel's "CSV" on Chinese Windows
        records = list(csv.reader(io.StringIO(text, newline="")))
        body = [(n, [(v, None) for v in row]) for n, row in enumerate(records[1:], 2)]
        return Table(path.name, "CSV", records[0] if records else [], body)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise UsageError(f"不支持的文件类型 {path.suffix}：请使用 .xlsx 或 .csv")
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        if sheet_name and sheet_name not in book.sheetnames:
            raise UsageError(f"{path.name} 中没有工作表“{sheet_name}”（有：{'、'.join(book.sheetnames)}）")
        sheet = book[sheet_name] if sheet_name else book.worksheets[0]
        rows = [[(c.value, getattr(c, "data_type", None)) for c in row] for row in sheet.iter_rows()]
        header = [v for v, _ in rows[0]] if rows else []
        return Table(path.name, sheet.title, header, [(n, row) for n, row in enumerate(rows[1:], 2)])
    finally:
        book.close()


def write_table(path: Path, mapping: Mapping, rows: list[list[Any]]) -> None:
    if path.suffix.lower() == ".csv":
        out = io.StringIO()
        csv.writer(out).writerows([["" if v is None else v for v in row] for row in rows])
        path.write_text(out.getvalue(), encoding="utf-8-sig", newline="")
        return
    if path.suffix.lower() != ".xlsx":
        raise UsageError(f"不支持的文件类型 {path.suffix}：请使用 .xlsx 或 .csv")
    book = Workbook()
    sheet = book.active
    sheet.title = mapping.sheet
    offset = 1 if mapping.department_column else 0
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row, 1):
            cell = sheet.cell(r, c)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            cell.number_format = "@"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for c, header in enumerate(rows[0], 1):
        sheet.cell(1, c).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(c)].width = 36 if c > 1 + offset else 16
        sheet.column_dimensions[get_column_letter(c)].number_format = "@"
    sheet.freeze_panes = "B2"
    for c, column in enumerate(mapping.columns, 1 + offset):
        choices = _choices(column)
        if choices:
            rule = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
            rule.add(f"{get_column_letter(c)}2:{get_column_letter(c)}10000")
            sheet.add_data_validation(rule)
    _instructions(book.create_sheet("填写说明"), mapping)
    book.save(path)


def _choices(column: Column) -> tuple[str, ...]:
    def literal(annotation: Any) -> tuple[str, ...]:
        if typing.get_origin(annotation) is typing.Literal:
            return tuple(typing.get_args(annotation))
        for arg in typing.get_args(annotation):
            found = literal(arg)
            if found:
                return found
        return ()

    if column.shape == "bool":
        return (cells.YES, cells.NO)
    return literal(column.info.annotation) if column.shape in ("text", "code") else ()


def _instructions(sheet, mapping: Mapping) -> None:
    sheet.append(["列名", "字段", "必填", "说明", "填写方式"])
    if mapping.department_column:
        sheet.append([mapping.department_column, "（部门）", "", "导入时须与 --department 一致，可留空", ""])
    for column in mapping.columns:
        info = column.info
        required = "是" if info.is_required() and (len(column.path) == 1) else ""
        description = info.description if info.description != info.title else ""
        choices = "、".join(_choices(column))
        sheet.append([column.header, column.key, required, description, "；".join(x for x in (column.hint(), choices) if x)])
    for letter, width in zip("ABCDE", (22, 28, 6, 50, 50)):
        sheet.column_dimensions[letter].width = width
