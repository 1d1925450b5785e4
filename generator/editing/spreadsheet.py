"""`import` and `export`: records of any kind to and from .xlsx / .xls / .csv.

Columns come from each kind's module (`SHEET_COLUMNS`, see generator/kinds/sheet.py);
sheets are read by `sheets`, their header rows found by `headers`, cells decoded by
`cells` and `freetext`, rows turned into records by `rows`, merged into the content by
`plan`, and every change described by `diff` before anything is written. Import is all
or nothing: any refused cell stops it with a report line per problem
(`FILE:SHEET:ROW:COLUMN: error: …`) and nothing is written.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.editing import cells
from generator.editing.fmt import canonicalize, dump, yaml_rt
from generator.editing.headers import DEPARTMENT, Layout, find_header, layout_for, where
from generator.editing.plan import FileChange, Unit, get, merge_units, put, report, validate_units
from generator.editing.referrers import referrers
from generator.editing.rows import SheetRow, read_rows
from generator.editing.sheets import Grid, read_grids
from generator.editing.workbook import UsageError, write_table
from generator.kinds import KINDS
from generator.load import load_file
from ruamel.yaml.comments import CommentedMap, CommentedSeq

INSTRUCTIONS = "填写说明"


# --- export ---------------------------------------------------------------------------

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
    from generator.content import load_content

    layout = layout_for(kind, columns_file)
    content = load_content(content_root)
    folder = (content_root / kind).resolve()
    errors = [p for p in content.errors() if folder in Path(p.file).resolve().parents]
    if errors:  # a record with an error is not loaded: exporting without it would lose it
        return 0, errors
    if department is not None and department not in {d.id for d, _ in content.departments}:
        raise UsageError(f"部门“{department}”不在部门登记册中")
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


# --- import ---------------------------------------------------------------------------

@dataclass
class Outcome:
    kind: str = ""
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    changes: list[FileChange] = field(default_factory=list)
    referenced: list[str] = field(default_factory=list)
    writes: dict[Path, Any] = field(default_factory=dict)  # path -> new text (None: remove the file)


@dataclass(frozen=True)
class Dept:
    id: str
    name: str
    short_name: str


def _registry(content_root: Path) -> list[Dept]:
    path = content_root / "departments.yaml"
    loaded = load_file(path, str(path)) if path.is_file() else None
    items = loaded.data if loaded and isinstance(loaded.data, list) else []
    return [Dept(d["id"], str(d.get("name", "")), str(d.get("short_name") or "")) for d in items
            if isinstance(d, dict) and isinstance(d.get("id"), str)]


def _dept_named(registry: list[Dept], text: str, contained: bool = False) -> Dept | None:
    text = re.sub(r"\s", "", text)
    for d in registry:
        if text in (d.id, d.name, d.short_name) and text:
            return d
    if contained:
        found = [(len(n), d) for d in registry for n in (d.name, d.short_name) if n and n in text]
        if found:
            return max(found, key=lambda x: x[0])[1]
    return None


def _department_ids(layout: Layout, row: SheetRow, registry: list[Dept]) -> None:
    """A department written by its full or short name becomes its id (the content model's rule)."""
    for key in layout.spec.departments:
        value = row.values.get(key)
        if isinstance(value, str):
            found = _dept_named(registry, value)
            row.values[key] = found.id if found else value
        elif isinstance(value, list):
            row.values[key] = [(_dept_named(registry, v) or Dept(v, "", "")).id if isinstance(v, str) else v for v in value]


def _guess_kind(grids: list[Grid]) -> str:
    best, best_count = "powers", 0
    for name in KINDS:
        layout = layout_for(name)
        for grid in grids:
            header = find_header(grid, layout)
            if header is not None and len(header.columns) > best_count:
                best, best_count = name, len(header.columns)
    return best


def import_workbook(path: Path, content_root: Path, *, kind: str | None = None, department: str | None = None,
                    sheet: str | None = None, columns_file: Path | None = None, allow_delete: bool = False) -> Outcome:
    """Read every sheet, merge it into the content and check everything; `Outcome.writes`
    holds the new text of each file, written by `write_outcome` after the summary is shown."""
    grids = [g for g in read_grids(path, sheet) if sheet or g.sheet != INSTRUCTIONS]
    kind = kind or _guess_kind(grids)
    layout = layout_for(kind, columns_file)
    registry = _registry(content_root)
    if department is not None and department not in {d.id for d in registry}:
        raise UsageError(f"部门“{department}”不在 {content_root / 'departments.yaml'} 中：请先登记部门，或检查 --department 的拼写")
    outcome = Outcome(kind)
    rows: list[tuple[SheetRow, Grid]] = []
    for grid in grids:
        header = find_header(grid, layout)
        if header is None:
            outcome.notes.append(f"{grid.file}:{grid.sheet}:1:A: 没有找到{KINDS[kind].label}的表头，已跳过这个工作表")
            continue
        read = read_rows(grid, header, layout)
        outcome.problems += read.problems
        outcome.notes += read.notes
        for row in read.rows:
            _department_ids(layout, row, registry)
        rows += [(r, grid) for r in read.rows]
        prefix = layout.spec.rows + "." if layout.spec.rows else ""
        identity = [layout.column(prefix + k) for k in ("id", *layout.spec.match)]
        if not any(c in identity for c in header.columns.values()):
            outcome.problems.append(f"{where(grid, header.row, 0)}: error: 缺少标识列：请至少有"
                                    + "或".join(f"“{c.header}”" for c in identity) + "列")
    if layout.by_files:
        _powers_like(layout, rows, content_root, registry, department, allow_delete, outcome)
    elif layout.spec.rows:
        _grouped(layout, rows, content_root, allow_delete, outcome)
    else:
        _one_per_file(layout, rows, content_root, allow_delete, outcome)
    outcome.problems.sort(key=_position)
    bad = {line.split(": error")[0].rsplit(":", 1)[0] for line in outcome.problems}
    for change in outcome.changes:
        change.refused = len(bad.intersection(change.rows))
    removed = {rid: name for change in outcome.changes for rid, name in change.removed}
    for rid, places in referrers(content_root, kind, set(removed)).items() if not outcome.problems else ():
        outcome.referenced.append(f"  {rid} {removed[rid]}：{'、'.join(places)} 引用了它")
    return outcome


def _position(line: str) -> tuple:
    """Sort key of a report line: its sheet, then row and column; lines keep their order otherwise."""
    match = re.match(r"(.*?):(\d+):([A-Z]+): ", line)
    if not match:
        return (line, 0, 0, "")
    return (match.group(1), int(match.group(2)), len(match.group(3)), match.group(3))


def _label(data: dict) -> str:
    name = next((data[k] for k in ("name", "title", "subject", "text") if isinstance(data.get(k), str)), "")
    return f"{data.get('id', '')} {name[:30]}".strip()


def _old_list(path: Path) -> tuple[Any, list[dict]]:
    if not path.is_file():
        return None, []
    loaded = load_file(path, str(path))
    if loaded.problems or loaded.data is None:
        raise UsageError(f"{path} 现有内容有错误，请先运行 python -m generator validate 并修正后再导入")
    return yaml_rt().load(loaded.text), loaded.data


def _ids_in(folder: Path, skip: set[Path], sub: str = "") -> dict[str, str]:
    """Lower-cased ids of the records (or their `sub` items) in the folder's other files -> file name."""
    taken: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        if path in skip:
            continue
        data = load_file(path, path.name).data
        items = data if isinstance(data, list) else [data]
        for item in items:
            if isinstance(item, dict):
                for unit in (item.get(sub) or []) if sub else [item]:
                    if isinstance(unit, dict) and isinstance(unit.get("id"), str):
                        taken[unit["id"].lower()] = path.name
    return taken


def _powers_like(layout: Layout, rows, content_root: Path, registry, department, allow_delete, outcome: Outcome) -> None:
    groups: dict[str, list[SheetRow]] = {}
    for row, grid in rows:
        cell = row.values.get(DEPARTMENT)
        named = _dept_named(registry, str(cell)) if cell else None
        if cell and named is None:
            outcome.problems.append(f"{row.at(DEPARTMENT)}: error: {row.headers[DEPARTMENT]}：“{cell}”不在部门登记册中：请填写部门标识、全称或简称")
            continue
        if named and department and named.id != department:
            outcome.problems.append(f"{row.at(DEPARTMENT)}: error: 部门标识“{cell}”与 --department {department} 不一致")
            continue
        dept = named.id if named else department
        if dept is None:
            titles = " ".join(str(v) for line in grid.cells[:row.number] for v, _ in line if isinstance(v, str))
            found = _dept_named(registry, grid.sheet) or _dept_named(registry, titles, contained=True)
            dept = found.id if found else None
        if dept is None:
            outcome.problems.append(f"{row.at()}: error: 无法确定这一行属于哪个部门：请用 --department 指定，"
                                    "或把工作表命名为部门全称或简称，或增加“部门标识”列")
            continue
        groups.setdefault(dept, []).append(row)
    folder = content_root / layout.kind.name
    names = {d.id: d.name for d in registry}
    for dept, group in groups.items():
        target = folder / f"{dept}.yaml"
        old_seq, old_units = _old_list(target)
        elsewhere = _ids_in(folder, {target})
        problems: list[str] = []
        units = merge_units(layout, group, old_units, dept, set(elsewhere), "", problems)
        for unit in units:
            if validate_units(layout, layout.kind.model, unit.data, [unit], None, problems) is None:
                continue
            if unit.data["id"].lower() in elsewhere:
                problems.append(f"{unit.row.at('id')}: error: 事项标识 {unit.data['id']} 已在 {elsewhere[unit.data['id'].lower()]} 中使用，"
                                "事项标识须全站唯一")
        change = FileChange(target, f"{dept} {names.get(dept, '')}", rows=[r.at().rsplit(":", 1)[0] for r in group])
        outcome.problems += problems
        report(layout, change, units, _label)
        new_by_old = {id(u.old): u for u in units if u.old is not None}
        seq = CommentedSeq()
        for i, old in enumerate(old_units):
            unit = new_by_old.get(id(old))
            if unit is None:
                if allow_delete:
                    change.removed.append((old.get("id"), old.get("name", "")))
                else:
                    change.kept.append(_label(old))
                    seq.append(old_seq[i])
            elif unit.data == old:
                seq.append(canonicalize(old_seq[i], layout.kind.model))
            else:
                seq.append(canonicalize(_commented(unit.data), layout.kind.model))
        for unit in units:
            if unit.old is None:
                seq.append(canonicalize(_commented(unit.data), layout.kind.model))
        if old_seq is not None:
            seq.ca.comment = old_seq.ca.comment
        outcome.changes.append(change)
        if change.added or change.changed or change.removed:
            outcome.writes[target] = dump(seq)


def _one_per_file(layout: Layout, rows, content_root: Path, allow_delete, outcome: Outcome) -> None:
    folder = content_root / layout.kind.name
    olds = {}
    for path in sorted(folder.glob("*.yaml")):
        olds[path] = _old_list(path)
    old_units = [data for _, data in olds.values() if isinstance(data, dict)]
    problems: list[str] = []
    units = merge_units(layout, [r for r, _ in rows], old_units, "policy", set(_ids_in(folder, set())), "", problems)
    for unit in units:
        validate_units(layout, layout.kind.model, unit.data, [unit], None, problems)
    outcome.problems += problems
    change = FileChange(folder, layout.kind.label, rows=[r.at().rsplit(":", 1)[0] for r, _ in rows])
    report(layout, change, units, _label)
    listed = {id(u.old) for u in units}
    for path, (node, data) in olds.items():
        if id(data) not in listed:
            if allow_delete:
                change.removed.append((data.get("id"), data.get("title", "")))
                outcome.writes[path] = None
            else:
                change.kept.append(_label(data))
    for unit in units:
        if unit.old is None or unit.data != unit.old:
            path = folder / f"{unit.data['id']}.yaml"
            node = olds.get(path, (None, None))[0]
            outcome.writes[path] = _one_text(layout, unit.data, node)
    outcome.changes.append(change)


def _one_text(layout: Layout, data: dict, node: Any) -> str:
    new = canonicalize(_commented(data), layout.kind.model)
    if isinstance(node, CommentedMap):
        new.ca.comment = node.ca.comment
    return dump(new)


def _grouped(layout: Layout, rows, content_root: Path, allow_delete, outcome: Outcome) -> None:
    """Kinds whose rows are list items (board entries, measure items), grouped by record."""
    spec = layout.spec
    folder = content_root / layout.kind.name
    groups: dict[str, list[SheetRow]] = {}
    titles = {}
    for path in sorted(folder.glob("*.yaml")):
        data = load_file(path, path.name).data
        if isinstance(data, dict) and isinstance(data.get("title"), str):
            titles[data["title"]] = path.stem
    for row, grid in rows:
        rid = row.values.get("id") or (grid.sheet if re.fullmatch(r"[A-Za-z0-9-]+", grid.sheet) else None)
        if not rid:  # the sheet, or a title row above the table, names an existing record
            above = [str(v).strip() for line in grid.cells[:row.number] for v, _ in line if isinstance(v, str)]
            rid = next((titles[t] for t in (grid.sheet, *above) if t in titles), None)
        if not rid:
            outcome.problems.append(f"{row.at()}: error: 不知道这一行属于哪一{layout.kind.label}："
                                    f"请填写“{layout.column('id').header}”列，或把工作表命名为它的标识")
            continue
        groups.setdefault(rid, []).append(row)
    for rid, group in groups.items():
        path = folder / f"{rid}.yaml"
        node, old = _old_list(path)
        old = old if isinstance(old, dict) else None
        problems: list[str] = []
        record = dict(old or {"id": rid})
        for column in layout.columns:
            if column.info is None or column.key.startswith(spec.rows + ".") or column.key == "id":
                continue
            given = [(r, r.values[column.key]) for r in group if column.key in r.values]
            filled = [(r, v) for r, v in given if v is not None]
            if filled and any(v != filled[0][1] for _, v in filled):
                r, v = next((r, v) for r, v in filled if v != filled[0][1])
                problems.append(f"{r.at(column.key)}: error: {r.header(column.key, column)}：同一{layout.kind.label}的各行应相同，"
                                f"第 {filled[0][0].number + 1} 行为“{filled[0][1]}”")
            if given:
                put(record, column.path, filled[0][1] if filled else None)
        old_units = list((old or {}).get(spec.rows) or [])
        taken = set(_ids_in(folder, {path}, spec.rows))
        units = merge_units(layout, group, old_units, rid, taken, spec.rows, problems)
        change = FileChange(path, f"{rid} {record.get('title', '')}", rows=[r.at().rsplit(":", 1)[0] for r in group])
        by_old = {id(u.old): u for u in units if u.old is not None}
        items = []
        for item in old_units:
            if id(item) in by_old:
                items.append(by_old[id(item)].data)
            elif allow_delete:
                change.removed.append((item.get("id"), _label(item).split(" ", 1)[-1]))
            else:
                change.kept.append(_label(item))
                items.append(item)
        items += [u.data for u in units if u.old is None]
        record[spec.rows] = items
        ordered = [next(u for u in units if u.data is it) if any(u.data is it for u in units) else None for it in items]
        validate_units(layout, layout.kind.model, record, ordered, spec.rows, problems)
        outcome.problems += problems
        report(layout, change, units, _label)
        outcome.changes.append(change)
        if record != old:
            outcome.writes[path] = _one_text(layout, record, node)
            if old is None:
                change.added.insert(0, f"{group[0].at()}: 新建{layout.kind.label} {rid}")


def _commented(value: Any) -> Any:
    if isinstance(value, dict):
        return CommentedMap((k, _commented(v)) for k, v in value.items())
    if isinstance(value, list):
        return CommentedSeq(_commented(v) for v in value)
    return value


def write_outcome(outcome: Outcome) -> None:
    for path, text in outcome.writes.items():
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, "utf-8")


def _rel(path: Path) -> str:
    from generator.content import display_path

    return display_path(path)


def run_import(path: Path, content_root: Path, *, kind: str | None = None, department: str | None = None,
               allow_delete: bool = False, columns_file: Path | None = None, sheet: str | None = None,
               dry_run: bool = False) -> int:
    """The `import` command: 0 imported (or checked, with --dry-run), 1 refused, 2 usage error."""
    if not path.is_file():
        print(f"错误：找不到文件 {path}", file=sys.stderr)
        return 2
    try:
        outcome = import_workbook(path, content_root, kind=kind, department=department, sheet=sheet,
                                  columns_file=columns_file, allow_delete=allow_delete)
    except UsageError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    for line in outcome.notes:
        print(line, file=sys.stderr)
    for line in outcome.problems:
        print(line)
    if outcome.problems:
        for change in outcome.changes:
            if change.refused:
                print(f"{change.label}：拒绝 {change.refused} 行", file=sys.stderr)
        print(f"未导入：{len(outcome.problems)} 个问题，请修正表格后重新导入（内容文件没有改动）", file=sys.stderr)
        return 1
    if outcome.referenced:
        print(f"未导入：下列{KINDS[outcome.kind].label}仍被引用，不能删除（内容文件没有改动）：\n" + "\n".join(outcome.referenced) + "\n"
              "请先修改引用它们的记录；已取消、已下放的事项请把状态改为“已取消”“已下放”，不要删除", file=sys.stderr)
        return 1
    label = KINDS[outcome.kind].label
    for change in outcome.changes:
        for line in change.added + change.changed:
            print(line, file=sys.stderr)
        if change.kept:
            print(f"表格中没有下列 {len(change.kept)} 条现有{label}，保持不变（确需删除请加 --allow-delete）：\n"
                  + "\n".join(f"  {x}" for x in change.kept), file=sys.stderr)
        if change.removed:
            print(f"{'将' if dry_run else '已'}删除表格中没有的 {len(change.removed)} 条{label}：\n"
                  + "\n".join(f"  {rid} {name}" for rid, name in change.removed), file=sys.stderr)
    if not dry_run:
        write_outcome(outcome)
    verb = "试导入（--dry-run，未写入任何文件）" if dry_run else "已导入"
    for change in outcome.changes:
        total = len(change.added) + len(change.changed) + change.unchanged
        print(f"{verb} {total} 条{label}到 {_rel(change.path)}：新增 {len(change.added)}，修改 {len(change.changed)}，"
              f"未变 {change.unchanged}，删除 {len(change.removed)}" + (f"，表格中没有（保留）{len(change.kept)}" if change.kept else ""),
              file=sys.stderr)
    if len(outcome.changes) > 1:
        print(f"合计 {len(outcome.changes)} 个文件：新增 {sum(len(c.added) for c in outcome.changes)}，"
              f"修改 {sum(len(c.changed) for c in outcome.changes)}，未变 {sum(c.unchanged for c in outcome.changes)}，"
              f"删除 {sum(len(c.removed) for c in outcome.changes)}，拒绝 0", file=sys.stderr)
    return 0


def run_export(kind: str, out: Path, content_root: Path, department: str | None,
               columns_file: Path | None, style: str = "text") -> int:
    """The `export` command: 0 written, 1 content has errors, 2 usage error."""
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
