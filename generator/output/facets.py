"""Facet data for the lists of kinds that declare facets (Kind.facets): compact columns the browser filters.

For each list the build writes `facets/<kind>/index.json` — one *value table* per facet
(the distinct values, most frequent first) and one *column* of small integer codes per
facet, one code per record, run-length encoded — and the displayed text in chunks
(`facets/<kind>/rows/<n>.json`, CHUNK records each). The browser (assets/facets.js)
decodes the columns, counts and filters all records in memory, and fetches only the
row chunks of the page of results it shows. At 25,000 powers the columns are a few
tens of kilobytes; see docs/features.md for measured sizes.

The list page itself carries the list's first view — the count, the filters with their counts,
the first PAGE results and the pager, exactly as the script draws them for an unfiltered list
(`first_view`, rendered by templates/partials/facets.html) — so the page is whole at its first
paint and nothing moves when the script takes it over (Lighthouse's CLS).

Column encodings (all plain JSON arrays of integers):
  single-valued facet: runs `[code, length, code, length, …]`;
  multi-valued facet:  per record `[k, code_1 … code_k]`, concatenated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterator
from urllib.parse import quote

from generator.kinds import KINDS
from generator.kinds.base import FacetSpec, ListSpec
from generator.site.model import Site

__all__ = ["FacetSpec", "ListSpec", "FacetTable", "FirstView", "list_specs", "facet_table", "facet_files",
           "facet_tables", "first_view"]

CHUNK = 250  # records per row file
PAGE = 50  # results a page of the list shows (PAGE of assets/facets.js)
SHOWN = 8  # values a folded facet shows (SHOWN of assets/facets.js)


@dataclass
class FacetTable:
    key: str
    label: str
    multi: bool
    values: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    codes: list[int] = field(default_factory=list)
    badge: str = ""


def list_specs(site: Site) -> list[ListSpec]:
    """The faceted lists: one for every kind that declares its facets."""
    return [kind.facets(site) for kind in KINDS.values() if kind.facets is not None]


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
                       [counts[v] for v in values], badge=spec.badge)
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
                "counts": t.counts, "codes": t.codes, "badge": t.badge,
            } for t in tables],
        }
        yield f"facets/{spec.kind}/index.json", _json(index)
        for n, start in enumerate(range(0, len(rows), CHUNK)):
            yield f"facets/{spec.kind}/rows/{n}.json", _json(rows[start:start + CHUNK])


def facet_tables(site: Site) -> dict[str, list[FacetTable]]:
    """kind -> its facet tables (for statistics and tests)."""
    return {spec.kind: [facet_table(f, spec.records) for f in spec.facets] for spec in list_specs(site)}


@dataclass
class FirstRow:
    """One result as assets/facets.js paints it: link, title, and the line under it as (class, text)."""

    href: str  # relative to the site root
    title: str
    meta: list[tuple[str, str]]


@dataclass
class FirstView:
    """An unfiltered list's first page, as the script would draw it (templates/partials/facets.html)."""

    noun: str
    count: int
    pages: int
    facets: list[tuple[FacetTable, list[bool]]]  # each table and which of its values a folded facet shows
    rows: list[FirstRow]
    shown: int = SHOWN

    @property
    def status(self) -> str:
        return f"共 {self.count} {self.noun}" + (f"，第 1 / {self.pages} 页" if self.pages > 1 else "")


def first_view(site: Site, kind: str) -> FirstView:
    """The first view of the faceted list of `kind` (no filter, page 1)."""
    faceted = KINDS[kind].facets
    if faceted is None:
        raise ValueError(f"{kind} has no faceted list")
    spec = faceted(site)
    tables = [facet_table(f, spec.records) for f in spec.facets]
    facets = [(t, [v < SHOWN for v in range(len(t.values))]) for t in tables]  # every value has records
    rows = [_first_row(spec, record) for record in spec.records[:PAGE]]
    return FirstView(spec.noun, len(spec.records), max(1, -(-len(spec.records) // PAGE)), facets, rows)


def _first_row(spec: ListSpec, record: Any) -> FirstRow:
    row = spec.row(record)
    href = spec.link
    for k, value in enumerate(row):  # encodeURIComponent, as the script does
        href = href.replace("{%d}" % k, quote(str(value), safe="!~*'()"))
    facets = {f.key: f for f in spec.facets}
    meta = []
    for m in spec.meta:
        if isinstance(m, int):
            meta.append(("", row[m]))
            continue
        facet = facets[m]
        values = facet.values(record)
        text = "、".join(facet.labels(v) for v in values)
        if facet.badge == "status":
            meta.append(("badge " + ("badge--ok" if text in ("有效", "公示中") else "badge--off"), text))
        elif facet.badge == "value":
            meta.append((f"badge badge--{values[0]}", text))
        else:
            meta.append(("", text))
    return FirstRow(href, row[spec.title], meta)
