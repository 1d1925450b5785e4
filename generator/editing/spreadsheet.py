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
import shutil
import sys
import tempfile
from pathlib import Path

from generator.content.advice import department_advice
from generator.editing import exporting, targets
from generator.editing.headers import Layout, find_header, layout_for, where
from generator.editing.plan import Outcome
from generator.editing.referrers import referrers
from generator.editing.rows import SheetRow, read_rows
from generator.editing.sheets import Grid, read_grids
from generator.editing.workbook import UsageError
from generator.kinds import KINDS

INSTRUCTIONS = "填写说明"


# --- import ---------------------------------------------------------------------------

def _department_ids(layout: Layout, row: SheetRow, registry: list[targets.Dept]) -> None:
    """A department written by its full or short name becomes its id (the content model's rule);
    where the record already holds the name as written, it stays (see plan.merge_units)."""
    for key in layout.spec.departments:
        value = row.values.get(key)
        row.as_written[key] = value
        if isinstance(value, str):
            found = targets.dept_named(registry, value)
            row.values[key] = found.id if found else value
        elif isinstance(value, list):
            row.values[key] = [(targets.dept_named(registry, v) or targets.Dept(v, "", "")).id if isinstance(v, str) else v for v in value]


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
    registry = targets.read_registry(content_root)
    if department is not None and department not in {d.id for d in registry}:
        raise UsageError(department_advice(department, [(d.id, d.name, d.short_name) for d in registry]))
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
                                    + "或".join(f"“{c.header}”" for c in identity if c is not None) + "列")
    if layout.by_files:
        targets.by_department(layout, rows, content_root, registry, department, allow_delete, outcome)
    elif layout.spec.rows:
        targets.grouped(layout, rows, content_root, allow_delete, outcome)
    else:
        targets.one_per_file(layout, rows, content_root, allow_delete, outcome)
    outcome.problems.sort(key=_position)
    bad = {line.split(": error")[0].rsplit(":", 1)[0] for line in outcome.problems}
    for change in outcome.changes:
        change.refused = len(bad.intersection(change.rows))
    if not outcome.problems and outcome.writes:
        outcome.problems += _after_problems(content_root, outcome)
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


def _after_problems(content_root: Path, outcome: Outcome) -> list[str]:
    """Problems the content would have once written (references, ids across files…), in the
    files the import writes: checked on a copy, so that the next `validate` passes."""
    from generator.cli import shanghai_today
    from generator.content.tree import display_path, repository_root
    from generator.pipeline import check

    root = content_root.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "content"
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".*"))
        staged = {}
        for path, text in outcome.writes.items():
            target = copy / path.resolve().relative_to(root)
            staged[str(target)] = path
            if text is None:
                target.unlink()
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, "utf-8")
        content, _ = check(copy, shanghai_today())
        lines = []
        base = repository_root(copy) or Path.cwd()  # problem paths are printed relative to it
        for problem in content.errors():
            written = staged.get(str((base / problem.file).resolve()))
            if written is not None:
                lines.append(f"{outcome.sources.get(written, written.name)}: error: 导入后 {display_path(written)}:{problem.line}:{problem.column} "
                             f"有错误：{problem.message}")
        return lines


def write_outcome(outcome: Outcome) -> None:
    for path, text in outcome.writes.items():
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, "utf-8")


def _rel(path: Path) -> str:
    from generator.content.tree import display_path

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
        count, problems = exporting.export_file(kind, out, content_root, department=department, columns_file=columns_file)
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
