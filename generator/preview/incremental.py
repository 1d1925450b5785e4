"""Incremental rebuilds for the preview: `pipeline.build` with the state kept between builds.

The preview runs the same stages as any build (pipeline.build, `preview=`); this module holds
only what one build leaves for the next: the parsed files (in memory), the validated files
(the memo: a file whose bytes did not change keeps its very model objects), what each record
page read while it rendered (preview/record.py), the theme's shells and the templates' mtimes.
A record page is rendered again only when its record is another object, a read of it gives
another value on the new site, a template changed, or the shells did. Changed record pages
are written first — that is what the editor is looking at — then the section pages, the
search index and the open data, in place (publish/inplace.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable

from generator.content.cache import ParseCache
from generator.output import render
from generator.pipeline import CONFIG, Result, build, no_cycle_collection
from generator.preview.record import View, same, unchanged
from generator.publish.inplace import InPlace


@dataclass
class Preview:
    """What one preview build leaves for the next (pipeline.build's `preview`)."""

    parsed: ParseCache = field(default_factory=lambda: ParseCache(None, memory=True))
    memo: dict = field(default_factory=dict)
    read: dict[str, tuple[Any, list]] = field(default_factory=dict)  # page -> (its record, what it read)
    shells: dict | None = None
    templates: tuple = ()  # (path, mtime) of every template when last rendered
    files: set[str] = field(default_factory=set)  # what the last build produced (besides MkDocs' own)
    rendered: list[str] = field(default_factory=list)  # record pages rendered by the last build
    seen: dict[str, None] = field(default_factory=dict)  # the record pages of the build under way
    pages_written: Callable[[], None] = lambda: None
    _output: InPlace | None = None

    def output(self, out_dir: Path) -> InPlace:
        self._output = InPlace(out_dir, self.files)
        return self._output

    def watch(self, site) -> "Watch":
        """The build's view of this state for rendering into its output (`output()` first)."""
        assert self._output is not None, "the build opens its output first"
        templates = _templates_state()
        if templates != self.templates:  # a template changed: every page may look different
            self.read.clear()
            self.templates = templates
        self.rendered = []
        self.seen = {}
        return Watch(self, self._output)

    def written(self) -> set[str]:
        """What the build under way has written (or kept) so far."""
        return set(self._output.paths) if self._output is not None else set()

    def new_shells(self, shells: dict) -> bool:
        """Keep the theme's shells; True when they differ from last time (then every page changes)."""
        if shells == self.shells:
            return False
        self.read.clear()
        self.shells = shells
        return True

    def forget(self) -> None:
        self.read.clear()
        self.shells = None
        self.files = set()


class Watch:
    """Renderer.record_pages' view of the preview: which pages are fresh, what the others read."""

    def __init__(self, state: Preview, output: InPlace):
        self.state = state
        self.output = output
        self.seen = state.seen

    def fresh(self, rel: str, record: Any, site) -> bool:
        self.seen[rel] = None
        before = self.state.read.get(rel)
        if before is None or not same(before[0], record) or not unchanged(site, before[1]):
            return False
        self.state.read[rel] = (record, before[1])
        self.output.keep(rel)
        return True

    def view(self, site, reads: list) -> View:
        return View(site, reads)

    def rendered(self, rel: str, record: Any, reads: list) -> None:
        self.state.read[rel] = (record, reads)
        self.state.rendered.append(rel)

    def pages(self) -> list[str]:
        return list(self.seen)


@dataclass
class Incremental:
    content_dir: Path
    out_dir: Path
    config_file: Path = CONFIG
    state: Preview = field(default_factory=Preview)

    @property
    def rendered(self) -> int:
        """How many record pages the last build rendered (the others were kept as they were)."""
        return len(self.state.rendered)

    @no_cycle_collection()
    def build(self, today: date, log: Callable[[str], None] = print,
              pages_written: Callable[[], None] = lambda: None) -> Result:
        """Build, incrementally after the first time; raises ContentError like pipeline.build."""
        state = self.state
        if not self.out_dir.is_dir():
            state.forget()
        state.pages_written = pages_written
        state._output = None
        try:
            result = build(self.content_dir, self.out_dir, today, config_file=self.config_file, log=log,
                           preview=state)
        except BaseException:
            state.files |= state.written()  # what it wrote before it stopped: the next build's to clear
            raise
        state.files = state.written()
        state.read = {rel: state.read[rel] for rel in state.seen if rel in state.read}  # pages gone: forgotten
        return result


def _templates_state() -> tuple:
    return tuple(sorted((str(p), p.stat().st_mtime_ns) for p in render.TEMPLATES.rglob("*") if p.is_file()))
