"""`import` and `export`: a department's powers to and from .xlsx / .csv.

Columns come from a mapping file (default: columns.yaml beside this module); cells are
encoded by `cells`. Import is all or nothing: any refused cell stops it with a report
line per problem (`FILE:SHEET:ROW:COLUMN: error: …`) and nothing is written. It never
drops records silently: records missing from the sheet are listed, and a run that would
drop more than a few of them needs `--allow-delete`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from openpyxl.utils import get_column_letter
from pydantic import BaseModel, ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from generator.editing import cells
from generator.editing.cells import CellError, Column
from generator.kinds.base import submodel
from generator.editing.referrers import referrers
from generator.editing.fmt import canonicalize, dump, yaml_rt
from generator.editing.workbook import Table, UsageError, read_table, write_table
from generator.kinds import KINDS
from generator.load import load_file
from generator.validate import message_for

DEFAULT_COLUMNS = Path(__file__).with_name("columns.yaml")
DELETE_LIMIT = 5  # more than this many records dropped (or more than 10%) needs --allow-delete


@dataclass(frozen=True)
class Mapping:
    kind: str
    model: type[BaseModel]
    sheet: str
    department_column: str
    columns: tuple[Column, ...]

    def by_header(self) -> dict[str, Column]:
        return {name: c for c in self.columns for name in (c.header, *c.aliases, c.key)}


def load_mapping(kind: str, path: Path | None = None) -> Mapping:
    path = path or DEFAULT_COLUMNS
    config = yaml.safe_load(path.read_text("utf-8")) or {}
    if kind not in config or kind not in KINDS:
        known = "、".join(k for k in config if k in KINDS)
        raise UsageError(f"{path}：没有“{kind}”的列定义（可用：{known}）")
    section = config[kind]
    model = KINDS[kind].model
    columns = []
    for key, headers in section["columns"].items():
        headers = [headers] if isinstance(headers, str) else list(headers)
        info, owner = None, model
        for step in key.split("."):
            if owner is None or step not in owner.model_fields:
                raise UsageError(f"{path}：{kind}.columns 中的“{key}”不是{KINDS[kind].label}的字段")
            info = owner.model_fields[step]
            owner = submodel(info.annotation)
        columns.append(Column(tuple(key.split(".")), headers[0], tuple(headers[1:]), info))
    mapping = Mapping(kind, model, section.get("sheet", KINDS[kind].label), section.get("department_column", ""), tuple(columns))
    _check_complete(mapping, path)
    return mapping


def _check_complete(mapping: Mapping, path: Path) -> None:
    """Every field must have a column, or export would lose data."""
    keys = {c.key for c in mapping.columns}
    for name, info in mapping.model.model_fields.items():
        sub = submodel(info.annotation)
        column = next((c for c in mapping.columns if c.path[0] == name), None)
        if column is None:
            raise UsageError(f"{path}：{mapping.kind}.columns 缺少字段“{name}”（{info.title}），导出会丢失数据")
        if sub is not None and column.path == (name,) and column.item_model is None:
            raise UsageError(f"{path}：“{name}”是对象，请按“{name}.字段”逐列对应")
        if sub is not None and column.item_model is None:
            for sub_name in sub.model_fields:
                if f"{name}.{sub_name}" not in keys:
                    raise UsageError(f"{path}：{mapping.kind}.columns 缺少字段“{name}.{sub_name}”，导出会丢失数据")


# --- export ---------------------------------------------------------------------------

def rows_for(mapping: Mapping, records: list[tuple[BaseModel, str]]) -> list[list[Any]]:
    """Header row, then one row per (record, department id)."""
    header = ([mapping.department_column] if mapping.department_column else []) + [c.header for c in mapping.columns]
    rows = [header]
    for record, department in records:
        data = record.model_dump(mode="json", exclude_none=True)
        row = [department] if mapping.department_column else []
        for column in mapping.columns:
            value: Any = data
            for step in column.path:
                value = value.get(step) if isinstance(value, dict) else None
            row.append(cells.encode(column, value))
        rows.append(row)
    return rows


def export_file(kind: str, out: Path, content_root: Path, *, department: str | None = None,
                columns_file: Path | None = None) -> tuple[int, list]:
    """Write every record of `kind` (or one department's) to `out`; returns (rows, problems)."""
    from generator.content import load_content

    mapping = load_mapping(kind, columns_file)
    content = load_content(content_root)
    folder = (content_root / kind).resolve()
    errors = [p for p in content.errors() if folder in Path(p.file).resolve().parents]
    if errors:  # a record with an error is not loaded: exporting without it would lose it
        return 0, errors
    if department is not None and department not in {d.id for d, _ in content.departments}:
        raise UsageError(f"部门“{department}”不在部门登记册中")
    records = [(record, source.file.stem) for record, source in content.records[kind]
               if department is None or source.file.stem == department]
    write_table(out, mapping, rows_for(mapping, records))
    return len(records), []


# --- import ---------------------------------------------------------------------------

@dataclass
class ImportResult:
    problems: list[str] = field(default_factory=list)  # report lines
    emptied: list[str] = field(default_factory=list)  # report lines: cells emptied in the sheet
    referenced: list[str] = field(default_factory=list)  # report lines: removals refused
    records: list[BaseModel] = field(default_factory=list)
    id_cells: dict[str, str] = field(default_factory=dict)  # record id -> FILE:SHEET:ROW:COLUMN of its id
    deleted: list[tuple[str, str]] = field(default_factory=list)  # (id, name)
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    needs_allow_delete: bool = False
    target: Path | None = None  # the file to write, and its new text, once everything checked out
    text: str = ""


def _where(table: Table, row: int, col: int) -> str:
    return f"{table.file}:{table.sheet}:{row}:{get_column_letter(col + 1)}"


def parse_table(table: Table, mapping: Mapping, department: str, old: dict[str, dict] | None = None) -> ImportResult:
    result = ImportResult()
    old = old or {}
    known = mapping.by_header()
    positions: dict[int, Column] = {}
    department_col = None
    for i, name in enumerate(table.header):
        name = "" if name is None else str(name).strip()
        if not name:
            continue
        if name == mapping.department_column:
            department_col = i
        elif name in known and known[name] not in positions.values():
            positions[i] = known[name]
        else:
            reason = "重复的列" if name in known else "不认识的列"
            result.problems.append(f"{_where(table, 1, i)}: error: {reason}“{name}”：请对照 columns.yaml 中的列名")
    present = {c.key for c in positions.values()}
    for key, info in mapping.model.model_fields.items():
        column = next((c for c in mapping.columns if c.key == key), None)
        if info.is_required() and column is not None and key not in present:
            result.problems.append(f"{table.file}:{table.sheet}:1:A: error: 缺少必填列“{column.header}”")
    if result.problems:
        return result

    seen: dict[str, int] = {}
    for number, row in table.rows:
        if all(v is None or (isinstance(v, str) and not v.strip()) for v, _ in row):
            continue
        data: dict[str, Any] = {}
        refused = False
        if department_col is not None and department_col < len(row):
            value = row[department_col][0]
            if value not in (None, "") and str(value).strip() != department:
                result.problems.append(f"{_where(table, number, department_col)}: error: 部门标识“{value}”与 --department {department} 不一致")
                refused = True
        for i, column in positions.items():
            value, data_type = row[i] if i < len(row) else (None, None)
            try:
                decoded = cells.decode(column, value, data_type)
            except CellError as exc:
                result.problems.append(f"{_where(table, number, i)}: error: {column.header}：{exc}")
                refused = True
                continue
            if decoded is not None:
                _set(data, column.path, decoded)
        if refused:
            seen.setdefault(str(data.get("id")), number)
            continue
        record = _validate_row(table, mapping, result, positions, number, data, old)
        if record is None:
            continue
        id_col = next(i for i, c in positions.items() if c.key == "id")
        if record.id in seen:
            result.problems.append(f"{_where(table, number, id_col)}: error: 事项标识 {record.id} 与第 {seen[record.id]} 行重复")
            continue
        seen[record.id] = number
        result.id_cells[record.id] = _where(table, number, id_col)
        result.records.append(record)
    return result


def _validate_row(table: Table, mapping: Mapping, result: ImportResult, positions: dict[int, Column],
                  number: int, data: dict, old: dict[str, dict]) -> BaseModel | None:
    """The row merged over the record it updates (columns absent from the sheet keep their
    values), then checked against the model; emptied cells are noted for the summary."""
    previous = old.get(data.get("id")) if isinstance(data.get("id"), str) else None
    if previous is not None:
        merged = copy.deepcopy(previous)
        for i, column in positions.items():
            new = _get(data, column.path)
            if new is None and _get(previous, column.path) is not None:
                result.emptied.append(f"{_where(table, number, i)}: 清空“{column.header}”（{previous['id']} {previous.get('name', '')}）")
            _set(merged, column.path, new)
        data = merged
    try:
        return mapping.model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            result.problems.append(_model_problem(table, number, positions, mapping, error))
        return None


def _get(data: dict, path: tuple[str, ...]) -> Any:
    for step in path:
        data = data.get(step) if isinstance(data, dict) else None
    return data


def _set(data: dict, path: tuple[str, ...], value: Any) -> None:
    """Set (or, for None, remove) the value at `path`; an object left empty goes too."""
    if len(path) > 1:
        inner = data.get(path[0])
        inner = dict(inner) if isinstance(inner, dict) else {}
        _set(inner, path[1:], value)
        if inner:
            data[path[0]] = inner
        else:
            data.pop(path[0], None)
    elif value is None:
        data.pop(path[0], None)
    else:
        data[path[0]] = value


def _model_problem(table: Table, number: int, positions: dict[int, Column], mapping: Mapping, error: dict) -> str:
    loc = tuple(s for s in error["loc"] if not (isinstance(s, str) and (s.startswith("function-") or "[" in s)))
    names = [s for s in loc if isinstance(s, str)]
    best, best_len = None, -1
    for i, column in positions.items():
        n = len(column.path)
        if tuple(names[:n]) == column.path[:n] and n > best_len:
            best, best_len = i, n
        elif best is None and names and column.path[0] == names[0]:
            best = i
    column = positions.get(best) if best is not None else None
    item = next((f"第 {s + 1} 项：" for s in loc[1:2] if isinstance(s, int)), "")
    message = message_for(mapping.model, {**error, "loc": loc})
    where = _where(table, number, best) if best is not None else f"{table.file}:{table.sheet}:{number}:A"
    return f"{where}: error: {column.header + '：' if column else ''}{item}{message}"


def import_file(path: Path, department: str, content_root: Path, *, allow_delete: bool = False,
                columns_file: Path | None = None, sheet: str | None = None) -> ImportResult:
    """Read the sheet and check everything; the new text of content/powers/<department>.yaml is
    in the result, written by `write_result`."""
    mapping = load_mapping("powers", columns_file)
    _check_department(content_root, department)
    target = content_root / mapping.kind / f"{department}.yaml"
    old_seq, old_plain = _existing(target)
    old = {item["id"]: item for item in old_plain if isinstance(item.get("id"), str)}
    result = parse_table(read_table(path, sheet), mapping, department, old)
    others = _ids_elsewhere(content_root / mapping.kind, target)
    for record in result.records:
        if record.id in others:
            result.problems.append(
                f"{result.id_cells[record.id]}: error: 事项标识 {record.id} 已在 {others[record.id]} 中使用，事项标识须全站唯一")
    if result.problems:
        result.records = []
        return result

    new_ids = {r.id for r in result.records}
    result.deleted = [(item.get("id"), item.get("name", "")) for item in old_plain if item.get("id") not in new_ids]
    if result.deleted and not allow_delete and (len(result.deleted) > DELETE_LIMIT or len(result.deleted) > 0.1 * len(old_plain)):
        result.needs_allow_delete = True
        return result
    names = dict(result.deleted)
    for rid, places in referrers(content_root, mapping.kind, set(names)).items():
        result.referenced.append(f"  {rid} {names[rid]}：{'、'.join(places)} 引用了它")
    if result.referenced:
        return result

    by_id = {item.get("id"): (i, item) for i, item in enumerate(old_plain)}
    seq = CommentedSeq()
    for record in result.records:
        data = record.model_dump(mode="json", exclude_none=True)
        if record.id in by_id and by_id[record.id][1] == data:
            seq.append(canonicalize(old_seq[by_id[record.id][0]], mapping.model))
            result.unchanged += 1
            continue
        result.changed += record.id in by_id
        result.added += record.id not in by_id
        seq.append(canonicalize(_commented(data), mapping.model))
    if old_seq is not None:
        seq.ca.comment = old_seq.ca.comment
    result.target, result.text = target, dump(seq)
    return result


def write_result(result: ImportResult) -> None:
    """Write what `import_file` planned (after its summary has been shown)."""
    result.target.parent.mkdir(parents=True, exist_ok=True)
    result.target.write_text(result.text, "utf-8")


def _commented(value: Any) -> Any:
    if isinstance(value, dict):
        return CommentedMap((k, _commented(v)) for k, v in value.items())
    if isinstance(value, list):
        return CommentedSeq(_commented(v) for v in value)
    return value


def _check_department(content_root: Path, department: str) -> None:
    registry = content_root / "departments.yaml"
    loaded = load_file(registry, str(registry)) if registry.is_file() else None
    ids = [d.get("id") for d in loaded.data or [] if isinstance(d, dict)] if loaded and isinstance(loaded.data, list) else []
    if department not in ids:
        raise UsageError(f"部门“{department}”不在 {registry} 中：请先登记部门，或检查 --department 的拼写")


def _ids_elsewhere(folder: Path, target: Path) -> dict[str, str]:
    ids: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.resolve() == target.resolve():
            continue
        loaded = load_file(path, path.name)
        for item in loaded.data if isinstance(loaded.data, list) else []:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                ids[item["id"]] = path.name
    return ids


def _existing(target: Path) -> tuple[CommentedSeq | None, list[dict]]:
    if not target.is_file():
        return None, []
    loaded = load_file(target, str(target))
    if loaded.problems or not isinstance(loaded.data, list):
        raise UsageError(f"{target} 现有内容有错误，请先运行 python -m generator validate 并修正后再导入")
    seq = yaml_rt().load(loaded.text)
    return seq, [item if isinstance(item, dict) else {} for item in loaded.data]


def run_import(path: Path, department: str, content_root: Path, allow_delete: bool,
               columns_file: Path | None, sheet: str | None) -> int:
    """The `import` command: 0 imported, 1 rows refused or deletions not allowed, 2 usage error."""
    import sys

    if not path.is_file():
        print(f"错误：找不到文件 {path}", file=sys.stderr)
        return 2
    try:
        result = import_file(path, department, content_root, allow_delete=allow_delete, columns_file=columns_file, sheet=sheet)
    except UsageError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    for line in result.problems:
        print(line)
    if result.problems:
        print(f"未导入：{len(result.problems)} 个问题，请修正表格后重新导入（内容文件没有改动）", file=sys.stderr)
        return 1
    if result.referenced:
        print("未导入：下列事项仍被引用，不能删除（内容文件没有改动）：\n" + "\n".join(result.referenced) + "\n"
              "请先修改引用它们的记录；已取消、已下放的事项请把状态改为“已取消”“已下放”，不要删除", file=sys.stderr)
        return 1
    for line in result.emptied:
        print(line, file=sys.stderr)
    gone = "\n".join(f"  {rid} {name}" for rid, name in result.deleted)
    if result.needs_allow_delete:
        print(f"未导入：表格中没有下列 {len(result.deleted)} 条现有事项，导入将删除它们：\n{gone}\n"
              "如确需删除，请加 --allow-delete 重新运行；如是漏了行，请补全表格（内容文件没有改动）", file=sys.stderr)
        return 1
    write_result(result)
    if result.deleted:
        print(f"已删除表格中没有的 {len(result.deleted)} 条事项：\n{gone}", file=sys.stderr)
    print(f"已导入 {len(result.records)} 条事项到 {content_root / 'powers' / (department + '.yaml')}："
          f"新增 {result.added}，修改 {result.changed}，未变 {result.unchanged}，删除 {len(result.deleted)}", file=sys.stderr)
    return 0


def run_export(kind: str, out: Path, content_root: Path, department: str | None,
               columns_file: Path | None, style: str = "text") -> int:
    """The `export` command: 0 written, 1 content has errors, 2 usage error."""
    import sys

    try:
        count, problems = export_file(kind, out, content_root, department=department, columns_file=columns_file)
    except UsageError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    for problem in problems:
        print(problem.format(style))
    if problems:
        print(f"未导出：内容有 {len(problems)} 个错误，请先修正", file=sys.stderr)
        return 1
    print(f"已导出 {count} 条到 {out}", file=sys.stderr)
    return 0
