"""Where the rows of a sheet go, and what each file will hold once they are merged in.

Three layouts, told by the kind's declaration: a file per department holding a list of
records (powers); a file per record (policies, events); a file per record whose list
items are the rows (board issues and their entries, measure lists and their items).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from generator.editing.fmt import canonicalize, dump, yaml_rt
from generator.editing.headers import DEPARTMENT, Layout
from generator.editing.plan import FileChange, Outcome, merge_units, put, report, validate_units
from generator.editing.rows import SheetRow
from generator.editing.workbook import UsageError
from generator.content.load import load_file


@dataclass(frozen=True)
class Dept:
    id: str
    name: str
    short_name: str


def read_registry(content_root: Path) -> list[Dept]:
    path = content_root / "departments.yaml"
    loaded = load_file(path, str(path)) if path.is_file() else None
    items = loaded.data if loaded and isinstance(loaded.data, list) else []
    return [Dept(d["id"], str(d.get("name", "")), str(d.get("short_name") or "")) for d in items
            if isinstance(d, dict) and isinstance(d.get("id"), str)]


def dept_named(registry: list[Dept], text: str, contained: bool = False) -> Dept | None:
    text = re.sub(r"\s", "", text)
    for d in registry:
        if text in (d.id, d.name, d.short_name) and text:
            return d
    if contained:
        found = [(len(n), d) for d in registry for n in (d.name, d.short_name) if n and n in text]
        if found:
            return max(found, key=lambda x: x[0])[1]
    return None


def _label(data: dict) -> str:
    name = next((data[k] for k in ("name", "title", "subject", "text") if isinstance(data.get(k), str)), "")
    return f"{data.get('id', '')} {name[:30]}".strip()


def _old_list(path: Path) -> tuple[Any, Any]:
    """(round-trip node, plain data) of a content file: a list, or one record; (None, []) when absent."""
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


def by_department(layout: Layout, rows, content_root: Path, registry, department, allow_delete, outcome: Outcome) -> None:
    groups: dict[str, list[SheetRow]] = {}
    for row, grid in rows:
        cell = row.values.get(DEPARTMENT)
        named = dept_named(registry, str(cell)) if cell else None
        if cell and named is None:
            outcome.problems.append(f"{row.at(DEPARTMENT)}: error: {row.headers[DEPARTMENT]}：“{cell}”不在部门登记册中：请填写部门标识、全称或简称")
            continue
        if named and department and named.id != department:
            outcome.problems.append(f"{row.at(DEPARTMENT)}: error: 部门标识“{cell}”与 --department {department} 不一致")
            continue
        dept = named.id if named else department
        if dept is None:
            found = dept_named(registry, grid.sheet) or dept_named(registry, " ".join(row.titles()), contained=True)
            dept = found.id if found else None
        if dept is None:
            outcome.problems.append(f"{row.at()}: error: 无法确定这一行属于哪个部门：请用 --department 指定，"
                                    "或把工作表命名为部门全称或简称，或增加“部门标识”列")
            continue
        groups.setdefault(dept, []).append(row)
    folder = content_root / layout.kind.name
    names = {d.id: d.name for d in registry}
    everywhere = _ids_in(folder, set())  # read once: a city's workbook touches every file
    for dept, group in groups.items():
        target = folder / f"{dept}.yaml"
        old_seq, old_units = _old_list(target)
        elsewhere = {i: f for i, f in everywhere.items() if f != target.name}
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
            updated = new_by_old.get(id(old))
            if updated is None:
                if allow_delete:
                    change.removed.append((old.get("id"), old.get("name", "")))
                else:
                    change.kept.append(_label(old))
                    seq.append(old_seq[i])
            elif updated.data == old:
                seq.append(canonicalize(old_seq[i], layout.kind.model))
            else:
                seq.append(canonicalize(_commented(updated.data), layout.kind.model))
        for unit in units:
            if unit.old is None:
                seq.append(canonicalize(_commented(unit.data), layout.kind.model))
        if old_seq is not None:
            seq.ca.comment = old_seq.ca.comment
        outcome.changes.append(change)
        if change.added or change.changed or change.removed:
            outcome.writes[target] = dump(seq)
            outcome.sources[target] = next((u.row.at() for u in units if u.old is None or u.data != u.old), group[0].at())


def one_per_file(layout: Layout, rows, content_root: Path, allow_delete, outcome: Outcome) -> None:
    folder = content_root / layout.kind.name
    olds = {}
    for path in sorted(folder.glob("*.yaml")):
        olds[path] = _old_list(path)
    old_units = [data for _, data in olds.values() if isinstance(data, dict)]
    problems: list[str] = []
    units = merge_units(layout, [r for r, _ in rows], old_units, layout.spec.id_prefix or layout.kind.name, set(_ids_in(folder, set())), "", problems)
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
    path_of = {id(data): path for path, (_, data) in olds.items()}
    for unit in units:
        if unit.old is None or unit.data != unit.old:
            path = path_of.get(id(unit.old), folder / f"{unit.data['id']}.yaml")
            outcome.writes[path] = _one_text(layout, unit.data, olds.get(path, (None, None))[0])
            outcome.sources[path] = unit.row.at()
    outcome.changes.append(change)


def _one_text(layout: Layout, data: dict, node: Any) -> str:
    new = canonicalize(_commented(data), layout.kind.model)
    if isinstance(node, CommentedMap):
        new.ca.comment = node.ca.comment
    return dump(new)


def grouped(layout: Layout, rows, content_root: Path, allow_delete, outcome: Outcome) -> None:
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
            rid = next((titles[t] for t in (grid.sheet, *row.titles()) if t in titles), None)
        if not rid:
            id_column = layout.column("id")
            assert id_column is not None  # each kind's SHEET_COLUMNS has its "id"
            outcome.problems.append(f"{row.at()}: error: 不知道这一行属于哪一{layout.kind.label}："
                                    f"请填写“{id_column.header}”列，或把工作表命名为它的标识")
            continue
        groups.setdefault(rid, []).append(row)
    for rid, group in groups.items():
        path = folder / f"{rid}.yaml"
        node, old = _old_list(path)
        old = old if isinstance(old, dict) else None
        problems: list[str] = []
        record: dict[str, Any] = dict(old or {"id": rid})
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
            outcome.sources[path] = group[0].at()
            if old is None:
                change.added.insert(0, f"{group[0].at()}: 新建{layout.kind.label} {rid}")


def _commented(value: Any) -> Any:
    if isinstance(value, dict):
        return CommentedMap((k, _commented(v)) for k, v in value.items())
    if isinstance(value, list):
        return CommentedSeq(_commented(v) for v in value)
    return value


