"""The stages `validate` stops after — load, validate, assemble — and the build's timings.

`pipeline.build()` runs these first; `validate` imports only this module, so it does not
pay for importing the page, search and publishing stages it never runs.
"""

from __future__ import annotations

import gc
import resource
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterator

from generator.content.cache import ParseCache
from generator.content.tree import Content, load_tree, validate_tree
from generator.content.workers import load_and_validate
from generator.site.assemble import assemble
from generator.site.model import Site


@dataclass
class Timings:
    """Wall time of each stage, and the process's peak memory (MB) when it ended."""

    stages: list[tuple[str, float, float]] = field(default_factory=list)  # (name, seconds, peak MB)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stages.append((name, time.perf_counter() - start, peak))

    def total(self) -> float:
        return sum(seconds for _, seconds, _ in self.stages)


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Hold off Python's cyclic garbage collector while a build allocates millions of small
    objects: each collection would walk everything loaded so far (measured: loading 25,000
    records takes twice as long with it on). Nothing a build creates relies on it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@no_cycle_collection()
def check(content_dir: Path, today: date, timings: Timings | None = None,
          cache: Path | ParseCache | None = None, memo: dict | None = None,
          workers: int = 0, publish: bool = True) -> tuple[Content, Site | None]:
    """Load, validate and assemble; the `validate` command stops here. `cache` is a folder
    for parsed files (see cache.py), `memo` keeps validated files in memory (the preview).
    Without `memo`, files are loaded and validated over `workers` processes (workers.py;
    0: one per CPU core when the content is large enough). Without `publish` the checks are
    the same but no site is built (the `validate` command): the site returned is None."""
    timings = timings or Timings()
    parsed = cache if isinstance(cache, ParseCache) else ParseCache(cache)
    if memo is None:
        with timings.stage("load+validate"):
            content = load_and_validate(content_dir, parsed, workers)
    else:
        with timings.stage("load"):
            tree = load_tree(content_dir, parsed)
        with timings.stage("validate"):
            content = validate_tree(tree, memo)
    if content.errors():
        return content, None
    with timings.stage("assemble"):
        site = assemble(content, today, publish)
    return content, (None if not publish or content.errors() else site)
