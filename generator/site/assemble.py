"""Assemble stage: cross-reference the validated records and decide what is published.

Everything downstream (pages, search, open data, feed, sitemap) sees only the `Site`
built here, so a board entry held back by the publication rules cannot leak anywhere.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from generator.content.advice import did_you_mean
from generator.content.tree import Content, Source, display_path
from generator.errors import Pending
from generator.kinds import KINDS
from generator.kinds.base import ASCII_SLUG, Reference, field_title
from generator.kinds.site import Department
from generator.site.model import Site


def assemble(content: Content, today: date, publish: bool = True) -> Site:
    """Check cross-references and publication rules; problems go to content.pending. Without
    `publish` (validate: the problems are all found by then) no record is published."""
    departments = _unique_departments(content)
    names = _department_names(departments)
    _check_department_parents(content, departments, names)
    ids: dict[tuple[str, str], tuple[Path, tuple]] = {}
    assert content.site is not None  # assembled only without errors, and a missing site.yaml is one
    folded: dict[tuple[str, str], tuple[str, tuple]] = {}
    published: dict[str, list[Any]] = {}
    site = Site(content.site, today, departments, published, ids)
    site.search = content.search

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

    if not publish or content.errors():
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

    for kind in KINDS.values():
        if kind.relations is not None:
            site.relations[kind.name] = kind.relations(site, content.records[kind.name])
    _index_referrers(site)
    site.index()
    return site


def _index_referrers(site: Site) -> None:
    """For every published record, the published records that name it with a backlink heading."""
    for kind in KINDS.values():
        for record in site.records[kind.name]:
            named = set()
            for ref in kind.references(record):
                if not ref.backlink or (ref.kind, ref.id, ref.backlink) in named:
                    continue
                named.add((ref.kind, ref.id, ref.backlink))
                groups = site.referrers.setdefault((ref.kind, ref.id), [])
                group = next((g for g in groups if g[0] == ref.backlink and g[1] == kind.name), None)
                if group is None:
                    groups.append((ref.backlink, kind.name, [record]))
                else:
                    group[2].append(record)


def _claim(content: Content, ids: dict, key: tuple[str, str], where: tuple[Path, tuple], what: str, folded: dict) -> bool:
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


def _reference_problem(ref: Reference, departments: dict[str, Department],
                       names: dict[str, list[tuple[Department, str]]], ids: dict, model) -> str | None:
    """What is wrong with one reference, or None. A field that takes a department names a
    registered one by its id, never by its name ('units' fields also take other bodies by
    their Chinese name; 'departments' fields only registered ones)."""
    if ref.kind in ("departments", "units"):
        if ref.id in departments:
            return None
        found = names.get(ref.id.strip())
        if found:
            dept, which = found[0]
            named = "的全称" if which == "name" else f"“{dept.name}”的简称"
            return (f"{field_title(model, ref.path)}“{ref.id}”是已登记部门{named}：登记册中的部门请写部门标识，改为 "
                    + " 或 ".join(d.id for d, _ in found))
        if ref.kind == "units" and not ASCII_SLUG.match(ref.id):
            return None  # a body outside the registry, by its Chinese name
        return _nearest(f"引用了不存在的部门标识 {ref.id}", ref.id, departments)
    if (ref.kind, ref.id) in ids:
        return None
    known = [key[1] for key in ids if key[0] == ref.kind]
    return _nearest(f"引用了不存在的{KINDS[ref.kind].label}标识 {ref.id}", ref.id, known)


def _nearest(message: str, word: str, options) -> str:
    suggestion = did_you_mean(word, options)
    return f"{message}：{suggestion}" if suggestion else message


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
    problem = content.locator.resolve(Pending(where[0], where[1], ""), display_path(Path(where[0]).resolve()))
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
