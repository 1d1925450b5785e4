"""Incremental rebuilds for the preview: the last build stays in memory, an edit redoes
only what it touched.

The first build is the ordinary one (pipeline.build). After that, files whose bytes did
not change are neither parsed nor validated again (they keep their very model objects),
and a record page is rendered again only when one of the objects it is made from is not
the one it was made from last time (`Renderer.inputs`). Changed record pages are written
first — that is what the editor is looking at — then the section pages, the search index
and the open data. The preview folder is private, so it is written in place (holding the
output's lock, see write.py).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from generator.content.cache import ParseCache
from generator.errors import ContentError
from generator.kinds import KINDS
from generator.output.export import open_data
from generator.pipeline import (REPO, Result, Timings, build, check, no_cycle_collection, page_context, search_docs,
                                site_files)
from generator.output.render import TEMPLATES, Renderer, environment
from generator.output.search import build_index
from generator.output.sitemap import last_changes, robots_txt, sitemap_files
from generator.output.theme import build_theme, shell_pages
from generator.publish.write import exclusive


@dataclass
class Incremental:
    content_dir: Path
    out_dir: Path
    config_file: Path = REPO / "mkdocs.yml"
    parsed: ParseCache = field(default_factory=lambda: ParseCache(None, memory=True))
    memo: dict = field(default_factory=dict)
    made_from: dict[str, tuple] = field(default_factory=dict)  # page -> the objects it was rendered from
    shells: dict | None = None
    files: set[str] = field(default_factory=set)  # files written besides MkDocs' own
    rendered: int = 0  # record pages rendered by the last build
    templates: tuple = ()  # (path, mtime) of every template when last rendered

    @no_cycle_collection()
    def build(self, today: date, log: Callable[[str], None] = print,
              pages_written: Callable[[], None] = lambda: None) -> Result:
        """Build, incrementally after the first time; raises ContentError like pipeline.build."""
        if self.shells is None or not self.out_dir.is_dir():
            return self._first(today, log)
        with exclusive(self.out_dir, log):  # a `build -o` into the preview folder waits meanwhile
            return self._update(today, log, pages_written)

    def _update(self, today: date, log: Callable[[str], None], pages_written: Callable[[], None]) -> Result:
        timings = Timings()
        content, site = check(self.content_dir, today, timings, self.parsed, self.memo)
        if site is None:
            raise ContentError(content.errors())
        for note in site.withheld:
            log(f"未公开：{note}")
        renderer = Renderer(site, environment())
        templates = _templates_state()
        if templates != self.templates:  # a template changed: every page may look different
            self.made_from.clear()
            self.templates = templates
        with timings.stage("render"):
            pages = self._record_pages(renderer, self.shells)
            pages_written()
            nav_pages = renderer.nav_pages(page_context(site))
            shells = build_theme(self.config_file, nav_pages + shell_pages(["departments", *KINDS], {kind: f"feeds/{kind}.xml" for kind in KINDS}),
                                 self.out_dir, site.info.model_dump(mode="json"), clean=False)
            if shells != self.shells:  # the site's name or look changed: every page changes
                self.made_from.clear()
                self.shells = shells
                pages = self._record_pages(renderer, shells)
        with timings.stage("search index"):
            files = {f"search/{rel}": data for rel, data in build_index(search_docs(site)).items()}
        with timings.stage("write"):
            files.update(open_data(site))
            files.update(site_files(site))
            paths = [p.src_uri.removesuffix("index.md") for p in nav_pages] + [rel.removesuffix("index.html") for rel in pages]
            files.update(sitemap_files(site.info.base_url, paths, last_changes(site, paths)))
            files["robots.txt"] = robots_txt(site.info.base_url)
            for rel, data in files.items():
                _write(self.out_dir / rel, data)
            for rel in (self.files - set(files)) | (set(self.made_from) - set(pages)):
                _remove(self.out_dir / rel)
            self.made_from = {rel: self.made_from[rel] for rel in pages if rel in self.made_from}
            self.files = set(files)
        return Result(site, content, timings, len(nav_pages) + len(pages), shells)

    def _first(self, today: date, log: Callable[[str], None]) -> Result:
        result = build(self.content_dir, self.out_dir, today, log=log, cache=self.parsed, memo=self.memo)
        self.shells = result.shells
        renderer = Renderer(result.site, environment())
        self.made_from = {rel: inputs for rel, inputs in renderer.page_inputs()}
        self.files = {str(p.relative_to(self.out_dir)) for sub in ("search", "data", "facets", "feeds") for p in (self.out_dir / sub).rglob("*")
                      if p.is_file()} | {"feed.xml"} | {p.name for p in self.out_dir.glob("sitemap*.xml")}
        self.rendered = len(self.made_from)
        self.templates = _templates_state()
        return result

    def _record_pages(self, renderer: Renderer, shells: dict) -> list[str]:
        pages: list[str] = []
        self.rendered = 0

        def unchanged(rel: str, inputs: tuple) -> bool:
            pages.append(rel)
            before = self.made_from.get(rel)
            if before is not None and len(before) == len(inputs) and all(a is b for a, b in zip(before, inputs)):
                return True
            self.made_from[rel] = inputs
            return False

        for rel, html in renderer.record_pages(shells, unchanged=unchanged):
            _write(self.out_dir / rel, html.encode("utf-8"))
            self.rendered += 1
        return pages


def _templates_state() -> tuple:
    return tuple(sorted((str(p), p.stat().st_mtime_ns) for p in TEMPLATES.rglob("*") if p.is_file()))


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _remove(path: Path) -> None:
    if path.name == "index.html":
        shutil.rmtree(path.parent, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
