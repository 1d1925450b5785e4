"""The sitemap: /sitemap.xml lists every page, and becomes a sitemap index past 50,000 URLs;
/robots.txt names it.

Each page's `lastmod` is the day of its last change: a record page's from the git history
(site/history.py), or the newest date the record states when the history does not know it; a
list, a department's page, the home page and statistics the newest of the records they show.

The sitemaps.org protocol allows 50,000 URLs per file; past that, /sitemap.xml is an
index of /sitemap-1.xml, /sitemap-2.xml, … (at the site root, so each may list any page
of the site), every part holding up to MAX_URLS pages in sorted order. Locations are
absolute when site.yaml has a base_url.
"""

from __future__ import annotations

from datetime import date
from xml.sax.saxutils import escape

from generator.kinds import KINDS
from generator.site.history import for_site
from generator.site.model import Site

MAX_URLS = 50_000
_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def absolute(base_url: str | None, path: str) -> str:
    base = (base_url or "").rstrip("/")
    return f"{base}/{path}" if base else f"/{path}"


def last_changes(site: Site, pages: list[str]) -> dict[str, str]:
    """page -> ISO date of its last change, for those of `pages` whose date is known."""
    records: dict[str, date] = {}
    for event in for_site(site).events:  # newest first
        records.setdefault(site.url_for(event.kind, event.id), event.date)
    for kind in KINDS.values():
        for record in site.records[kind.name]:
            link = site.url_for(kind.name, record.id)
            if link not in records:
                stated = [c[0] for c in kind.changes(record, site) if c[3] == link]
                if stated:
                    records[link] = max(stated)
    newest: dict[str, date] = dict(records)
    for kind in KINDS.values():
        days = [records[link] for r in site.records[kind.name] if (link := site.url_for(kind.name, r.id)) in records]
        if days:
            newest[f"{kind.name}/"] = max(days)
    for dept in site.departments.values():
        days = [records[link] for kind in KINDS.values() if kind.department_records
                for r in kind.department_records(site, dept.id) if (link := site.url_for(kind.name, r.id)) in records]
        if days:
            newest[f"departments/{dept.id}/"] = max(days)
    if records:
        newest.update({page: max(records.values()) for page in ("", "departments/", "stats/", "changes/")})
    return {page: newest[page].isoformat() for page in pages if page in newest}


def robots_txt(base_url: str | None) -> bytes:
    """Every page may be crawled; the sitemap is named when its absolute URL is known (base_url)."""
    lines = ["User-agent: *", "Allow: /"]
    if base_url:
        lines.append(f"Sitemap: {absolute(base_url, 'sitemap.xml')}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def sitemap_files(base_url: str | None, paths: list[str], lastmod: dict[str, str] | None = None) -> dict[str, bytes]:
    """sitemap.xml (and its parts past MAX_URLS) for the pages at `paths` (site-relative folders),
    with the `lastmod` date of those that have one."""
    ordered = sorted(paths)
    lastmod = lastmod or {}
    if len(ordered) <= MAX_URLS:
        return {"sitemap.xml": _urlset(base_url, ordered, lastmod)}
    files = {}
    for n, start in enumerate(range(0, len(ordered), MAX_URLS), start=1):
        files[f"sitemap-{n}.xml"] = _urlset(base_url, ordered[start:start + MAX_URLS], lastmod)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{_NS}">']
    lines += [f"<sitemap><loc>{escape(absolute(base_url, name))}</loc></sitemap>" for name in files]
    lines.append("</sitemapindex>\n")
    return {"sitemap.xml": "\n".join(lines).encode("utf-8"), **files}


def _urlset(base_url: str | None, paths: list[str], lastmod: dict[str, str]) -> bytes:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{_NS}">']
    lines += [f"<url><loc>{escape(absolute(base_url, p))}</loc>"
              + (f"<lastmod>{lastmod[p]}</lastmod>" if p in lastmod else "") + "</url>" for p in paths]
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")
