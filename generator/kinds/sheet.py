"""How a record kind lays out in a spreadsheet: declared by each kind module as SHEET_COLUMNS.

The import and export commands (generator/editing/) read these declarations and know no
kind by name. A kind declares:

- `sheet`: the worksheet name `export` writes;
- `columns`: field path → headers. The first header is the one `export` writes; the others
  are the names departments use in the sheets they publish (province by province), which
  `import` also recognises. Editors add more names in generator/editing/columns.yaml.
  A path `a.b` is field `b` of the object in field `a`; `a[].b` is field `b` of one item of
  the list `a`, one item per sheet row (子项名称 under a 主项); `#serial` is the row's 序号;
- `parse`: field path → the name of a cell reader for the free text of published sheets
  (see generator/editing/freetext.py), e.g. 实施依据 read as 《法》第X条：条文;
- `rows`: "" when a row is one record; else the list field a row is one item of (a board
  issue's `entries`): the other columns then hold the record's own fields, repeated per row;
- `match`: fields that find the existing record for a row without an id, in order;
- `defaults`: values a new record takes when the sheet has no column for the field;
- `departments`: fields that take a department, written in the sheet by its full or short name;
- `id_from`, `id_words`: how a record without an id gets a stable one (see generator/editing/ids.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SheetColumns:
    sheet: str
    columns: dict[str, tuple[str, ...]]
    parse: dict[str, str] = field(default_factory=dict)
    rows: str = ""
    match: tuple[str, ...] = ()
    defaults: dict[str, object] = field(default_factory=dict)
    id_from: str = "serial"  # "code": <owner>-<code> when the row has a code; else <owner>[-<words>]-<serial>
    id_words: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> {value: ASCII word} for new ids
    id_prefix: str = ""  # owner part of new ids when records have no owner (a file per record): policy-001
    departments: tuple[str, ...] = ()  # fields naming departments: a registry name in the sheet becomes its id
