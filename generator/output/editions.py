"""Edition comparison: the powers added, removed and changed between two git refs, per department.

    python -m generator.output.editions 2024版 2025版 -o compare/ [--content content]

writes `compare/index.html` (every department with its counts), `compare/<department>/index.html`
(the powers added, removed and changed, field by field) and the delta as CSV
(`compare/delta.csv`, `compare/<department>/delta.csv`, UTF-8 with BOM). The pages are
self-contained (inline style, no script, relative links between them; record names link
to the published site when site.yaml at REF_B has a base_url), so the folder can be
published as it is, e.g. copied to `site/editions/2024-2025/`.

Both editions are read straight from git (`git ls-tree` and one `git cat-file --batch`), as
plain data: an old edition need not pass today's validation rules. Same refs, same bytes.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path

from generator.site.gitdata import Blobs, GitError, git
from generator.site.history import FieldChange, classify, field_changes, records_in
from generator.content.personal_data import mask
from generator.output.render import TEMPLATES, environment

# An edition comparison is a report on the 权责清单 by design (its CSV columns are a power's):
# the one kind it names.
KIND = "powers"
COLUMNS = ["department", "department_name", "change", "id", "code", "name", "category", "status_before",
           "status_after", "fields", "details"]


@dataclass
class Edition:
    ref: str
    commit: str
    date: str
    departments: dict[str, dict]  # id -> registry entry
    powers: dict[str, tuple[str, dict]]  # power id -> (department id, record)
    base_url: str = ""


@dataclass
class Delta:
    """One power that differs between the editions."""

    change: str  # 新增 删除 or the inferred type of a change (调整 取消 下放 …)
    id: str
    before: dict | None
    after: dict | None
    fields: tuple[FieldChange, ...] = ()
    moved_from: str = ""  # department id, when the power changed department

    @property
    def record(self) -> dict:
        return self.after or self.before or {}


@dataclass
class DepartmentDelta:
    id: str
    name: str
    region: str
    added: list[Delta] = field(default_factory=list)
    removed: list[Delta] = field(default_factory=list)
    changed: list[Delta] = field(default_factory=list)
    count_before: int = 0
    count_after: int = 0

    @property
    def total(self) -> int:
        return len(self.added) + len(self.removed) + len(self.changed)


def read_edition(content_dir: Path, ref: str, blobs: Blobs) -> Edition:
    prefix = git(content_dir, "rev-parse", "--show-prefix").strip()
    commit = git(content_dir, "rev-parse", "--verify", "--end-of-options", f"{ref}^{{commit}}").strip()
    day = git(content_dir, "show", "-s", "--format=%cI", commit).strip()[:10]
    listing = git(content_dir, "ls-tree", "-r", "--full-tree", commit, "--", prefix or ".")
    files: dict[str, str] = {}
    for line in listing.splitlines():
        meta, path = line.split("\t", 1)
        if meta.split()[1] == "blob":
            files[path[len(prefix):]] = meta.split()[2]
    departments = {rid: r for rid, r in records_in("departments", blobs.data(files["departments.yaml"])).items()} \
        if "departments.yaml" in files else {}
    powers: dict[str, tuple[str, dict]] = {}
    for path, sha in sorted(files.items()):
        parts = path.split("/")
        if len(parts) == 2 and parts[0] == KIND and parts[1].endswith(".yaml"):
            dept = parts[1][:-5]
            for rid, record in records_in(KIND, blobs.data(sha)).items():
                powers[rid] = (dept, record)
    site = blobs.data(files["site.yaml"]) if "site.yaml" in files else None
    base_url = str(site.get("base_url") or "") if isinstance(site, dict) else ""
    return Edition(ref, commit, day, departments, powers, base_url.rstrip("/"))


def compare(a: Edition, b: Edition) -> list[DepartmentDelta]:
    """Departments in B's registry order (then A's), each with what changed; unchanged ones too."""
    order = list(dict.fromkeys([*b.departments, *a.departments,
                                *(d for d, _ in b.powers.values()), *(d for d, _ in a.powers.values())]))
    out: dict[str, DepartmentDelta] = {}
    for dept_id in order:
        entry = b.departments.get(dept_id) or a.departments.get(dept_id) or {}
        out[dept_id] = DepartmentDelta(dept_id, str(entry.get("name") or dept_id), str(entry.get("region") or ""))
    for dept_id, _ in a.powers.values():
        out[dept_id].count_before += 1
    for dept_id, _ in b.powers.values():
        out[dept_id].count_after += 1
    for pid in b.powers.keys() - a.powers.keys():
        dept, record = b.powers[pid]
        out[dept].added.append(Delta("新增", pid, None, record))
    for pid in a.powers.keys() - b.powers.keys():
        dept, record = a.powers[pid]
        out[dept].removed.append(Delta("删除", pid, record, None))
    for pid in a.powers.keys() & b.powers.keys():
        (dept_a, old), (dept_b, new) = a.powers[pid], b.powers[pid]
        if old == new and dept_a == dept_b:
            continue
        fields = field_changes(KIND, old, new, mask)
        moved = dept_a if dept_a != dept_b else ""
        if moved:
            fields = (FieldChange("实施部门", out[dept_a].name, out[dept_b].name), *fields)
        out[dept_b].changed.append(Delta(classify(old, new, KIND), pid, old, new, fields, moved))
    for delta in out.values():
        for items in (delta.added, delta.removed, delta.changed):
            items.sort(key=lambda d: (not d.record.get("code"), str(d.record.get("code") or ""), d.id))
    return list(out.values())


def delta_rows(departments: list[DepartmentDelta]) -> list[dict]:
    rows = []
    for dept in departments:
        for d in [*dept.added, *dept.removed, *dept.changed]:
            r = d.record
            rows.append({
                "department": dept.id, "department_name": dept.name, "change": d.change, "id": d.id,
                "code": str(r.get("code") or ""), "name": str(r.get("name") or ""), "category": str(r.get("category") or ""),
                "status_before": str((d.before or {}).get("status") or ""),
                "status_after": str((d.after or {}).get("status") or ""),
                "fields": "；".join(f.label for f in d.fields),
                "details": "；".join(f"{f.label}：{f.old} → {f.new}" if f.old is not None else f"{f.label}：{f.note}"
                                    for f in d.fields),
            })
    return rows


def to_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_comparison(content_dir: Path, ref_a: str, ref_b: str, out_dir: Path) -> list[DepartmentDelta]:
    blobs = Blobs(content_dir)
    try:
        a, b = read_edition(content_dir, ref_a, blobs), read_edition(content_dir, ref_b, blobs)
    finally:
        blobs.close()
    departments = compare(a, b)
    env = environment()
    context = {"a": a, "b": b, "departments": departments,
               "changed": [d for d in departments if d.total],
               "totals": {k: sum(len(getattr(d, k)) for d in departments) for k in ("added", "removed", "changed")}}
    files = {"index.html": env.get_template("partials/edition-index.html").render(context).encode("utf-8"),
             "delta.csv": to_csv(delta_rows(departments)),
             "edition.css": (TEMPLATES / "partials/edition.css").read_bytes()}
    for dept in departments:
        files[f"{dept.id}/index.html"] = env.get_template("partials/edition-department.html").render(
            context, dept=dept).encode("utf-8")
        files[f"{dept.id}/delta.csv"] = to_csv(delta_rows([dept]))
    for rel, data in files.items():
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return departments


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.output.editions",
                                     description="比较两个版本（git 标签或提交）的权责清单，按部门列出新增、删除和调整的事项")
    parser.add_argument("ref_a", help="旧版本，例如 2024版")
    parser.add_argument("ref_b", help="新版本，例如 2025版")
    parser.add_argument("-o", "--output", type=Path, required=True, help="输出目录")
    parser.add_argument("--content", type=Path, default=Path("content"), help="内容目录（默认 content/）")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code not in (0, None) else 0
    try:
        departments = write_comparison(args.content.resolve(), args.ref_a, args.ref_b, args.output)
    except GitError as exc:
        print(f"无法读取版本：{exc}", file=sys.stderr)
        return 1
    changed = [d for d in departments if d.total]
    print(f"{args.ref_a} → {args.ref_b}：{len(changed)} 个部门有变化，新增 {sum(len(d.added) for d in departments)} 项，"
          f"删除 {sum(len(d.removed) for d in departments)} 项，调整 {sum(len(d.changed) for d in departments)} 项；"
          f"已写入 {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
