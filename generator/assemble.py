"""Assemble stage: cross-reference the validated records and decide what is published.

Everything downstream (pages, search, open data, feed, sitemap) sees only the `Site`
built here, so a board entry held back by the publication rules cannot leak anywhere.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from generator import personal_data
from generator.content import Content, Source, display_path
from generator.errors import Pending
from generator.kinds import KINDS
from generator.kinds.base import ASCII_SLUG, Reference, field_title
from generator.kinds.site import Department, SiteInfo


@dataclass
class Site:
    """The validated, cross-referenced and publishable content: the templates' context."""

    info: SiteInfo
    today: date
    departments: dict[str, Department]
    records: dict[str, list[Any]]  # kind name -> published records, in the kind's order
    sources: dict[tuple[str, str], Source]
    power_department: dict[str, Department] = field(default_factory=dict)
    powers_by_department: dict[str, list[Any]] = field(default_factory=dict)
    superseded_by: dict[str, list[str]] = field(default_factory=dict)
    related_policies: dict[str, list[Any]] = field(default_factory=dict)  # power id -> policies naming it
    _index: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)
    history: Any = field(default=None, repr=False)  # from git, read on first use (history.for_site)
    withheld: list[str] = field(default_factory=list)
    withheld_count: dict[str, int] = field(default_factory=dict)  # board issue id -> entries held back

    def url_for(self, kind: str, record_id: str) -> str:
        """Site-root-relative URL of a record page (templates prefix it with the page's root)."""
        return f"{kind}/{record_id}/"

    def record(self, kind: str, record_id: str) -> Any:
        """A published record by kind and id, or None (withheld, or outside a region shard)."""
        return self._index.get((kind, record_id))

    def issuer_name(self, issuer: str) -> str:
        dept = self.departments.get(issuer)
        return dept.name if dept else issuer

    @staticmethod
    def mask(text: str) -> str:
        return personal_data.mask(text)

    def power_counts(self, attribute: str) -> Counter:
        """How many published powers have each value of `attribute` (category, status, current)."""
        return Counter(getattr(p, attribute) for p in self.records["powers"])

    def index(self) -> None:
        self._index = {(kind, r.id): r for kind, records in self.records.items() for r in records}


def assemble(content: Content, today: date, region: str | None = None) -> Site:
    """Check cross-references and publication rules; problems go to content.pending.

    With `region`, everything is still checked, but only that region's departments and
    their powers are published: one shard of a province built as parallel jobs."""
    departments = _unique_departments(content)
    names = _department_names(departments)
    _check_department_parents(content, departments, names)
    ids: dict[tuple[str, str], Source] = {}
    folded: dict[tuple[str, str], tuple[str, tuple]] = {}
    published: dict[str, list[Any]] = {}
    site = Site(content.site, today, departments, published, ids)

    for kind in KINDS.values():
        kept = []
        for record, source in content.records[kind.name]:
            if not _claim(content, ids, (kind.name, record.id), source.at("id"), f"{kind.label}标识", folded):
                continue
            for path, sub_id in kind.sub_ids(record):
                _claim(content, ids, (kind.name + "/entry", sub_id), source.at(*path), "条目标识", folded)
            _check_file_name(content, kind, record, source, departments)
            kept.append((record, source))
        content.records[kind.name] = kept

    for kind in KINDS.values():
        records = content.records[kind.name]
        for record, source in records:
            for ref in kind.references(record):
                message = _reference_problem(ref, departments, names, ids, kind.model)
                if message:
                    content.add(*source.at(*ref.path), message)
            for path, message in kind.checks(record):
                content.add(*source.at(*path), message)
        for index, path, message in kind.collection_checks([record for record, _ in records]):
            content.add(*records[index][1].at(*path), message)

    if content.errors():
        return site

    for kind in KINDS.values():
        records = []
        for record, source in content.records[kind.name]:
            visible, held = kind.publish(record, today)
            for path, reason in held:
                site.withheld.append(f"{kind.label} {record.id} {reason}")
            if held:
                site.withheld_count[record.id] = len(held)
            records.append(visible)
        records.sort(key=kind.sort_key)
        published[kind.name] = records

    for record, source in content.records["powers"]:
        dept = departments[source.file.stem]
        site.power_department[record.id] = dept
    for dept_id in departments:
        site.powers_by_department[dept_id] = []
    for power in published["powers"]:
        site.powers_by_department[site.power_department[power.id].id].append(power)
    for policy in published["policies"]:
        for old in policy.supersedes or ():
            site.superseded_by.setdefault(old, []).append(policy.id)
        for pid in policy.related_powers or ():
            site.related_policies.setdefault(pid, []).append(policy)
    if region is not None:
        _keep_region(site, region)
    site.index()
    return site


def _keep_region(site: Site, region: str) -> None:
    keep = {d.id for d in site.departments.values() if d.region == region}
    site.departments = {k: d for k, d in site.departments.items() if k in keep}
    site.records["powers"] = [p for p in site.records["powers"] if site.power_department[p.id].id in keep]
    site.powers_by_department = {k: v for k, v in site.powers_by_department.items() if k in keep}


def _claim(content: Content, ids: dict, key: tuple[str, str], where: tuple, what: str, folded: dict) -> bool:
    """Register an id; a second use, or one that differs only in letter case (the same file or
    URL on a case-insensitive system), is reported at the second place naming the first."""
    if key in ids:
        first = ids[key]
        content.add(*where, f"{what} {key[1]} 重复：已在 {_describe(content, first)} 使用")
        return False
    same = (key[0], key[1].casefold())
    if same in folded:
        other, first = folded[same]
        content.add(*where, f"{what} {key[1]} 与 {_describe(content, first)} 的 {other} 只差字母大小写："
                            "在不区分大小写的系统上两者是同一个网址，请改用不同的标识")
        return False
    ids[key] = where
    folded[same] = (key[1], where)
    return True


_WHAT = {"departments": "部门", "powers": "权责事项", "policies": "政策"}


def _reference_problem(ref: Reference, departments: dict[str, Department],
                       names: dict[str, list[tuple[Department, str]]], ids: dict, model) -> str | None:
    """What is wrong with one reference, or None. A field that takes a department ('units')
    names a registered one by its id, never by its name; other bodies by their Chinese name."""
    if ref.kind == "departments" or (ref.kind == "units" and ASCII_SLUG.match(ref.id)):
        return None if ref.id in departments else f"引用了不存在的部门标识 {ref.id}"
    if ref.kind == "units":
        found = names.get(ref.id.strip())
        if not found:
            return None
        title = field_title(model, ref.path)
        dept, which = found[0]
        named = "的全称" if which == "name" else f"“{dept.name}”的简称"
        return (f"{title}“{ref.id}”是已登记部门{named}：登记册中的部门请写部门标识，改为 "
                + " 或 ".join(d.id for d, _ in found))
    return None if (ref.kind, ref.id) in ids else f"引用了不存在的{_WHAT[ref.kind]}标识 {ref.id}"


def _department_names(departments: dict[str, Department]) -> dict[str, list[tuple[Department, str]]]:
    """Full and short names of registered departments -> the departments they name."""
    names: dict[str, list[tuple[Department, str]]] = {}
    for dept in departments.values():
        for which in ("name", "short_name"):
            value = (getattr(dept, which) or "").strip()
            if value and all(d.id != dept.id for d, _ in names.get(value, ())):
                names.setdefault(value, []).append((dept, which))
    return names


def _describe(content: Content, where: tuple) -> str:
    problem = content.locator.resolve(Pending(where[0], where[1], ""), display_path(where[0]))
    return f"{problem.file}:{problem.line}:{problem.column}"


def _unique_departments(content: Content) -> dict[str, Department]:
    departments: dict[str, Department] = {}
    seen: dict[tuple[str, str], tuple] = {}
    for dept, source in content.departments:
        if _claim(content, seen, ("departments", dept.id), source.at("id"), "部门标识", {}):
            departments[dept.id] = dept
    return departments


def _check_department_parents(content: Content, departments: dict[str, Department], names: dict) -> None:
    """A parent is a registered department, named by its id (by its name: the id to write)."""
    for dept, source in content.departments:
        if dept.parent is None:
            continue
        ref = Reference(("parent",), "units", dept.parent)
        message = _reference_problem(ref, departments, names, {}, Department)
        if message is None and dept.parent not in departments:
            message = f"引用了不存在的部门标识 {dept.parent}"
        if message:
            content.add(*source.at("parent"), message)


def _check_file_name(content: Content, kind, record, source: Source, departments) -> None:
    stem = source.file.stem
    if kind.file_must_be == "department" and source.path == (0,) and stem not in departments:
        content.add(source.file, (), f"文件名 {stem} 不是已登记的部门标识：权责事项文件应命名为 <部门标识>.yaml（见 departments.yaml）")
    if kind.file_must_be == "id" and record.id != stem:
        content.add(*source.at("id"), f"{kind.label}标识 {record.id} 应与文件名 {stem} 相同")
