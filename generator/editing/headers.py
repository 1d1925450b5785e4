"""Which columns a sheet has: the kind's columns, their header names, and the header row.

A kind declares its columns in its module (`SHEET_COLUMNS`); generator/editing/columns.yaml
adds header names used elsewhere (editors extend it), and `--columns FILE` (same format)
puts an editor's own names first. In a sheet, the header row is the first of its top rows
that names the most known columns; title rows above it and note rows such as 填表说明 below
it are skipped and reported; a column nobody recognises is reported and ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from generator.editing.cells import Column
from generator.editing.sheets import Grid
from generator.editing.workbook import UsageError
from generator.kinds import KINDS
from generator.kinds.base import Kind, submodel
from generator.kinds.sheet import SheetColumns

DEFAULT_ALIASES = Path(__file__).with_name("columns.yaml")
DEPARTMENT = "#department"  # the column naming the department a row belongs to
DEPARTMENT_HEADERS = ("部门标识", "部门名称", "部门", "实施部门", "所属部门")
HEADER_SEARCH_ROWS = 20
NOTE_STARTS = ("填表说明", "填报说明", "说明：", "说明:", "注：", "注:", "备注：", "备注:", "附注")


@dataclass(frozen=True)
class Layout:
    """One kind's columns, with every header name it answers to."""

    kind: Kind
    spec: SheetColumns
    columns: tuple[Column, ...]
    by_files: bool  # rows go to one file per department (powers/<department>.yaml)

    @property
    def sheet(self) -> str:
        return self.spec.sheet

    def export_columns(self) -> tuple[Column, ...]:
        """The columns `export` writes: every field once, in its plain (not per-row) form."""
        keys = {c.key for c in self.columns}
        return tuple(c for c in self.columns if c.info is not None and not c.per_row
                     and not any(k.startswith(c.key + ".") for k in keys))

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)


def layout_for(kind_name: str, columns_file: Path | None = None) -> Layout:
    if kind_name not in KINDS:
        raise UsageError(f"没有“{kind_name}”这类记录（可用：{'、'.join(KINDS)}）")
    kind = KINDS[kind_name]
    spec = kind.columns
    if spec is None:
        raise UsageError(f"{kind.label}没有表格格式，不能导入或导出")
    extra = _aliases(DEFAULT_ALIASES, kind_name)
    first = _aliases(columns_file, kind_name) if columns_file else {}
    columns = []
    by_files = kind.file_must_be == "department"
    if by_files:
        headers = first.get(DEPARTMENT, []) + [h for h in DEPARTMENT_HEADERS + tuple(extra.get(DEPARTMENT, ())) if h not in first.get(DEPARTMENT, [])]
        columns.append(Column((DEPARTMENT,), headers[0], tuple(headers[1:]), None))
    for key, own in spec.columns.items():
        names = [*first.get(key, ()), *own, *extra.get(key, ())]
        names = list(dict.fromkeys(names))
        columns.append(_column(kind, key, names, spec.parse.get(key, "")))
    for source, table in ((columns_file, first), (DEFAULT_ALIASES, extra)):
        for key in table:
            if key != DEPARTMENT and key not in spec.columns:
                raise UsageError(f"{source}：{kind_name} 中的“{key}”不是{kind.label}的列（可用：{'、'.join(spec.columns)}）")
    return Layout(kind, spec, tuple(columns), by_files)


def _aliases(path: Path, kind_name: str) -> dict[str, list[str]]:
    try:
        config = yaml.safe_load(path.read_text("utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise UsageError(f"无法读取列名文件 {path}：{exc}") from None
    section = config.get(kind_name) or {}
    return {key: [names] if isinstance(names, str) else list(names) for key, names in section.items()}


def _column(kind: Kind, key: str, names: list[str], parse: str) -> Column:
    if key.startswith("#"):
        return Column((key,), names[0], tuple(names[1:]), None, parse)
    per_row = "[]" in key
    path = tuple(key.replace("[]", "").split("."))
    info: FieldInfo | None = None
    owner: type[BaseModel] | None = kind.model
    for step in path:
        if owner is None or step not in owner.model_fields:
            raise UsageError(f"{kind.name}.SHEET_COLUMNS 中的“{key}”不是{kind.label}的字段")
        info = owner.model_fields[step]
        owner = submodel(info.annotation)
    return Column(path, names[0], tuple(names[1:]), info, parse, per_row)


# --- the header row of a sheet ------------------------------------------------------------

def normalise(text: object) -> str:
    text = re.sub(r"[\s*＊:：]", "", "" if text is None else str(text))
    return text.replace("(", "（").replace(")", "）")


def _names(layout: Layout) -> dict[str, Column]:
    names: dict[str, Column] = {}
    for column in layout.columns:
        for name in (column.header, *column.aliases, column.key):
            names.setdefault(normalise(name), column)
    return names


def _match(names: dict[str, Column], text: object) -> Column | None:
    key = normalise(text)
    if not key:
        return None
    return names.get(key) or names.get(re.sub(r"（[^）]*）\Z", "", key))


@dataclass
class Header:
    row: int  # 0-based index of the (last) header row
    columns: dict[int, Column]  # 0-based column index -> column
    text: dict[int, str]  # the sheet's own header text of each column
    notes: list[str] = field(default_factory=list)  # report lines: skipped rows, ignored columns
    top: int = 0  # 0-based index of the first header row (the same as `row` unless two rows)


def where(grid: Grid, row: int, col: int) -> str:
    """FILE:SHEET:ROW:COLUMN (row and column 0-based in, 1-based / lettered out)."""
    from openpyxl.utils import get_column_letter

    return f"{grid.file}:{grid.sheet}:{row + 1}:{get_column_letter(col + 1)}"


def find_header(grid: Grid, layout: Layout) -> Header | None:
    names = _names(layout)
    best, best_count = None, 1
    for r in range(min(HEADER_SEARCH_ROWS, len(grid.cells))):
        count = len({_match(names, v) for v, _ in grid.cells[r]} - {None})
        if count > best_count:
            best, best_count = r, count
    if best is None:
        return None
    header = Header(best, {}, {}, top=best)
    for r in range(best):
        text = " ".join(str(v).strip() for v, _ in grid.cells[r] if v not in (None, ""))
        if text:
            header.notes.append(f"{where(grid, r, 0)}: 跳过表头以上的标题行“{text}”")
    top = grid.cells[best]
    below = grid.cells[best + 1] if best + 1 < len(grid.cells) else []
    sub = [(c, v) for c, (v, _) in enumerate(below) if v not in (None, "")]
    two_rows = sub and all(_match(names, v) for _, v in sub)  # 办理时限 over 法定时限 | 承诺时限
    if two_rows:
        header.row = best + 1
    for c in range(max(len(top), len(below) if two_rows else 0)):
        value = below[c][0] if two_rows and c < len(below) and below[c][0] not in (None, "") else (top[c][0] if c < len(top) else None)
        if (best, c) in grid.merged_from and not (two_rows and c < len(below) and below[c][0]):
            continue  # the rest of a horizontally merged header cell
        if value in (None, "") or not str(value).strip():
            continue
        text = str(value).strip()
        column = _match(names, text)
        at = where(grid, header.row if two_rows and c < len(below) and below[c][0] else best, c)
        if column is None:
            header.notes.append(f"{at}: 不认识的列“{text}”，已忽略（如需导入，请在 columns.yaml 中为它添加列名）")
        elif column in header.columns.values():
            first = next(i for i, col in header.columns.items() if col == column)
            header.notes.append(f"{at}: 列“{text}”与第 {first + 1} 列“{header.text[first]}”重复，已忽略")
        else:
            header.columns[c] = column
            header.text[c] = text
    return header


def is_note_row(row: list) -> str | None:
    """The text of a note row (填表说明 …) under the table, or None."""
    values = [str(v).strip() for v, _ in row if v not in (None, "") and str(v).strip()]
    if len(values) == 1 and values[0].startswith(NOTE_STARTS):
        return values[0]
    return None
