"""The mkdocs-material look: a real MkDocs build of the site's few section pages.

MkDocs renders the handful of navigation pages (home, lists, statistics, search, guide)
and one *shell* page per record kind. A shell is a complete mkdocs-material page whose
title and content are placeholders; record pages are made by filling a shell, so 25,000
record pages cost string joins, not 25,000 MkDocs page renders (~7 ms each), and record
pages never enter the navigation (which makes MkDocs quadratic).

Pages are handed to MkDocs in memory (`File.generated`), never through temporary files.
"""

from __future__ import annotations

import html
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File

SHELL = "__shell__"
_TITLE = "XTITLEX7Q"
_BODY = "<!--XBODYX7Q<h1-->"  # contains "<h1" so the theme adds no heading of its own


@dataclass(frozen=True)
class Shell:
    """A rendered mkdocs-material page with holes for one record's title and content."""

    parts: tuple[str, ...]  # text between placeholders
    slots: tuple[str, ...]  # "title" | "body" | "id", one per gap

    def fill(self, record_id: str, title: str, body: str) -> str:
        values = {"title": html.escape(title, quote=True), "body": body, "id": record_id}
        out = [self.parts[0]]
        for slot, part in zip(self.slots, self.parts[1:]):
            out.append(values[slot])
            out.append(part)
        return "".join(out)

    @classmethod
    def parse(cls, text: str) -> "Shell":
        tokens = {_TITLE: "title", _BODY: "body", SHELL: "id"}
        parts, slots, pos = [], [], 0
        while True:
            found = [(text.find(t, pos), t) for t in tokens if text.find(t, pos) >= 0]
            if not found:
                parts.append(text[pos:])
                return cls(tuple(parts), tuple(slots))
            at, token = min(found)
            parts.append(text[pos:at])
            slots.append(tokens[token])
            pos = at + len(token)


@dataclass(frozen=True)
class Page:
    """One navigation page rendered by MkDocs: its title and finished content HTML."""

    src_uri: str  # e.g. "index.md", "powers/index.md"
    title: str
    html: str
    hide: tuple[str, ...] = ()


class _PagesPlugin(BasePlugin):
    """Feeds MkDocs our pages from memory and replaces their content with ours."""

    def __init__(self, pages: list[Page]):
        super().__init__()
        self.pages = {p.src_uri: p for p in pages}

    def on_files(self, files, config):
        for page in self.pages.values():
            front = {"title": page.title}
            if page.hide:
                front["hide"] = list(page.hide)
            markdown = "---\n" + json.dumps(front, ensure_ascii=False) + "\n---\n\n"
            files.append(File.generated(config, page.src_uri, content=markdown))
        return files

    def on_page_content(self, html_, page, config, files):
        return self.pages[page.file.src_uri].html


def shell_pages(kinds: list[str]) -> list[Page]:
    return [Page(f"{kind}/{SHELL}.md", _TITLE, _BODY, hide=("toc",)) for kind in kinds]


def build_theme(config_file: Path, pages: list[Page], out_dir: Path, site_info: dict,
                clean: bool = True) -> dict[str, Shell]:
    """Run MkDocs for `pages` into `out_dir`; return the record shells by kind, removed from the output.

    `site_info` is content/site.yaml as plain data: the site's name and footer. With
    `clean=False` MkDocs writes over an existing site instead of emptying the folder first."""
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    logging.getLogger("mkdocs.commands.build").setLevel(logging.WARNING if clean else logging.ERROR)  # "dirty build"
    # MkDocs templates do not escape: the site's name from content is escaped here, once.
    name = html.escape(site_info["name"], quote=True)
    overrides = {"site_dir": str(out_dir), "site_name": name, "site_description": name,
                 "nav": [{page.title: page.src_uri} for page in pages if not page.src_uri.endswith(f"/{SHELL}.md")]}
    if site_info.get("base_url"):
        overrides["site_url"] = site_info["base_url"]
    config = load_config(str(config_file), **overrides)
    config.extra["site_info"] = site_info
    config.plugins["transparency-pages"] = _PagesPlugin(pages)
    mkdocs_build(config, dirty=not clean)
    for leftover in ("sitemap.xml", "sitemap.xml.gz"):
        (out_dir / leftover).unlink(missing_ok=True)
    shells = {}
    for page in pages:
        if page.src_uri.endswith(f"/{SHELL}.md"):
            kind = page.src_uri.split("/")[0]
            folder = out_dir / kind / SHELL
            shells[kind] = Shell.parse((folder / "index.html").read_text("utf-8"))
            (folder / "index.html").unlink()
            folder.rmdir()
    return shells
