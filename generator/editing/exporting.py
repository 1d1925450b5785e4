"""`export`: records of any kind to a spreadsheet that `import` reads back without a change.

A row per record, or, for kinds whose rows are list items (board entries), a sheet per
record with a row per item and the record's own fields repeated on each row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.content.advice import department_advice
from generator.editing import cells
from generator.editing.headers import DEPARTMENT, layout_for
from generator.editing.plan import get
from generator.editing.workbook import UsageError, write_table


def _row(columns, data: dict, department: str | None = None) -> list[Any]:
    out = []
    for column in columns:
        if column.key == DEPARTMENT:
            out.append(department)
        else:
            out.append(cells.encode(column, get(data, column.path)))
    return out


def export_file(kind: str, out: Path, content_root: Path, *, department: str | None = None,
                columns_file: Path | None = None) -> tuple[int, list]:
    """Write every record of `kind` (or one department's) to `out`; returns (rows, problems)."""
    from generator.content.tree import load_content

    layout = layout_for(kind, columns_file)
    content = load_content(content_root)
    folder = (content_root / kind).resolve()
    errors = [p for p in content.errors() if folder in Path(p.file).resolve().parents]
    if errors:  # a record with an error is not loaded: exporting without it would lose it
        return 0, errors
    if department is not None and department not in {d.id for d, _ in content.departments}:
        raise UsageError(department_advice(department, [(d.id, d.name, d.short_name or "")
                                                        for d, _ in content.departments]))
    records = [(r, s.file.stem) for r, s in content.records[kind] if department is None or s.file.stem == department]
    spec = layout.spec
    columns = [c for c in layout.columns if c.key == DEPARTMENT] + list(layout.export_columns())
    header = [c.header for c in columns]
    if not spec.rows:
        rows = [_row(columns, r.model_dump(mode="json", exclude_none=True), stem) for r, stem in records]
        write_table(out, columns, [(layout.sheet, [header, *rows])])
        return len(rows), []
    sheets, count = [], 0
    for record, _ in records:
        data = record.model_dump(mode="json", exclude_none=True)
        own = {k: v for k, v in data.items() if k != spec.rows}
        rows = [_row(columns, {**own, spec.rows: item}) for item in data.get(spec.rows) or []]
        sheets.append((record.id[:31], [header, *rows]))
        count += len(rows)
    write_table(out, columns, sheets or [(layout.sheet, [header])])
    return count, []


