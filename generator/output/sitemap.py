"""The sitemap: /sitemap.xml lists every page, and becomes a sitemap index past 50,000 URLs.

The sitemaps.org protocol allows 50,000 URLs per file; past that, /sitemap.xml is an
index of /sitemap-1.xml, /sitemap-2.xml, … (at the site root, so each may list any page
of the site), every part holding up to MAX_URLS pages in sorted order. Locations are
absolute when site.yaml has a base_url.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

MAX_URLS = 50_000
_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def absolute(base_url: str | None, path: str) -> str:
    base = (base_url or "").rstrip("/")
    return f"{base}/{path}" if base else f"/{path}"


def sitemap_files(base_url: str | None, paths: list[str]) -> dict[str, bytes]:
    """sitemap.xml (and its parts past MAX_URLS) for the pages at `paths` (site-relative folders)."""
    ordered = sorted(paths)
    if len(ordered) <= MAX_URLS:
        return {"sitemap.xml": _urlset(base_url, ordered)}
    files = {}
    for n, start in enumerate(range(0, len(ordered), MAX_URLS), start=1):
        files[f"sitemap-{n}.xml"] = _urlset(base_url, ordered[start:start + MAX_URLS])
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{_NS}">']
    lines += [f"<sitemap><loc>{escape(absolute(base_url, name))}</loc></sitemap>" for name in files]
    lines.append("</sitemapindex>\n")
    return {"sitemap.xml": "\n".join(lines).encode("utf-8"), **files}


def _urlset(base_url: str | None, paths: list[str]) -> bytes:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{_NS}">']
    lines += [f"<url><loc>{escape(absolute(base_url, p))}</loc></url>" for p in paths]
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")
