"""Export stage: open data (CSV with BOM, JSON) and the Atom feed (the sitemap: sitemap.py).

Everything here reads the assembled `Site`, so withheld board entries are absent by
construction. Output is deterministic: no build time is written anywhere, only dates
taken from the content.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import date
from xml.sax.saxutils import escape, quoteattr

from generator.site.model import Site
from generator.kinds import KINDS


def _csv(rows: list[dict], columns: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=False).encode("utf-8")


def open_data(site: Site) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for kind in KINDS.values():
        if kind.data_rows is None:
            continue
        rows = [_absolute_url(site, row) for record in site.records[kind.name] for row in kind.data_rows(record, site)]
        columns = list(kind.data_columns)
        for row in rows:
            if list(row) != columns:  # a bug in the kind, not in the content
                raise ValueError(f"{kind.name}: open-data row {list(row)} does not match the declared {columns}")
        files[f"data/{kind.name}.csv"] = _csv(rows, columns)
        files[f"data/{kind.name}.json"] = _json(rows)
    files["data/departments.json"] = _json([d.model_dump(mode="json", exclude_none=True) for d in site.departments.values()])
    return files


def _absolute_url(site: Site, row: dict) -> dict:
    """A row's `url` (site-relative) made absolute with a base_url, else relative to /data/."""
    if "url" in row:
        base = (site.info.base_url or "").rstrip("/")
        row["url"] = f"{base}/{row['url']}" if base else f"../{row['url']}"
    return row


def absolute(site: Site, path: str) -> str:
    base = (site.info.base_url or "").rstrip("/")
    return f"{base}/{path}" if base else f"/{path}"


def atom_id(site: Site, url: str) -> str:
    """An Atom id is an absolute IRI (RFC 4287 4.2.6): the URL with a base_url, else a name-based UUID."""
    if site.info.base_url:
        return url
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{site.info.name}/{url.lstrip('./')}").urn


def change_summary(site: Site, label: str, link: str) -> str:
    """What changed, in a sentence: the change, the record and its department."""
    kind_name, _, rest = link.partition("/")
    kind = KINDS.get(kind_name)
    record = site.record(kind_name, rest.strip("/")) if kind else None
    if kind is None or record is None:
        return label
    dept = kind.department_of(record, site)
    return f"{label}：{kind.title(record)}" + (f"（{dept}）" if dept else "")


def feed(site: Site, changes: list[tuple[date, str, str, str]]) -> bytes:
    """Atom feed of new and changed records of the kinds that go in it (Kind.in_site_feed), newest first;
    each entry dated by the change the record states and summarised (change_summary)."""
    prefixes = tuple(f"{kind.name}/" for kind in KINDS.values() if kind.in_site_feed)
    entries = [c for c in changes if c[3].startswith(prefixes)][:50]
    updated = entries[0][0].isoformat() if entries else site.today.isoformat()
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
        f"<title>{escape(site.info.name)}</title>",
        f"<id>{escape(atom_id(site, absolute(site, '')))}</id>",
        f"<link href={quoteattr(absolute(site, ''))}/>",
        f"<link rel=\"self\" href={quoteattr(absolute(site, 'feed.xml'))}/>",
        f"<updated>{updated}T00:00:00+08:00</updated>",
        f"<author><name>{escape(site.info.publisher)}</name></author>",
    ]
    for day, label, title, link in entries:
        url = absolute(site, link)
        parts.append(
            f"<entry><title>{escape(label + '：' + title)}</title><id>{escape(atom_id(site, f'{url}#{day.isoformat()}'))}</id>"
            f"<link href={quoteattr(url)}/><updated>{day.isoformat()}T00:00:00+08:00</updated>"
            f"<summary>{escape(change_summary(site, label, link))}</summary></entry>"
        )
    parts.append("</feed>\n")
    return "\n".join(parts).encode("utf-8")


def recent_changes(site: Site) -> list[tuple[date, str, str, str]]:
    """(date, label, title, site-relative link), newest first, from the records themselves."""
    out = [change for kind in KINDS.values() for record in site.records[kind.name]
           for change in kind.changes(record, site)]
    out.sort(key=lambda c: (c[0], c[3]), reverse=True)
    return out
