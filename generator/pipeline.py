"""The build, stage by stage: load → validate → assemble → render → search index → write.

`build()` is the one place that lists the stages. It reads and links everything before
it writes anything, and it publishes the output only when every stage has succeeded.
The first three, which `validate` stops after, are `checking.check()`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlsplit

from generator.checking import Timings, check, no_cycle_collection  # also imported from here
from generator.site.model import Site
from generator.content.cache import ParseCache
from generator.output.charts import statistics
from generator.content.tree import Content, display_path
from generator.errors import ContentError
from generator.output.export import feed, open_data, recent_changes, sitemap
from generator.output.facets import facet_files
from generator.output.feeds import feed_files, recent_batches
from generator.output.guide import guide_sections
from generator.site.history import for_site
from generator.kinds import KINDS
from generator.publish.manifest import MANIFEST, check_drop, manifest_bytes
from generator.output.render import Renderer, environment
from generator.publish.scan import check_site
from generator.output.search import build_index
from generator.output.theme import build_theme, shell_pages
from generator.publish.write import Output

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Result:
    site: Site
    content: Content
    timings: Timings
    pages: int
    shells: dict


@no_cycle_collection()
def build(content_dir: Path, out_dir: Path, today: date, *, config_file: Path = REPO / "mkdocs.yml",
          timings: Timings | None = None, log: Callable[[str], None] = print, workers: int = 0,
          quick_cleanup: bool = False, cache: Path | ParseCache | None = None, memo: dict | None = None,
          region: str | None = None, allow_drop: bool = False) -> Result:
    """Build the site from `content_dir` into `out_dir`; `workers` processes render record
    pages (0: one per CPU core). With `quick_cleanup` the previous output is deleted in the
    background after the new one is in place. Unless `allow_drop`, a build that would drop
    more than a tenth of a list compared with the output it replaces stops (manifest.py)."""
    workers = workers or os.cpu_count() or 1
    timings = timings or Timings()
    content, site = check(content_dir, today, timings, cache, memo, region)
    if site is None:
        raise ContentError(content.errors())
    check_drop(content, out_dir, region, allow_drop)  # issue 6: no silent loss of records
    for note in site.withheld:
        log(f"未公开：{note}")
    with timings.stage("history"):
        for_site(site, history_cache(cache))

    output = Output(out_dir)
    try:
        with timings.stage("render"):
            renderer = Renderer(site, environment())
            nav_pages = renderer.nav_pages(page_context(site))
            shells = build_theme(config_file, nav_pages + shell_pages(["departments", *KINDS]),
                                 output.root, site.info.model_dump(mode="json"))
            pages = [p.src_uri.removesuffix("index.md") for p in nav_pages]
            written = renderer.write_record_pages(shells, output.write, workers)
            pages += [rel.removesuffix("index.html") for rel in written]
        with timings.stage("search index"):
            for rel, data in build_index(search_docs(site)).items():
                output.write(f"search/{rel}", data)
        with timings.stage("write"):
            for rel, data in site_files(site):
                output.write(rel, data)
            output.write("sitemap.xml", sitemap(site, pages))
            output.write(MANIFEST, manifest_bytes(content, region))  # issue 6: counts for the drop guard
        with timings.stage("scan"):  # issue 6: nothing unsafe or broken is published (scan.py)
            check_site(output.root, display_path(out_dir), urlsplit(site.info.base_url or "/").path or "/", workers)
        with timings.stage("publish"):
            output.commit(wait=not quick_cleanup)
    except BaseException:
        output.abort()
        raise
    return Result(site, content, timings, len(pages), shells)


def history_cache(cache: Path | ParseCache | None) -> Path | None:
    """The history cache lives in the parse cache's folder, so CI keeps both as one."""
    folder = cache.folder if isinstance(cache, ParseCache) else cache
    return folder / "history" if folder is not None else None


def page_context(site: Site) -> dict:
    """What the navigation pages (lists, statistics, changes, guide) need beyond the site."""
    history = for_site(site)
    return {"recent_changes": recent_changes(site)[:200], "guide": guide_sections(),
            "stats": statistics(site), "history": history, "batches": recent_batches(history)}


def site_files(site: Site) -> Iterator[tuple[str, bytes]]:
    """Every output file that is not a page: open data, feeds, facet data."""
    yield from open_data(site).items()
    yield "feed.xml", feed(site, recent_changes(site))
    yield from feed_files(site)
    yield from facet_files(site)


def search_docs(site: Site) -> list[dict]:
    """Every searchable document, in the order results are ranked when all else is equal."""
    docs = [doc for kind in KINDS.values() for record in site.records[kind.name]
            for doc in kind.search_docs(record, site)]
    docs += [department_doc(site, d) for d in site.departments.values()]
    docs.sort(key=lambda doc: doc.get("rank", 0))  # stable: ties keep the kinds' order
    return docs


def department_doc(site: Site, dept) -> dict:
    return {
        "url": f"departments/{dept.id}/",
        "title": dept.name,
        "kind": "部门",
        "rank": -1,
        "meta": dept.region,
        "text": " ".join(x for x in (dept.name, dept.short_name or "", dept.region) if x),
        "filters": {"region": dept.region},
    }


def summary(result: Result) -> str:
    site = result.site
    powers = len(site.records["powers"])
    policies = len(site.records["policies"])
    entries = sum(len(b.entries) for b in site.records["boards"])
    items = sum(len(m.items) for m in site.records["measures"])
    total = powers + policies + entries + items
    return (f"已生成 {total:,} 条记录（权责事项 {powers:,}，政策 {policies:,}，红黑榜条目 {entries:,}，任务 {items:,}），"
            f"{result.pages:,} 个页面，用时 {result.timings.total():.1f} 秒")
