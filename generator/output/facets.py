"""Facet data for /powers/, /policies/ and /boards/: compact columns the browser filters.

For each list the build writes `facets/<kind>/index.json` — one *value table* per facet
(the distinct values, most frequent first) and one *column* of small integer codes per
facet, one code per record, run-length encoded — and the displayed text in chunks
(`facets/<kind>/rows/<n>.json`, CHUNK records each). The browser (assets/facets.js)
decodes the columns, counts and filters all records in memory, and fetches only the
row chunks of the page of results it shows. At 25,000 powers the columns are a few
tens of kilobytes; see docs/features.md for measured sizes.

Column encodings (all plain JSON arrays of integers):
  single-valued facet: runs `[code, length, code, length, …]`;
  multi-valued facet:  per record `[k, code_1 … code_k]`, concatenated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from generator.site.model import Site
from generator.kinds.boards import BOARD_NAMES
from generator.kinds.policies import STATUSES as POLICY_STATUSES
from generator.kinds.powers import CATEGORIES
from generator.kinds.powers import STATUSES as POWER_STATUSES

CHUNK = 250  # records per row file
NO_REGION = "未注明区域"


@dataclass(frozen=True)
class FacetSpec:
    """One facet: query-string key, Chinese label, how to read values from a record."""

    key: str
    label: str
    values: Callable[[Any], list[str]]  # record -> its values (one for single-valued facets)
    multi: bool = False
    order: tuple[str, ...] = ()  # natural order for ties (enums); otherwise first appearance
    labels: Callable[[str], str] = str  # value -> displayed text


@dataclass(frozen=True)
class ListSpec:
    """A faceted list: its records (in display order), facets and how a result row reads."""

    kind: str
    noun: str  # what one row is called, e.g. 项权责事项
    records: list[Any]
    facets: tuple[FacetSpec, ...]
    row: Callable[[Any], list[str]]  # the displayed fields of one record
    link: str  # URL of a row relative to the site root, "{0}" = row field 0
    title: int  # index of the title field in row
    meta: tuple[Any, ...] = ()  # shown under the title: facet keys (str) or row field indexes (int)


@dataclass
class FacetTable:
    key: str
    label: str
    multi: bool
    values: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    codes: list[int] = field(default_factory=list)


def list_specs(site: Site) -> list[ListSpec]:
    """The three faceted lists. Powers are listed department by department, by category."""
    depts = site.departments
    powers = [p for d in depts for group in _by_category(site.powers_by_department[d]) for p in group]
    power_facets = (
        FacetSpec("department", "部门", lambda p: [site.power_department[p.id].id],
                  order=tuple(depts), labels=lambda v: depts[v].name),
        FacetSpec("region", "区域", lambda p: [site.power_department[p.id].region],
                  order=tuple(dict.fromkeys(d.region for d in depts.values()))),
        FacetSpec("category", "职权类型", lambda p: [p.category], order=CATEGORIES),
        FacetSpec("status", "事项状态", lambda p: [p.status], order=POWER_STATUSES),
    )
    policy_facets = (
        FacetSpec("topic", "政策主题", lambda p: list(dict.fromkeys(p.topics or ())), multi=True),
        FacetSpec("beneficiary", "惠及对象", lambda p: list(dict.fromkeys(p.beneficiaries or ())), multi=True),
        FacetSpec("issuer", "发文机关", lambda p: list(dict.fromkeys(p.issuers)), multi=True,
                  order=tuple(depts), labels=site.issuer_name),
        FacetSpec("validity", "效力状态", lambda p: [p.status], order=POLICY_STATUSES),
    )
    issues = {b.id: b for b in site.records["boards"]}
    entries = [(b, e) for b in site.records["boards"] for e in b.entries]
    board_facets = (
        FacetSpec("board", "红榜/黑榜", lambda be: [be[1].board], order=tuple(BOARD_NAMES), labels=BOARD_NAMES.get),
        FacetSpec("issue", "期次", lambda be: [be[0].id], order=tuple(issues), labels=lambda v: issues[v].title),
        FacetSpec("region", "区域", lambda be: [be[1].region or NO_REGION]),
        FacetSpec("status", "状态", lambda be: [be[1].status], order=("公示中", "已整改")),
    )
    return [
        ListSpec("powers", "项权责事项", powers, power_facets, lambda p: [p.id, p.name, p.code or ""],
                 "powers/{0}/", 1, ("department", "category", "status", 2)),
        ListSpec("policies", "件政策", site.records["policies"], policy_facets,
                 lambda p: [p.id, p.title, p.doc_number or "", p.issued.isoformat()],
                 "policies/{0}/", 1, (2, 3, "validity")),
        ListSpec("boards", "条红黑榜条目", entries, board_facets,
                 lambda be: [be[0].id, be[1].id, site.mask(be[1].subject), be[1].subject_kind],
                 "boards/{0}/#{1}", 2, ("board", 3, "issue", "status")),
    ]


def _by_category(powers: list[Any]) -> list[list[Any]]:
    groups: dict[str, list[Any]] = {c: [] for c in CATEGORIES}
    for p in powers:
        groups[p.category].append(p)
    return list(groups.values())


def facet_table(spec: FacetSpec, records: list[Any]) -> FacetTable:
    """Value table (most frequent first, ties in natural order) and the encoded column."""
    per_record = [spec.values(r) for r in records]
    counts: dict[str, int] = {}
    for values in per_record:
        for v in values:
            counts[v] = counts.get(v, 0) + 1
    natural = {v: i for i, v in enumerate(spec.order)}
    first_seen = {v: i for i, v in enumerate(counts)}
    values = sorted(counts, key=lambda v: (-counts[v], natural.get(v, len(natural)), first_seen[v]))
    code = {v: i for i, v in enumerate(values)}
    table = FacetTable(spec.key, spec.label, spec.multi, values, [spec.labels(v) for v in values],
                       [counts[v] for v in values])
    if spec.multi:
        for vs in per_record:
            table.codes.append(len(vs))
            table.codes.extend(code[v] for v in vs)
    else:
        table.codes = run_length([code[vs[0]] for vs in per_record])
    return table


def run_length(codes: list[int]) -> list[int]:
    out: list[int] = []
    for c in codes:
        if out and out[-2] == c:
            out[-1] += 1
        else:
            out += [c, 1]
    return out


def decode(table: FacetTable, n: int) -> list[list[int]]:
    """The codes of every record (the browser's decoding, for tests)."""
    codes = table.codes
    if not table.multi:
        return [[c] for c, run in zip(codes[::2], codes[1::2]) for _ in range(run)]
    out, i = [], 0
    while i < len(codes):
        k = codes[i]
        out.append(codes[i + 1:i + 1 + k])
        i += 1 + k
    assert len(out) == n
    return out


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def facet_files(site: Site) -> Iterator[tuple[str, bytes]]:
    """facets/<kind>/index.json and facets/<kind>/rows/<n>.json for every faceted list."""
    for spec in list_specs(site):
        tables = [facet_table(f, spec.records) for f in spec.facets]
        rows = [spec.row(r) for r in spec.records]
        index = {
            "kind": spec.kind,
            "noun": spec.noun,
            "count": len(rows),
            "chunk": CHUNK,
            "link": spec.link,
            "title": spec.title,
            "meta": list(spec.meta),
            "facets": [{
                "key": t.key, "label": t.label, "multi": t.multi, "values": t.values,
                # labels only where they differ from the value (department ids, issue ids, red/black)
                "labels": t.labels if t.labels != t.values else None,
                "counts": t.counts, "codes": t.codes,
            } for t in tables],
        }
        yield f"facets/{spec.kind}/index.json", _json(index)
        for n, start in enumerate(range(0, len(rows), CHUNK)):
            yield f"facets/{spec.kind}/rows/{n}.json", _json(rows[start:start + CHUNK])


def facet_tables(site: Site) -> dict[str, list[FacetTable]]:
    """kind -> its facet tables (for statistics and tests)."""
    return {spec.kind: [facet_table(f, spec.records) for f in spec.facets] for spec in list_specs(site)}
