"""Assemble stage: cross-reference the validated records and decide what is published.

Everything downstream (pages, search, open data, feed, sitemap) sees only the `Site`
built here, so a board entry held back by the publication rules cannot leak anywhere.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from generator.content.tree import Content, Source, display_path
from generator.errors import Pending
from generator.kinds import KINDS
from generator.kinds.site import Department
from generator.site.model import Site


def assemble(content: Content, today: date) -> Site:
    """Check cross-references and publication rules; problems go to content.pending."""
    departments = _unique_departments(content)
    _check_department_parents(content, departments)
    ids: dict[tuple[str, str], Source] = {}
    published: dict[str, list[Any]] = {}
    site = Site(content.site, today, departments, published, ids)

    for kind in KINDS.values():
        kept = []
        for record, source in content.records[kind.name]:
            if not _claim(content, ids, (kind.name, record.id), source.at("id"), f"{kind.label}标识"):
                continue
            for path, sub_id in kind.sub_ids(record):
                _claim(content, ids, (kind.name + "/entry", sub_id), source.at(*path), "条目标识")
            _check_file_name(content, kind, record, source, departments)
            kept.append((record, source))
        content.records[kind.name] = kept

    for kind in KINDS.values():
        for record, source in content.records[kind.name]:
            for ref in kind.references(record):
                known = departments if ref.kind == "departments" else None
                found = (ref.id in known) if known is not None else (ref.kind, ref.id) in ids
                if not found:
                    what = {"departments": "部门", "powers": "权责事项", "policies": "政策"}[ref.kind]
                    content.add(*source.at(*ref.path), f"引用了不存在的{what}标识 {ref.id}")
            for path, message in kind.checks(record):
                content.add(*source.at(*path), message)

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
    site.index()
    return site


def _claim(content: Content, ids: dict, key: tuple[str, str], where: tuple, what: str) -> bool:
    """Register an id; a second use is reported at both places."""
    if key in ids:
        first = ids[key]
        content.add(*where, f"{what} {key[1]} 重复：已在 {_describe(content, first)} 使用")
        return False
    ids[key] = where
    return True


def _describe(content: Content, where: tuple) -> str:
    problem = content.locator.resolve(Pending(where[0], where[1], ""), display_path(where[0]))
    return f"{problem.file}:{problem.line}:{problem.column}"


def _unique_departments(content: Content) -> dict[str, Department]:
    departments: dict[str, Department] = {}
    seen: dict[tuple[str, str], tuple] = {}
    for dept, source in content.departments:
        if _claim(content, seen, ("departments", dept.id), source.at("id"), "部门标识"):
            departments[dept.id] = dept
    return departments


def _check_department_parents(content: Content, departments: dict[str, Department]) -> None:
    for dept, source in content.departments:
        if dept.parent and dept.parent not in departments:
            content.add(*source.at("parent"), f"引用了不存在的部门标识 {dept.parent}")


def _check_file_name(content: Content, kind, record, source: Source, departments) -> None:
    stem = source.file.stem
    if kind.file_must_be == "department" and source.path == (0,) and stem not in departments:
        content.add(source.file, (), f"文件名 {stem} 不是已登记的部门标识：权责事项文件应命名为 <部门标识>.yaml（见 departments.yaml）")
    if kind.file_must_be == "id" and record.id != stem:
        content.add(*source.at("id"), f"{kind.label}标识 {record.id} 应与文件名 {stem} 相同")
