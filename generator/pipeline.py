"""The build, stage by stage: load → validate → assemble → render → search index → write.

`build()` is the one place that lists the stages. It reads and links everything before
it writes anything, and it publishes the output only when every stage has succeeded.
A large site builds as N slices in parallel jobs (`build --slice I/N`), each doing its
share of the per-record work, and `merge()` joins them; a whole build is slice 1/1.
The first three, which `validate` stops after, are `checking.check()`.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator
from urllib.parse import urlsplit

from generator.checking import Timings, check, no_cycle_collection  # also imported from here
from generator.site.model import Site
from generator.content.cache import ParseCache
from generator.output.charts import statistics
from generator.content.tree import Content, display_path
from generator.errors import ContentError
from generator.output.export import feed, open_data, recent_changes
from generator.output.datapackage import datapackage
from generator.output.facets import facet_files
from generator.output.feeds import feed_files, recent_batches
from generator.output.guide import guide_sections
from generator.site.history import for_site
from generator.kinds import KINDS
from generator.publish import merge as merging
from generator.publish.manifest import MANIFEST, check_drop, manifest_bytes
from generator.publish.slices import WHOLE, Part, Slice, read_slices
from generator.output.render import NAV_PAGES, Renderer, counted, environment
from generator.publish.scan import check_site
from generator.output.search import index_part, join_index
from generator.output.search_synonyms import site_synonyms
from generator.output.sitemap import last_changes
from generator.output.theme import Page, build_theme, shell_pages
from generator.publish.write import Output, check_target, exclusive, tidy

if TYPE_CHECKING:
    from generator.preview.incremental import Preview

REPO = Path(__file__).resolve().parent.parent
CONFIG = Path(__file__).resolve().parent / "mkdocs.yml"  # the theme's configuration, shipped in the package
FEEDS = {kind: f"feeds/{kind}.xml" for kind in KINDS}  # output/feeds.py, linked from the kind's pages


@dataclass
class Result:
    site: Site
    content: Content
    timings: Timings
    pages: int
    shells: dict


@no_cycle_collection()
def build(content_dir: Path, out_dir: Path, today: date, *, config_file: Path = CONFIG,
          timings: Timings | None = None, log: Callable[[str], None] = print, workers: int = 0,
          quick_cleanup: bool = False, cache: Path | ParseCache | None = None, memo: dict | None = None,
          allow_drop: bool = False, slice_: Slice = WHOLE, preview: Preview | None = None) -> Result:
    """Build the site from `content_dir` into `out_dir`; `workers` processes render record
    pages (0: one per CPU core). With `quick_cleanup` the previous output is deleted in the
    background after the new one is in place. Unless `allow_drop`, a build that would drop
    more than a tenth of a list compared with the output it replaces stops (manifest.py).
    With `slice_` I/N, `out_dir` receives that slice's share for `merge` (publish/slices.py).
    `out_dir` is replaced as a whole, so it must not hold the content or the repository, nor be a
    folder of other files (write.check_target: OutputRefused); builds into one output take turns.

    With `preview` (the state a preview keeps between builds, preview/incremental.py) the same
    stages build incrementally: the output is written in place (`preview.output`, publish/inplace.py),
    a record page is rendered again only when what it read last time reads differently now
    (preview/record.py), the changed record pages come first, and nothing is scanned."""
    workers = 1 if preview else workers or os.cpu_count() or 1  # preview: the recorded reads stay in this process
    timings = timings or Timings()
    check_target(out_dir, content_dir, REPO)  # issue 10: never replace the content, the repository …
    with exclusive(out_dir, log):  # issue 10: one build at a time into one output (write.py)
        tidy(out_dir)  # what killed builds left beside it
        if preview:
            cache, memo = preview.parsed, preview.memo
        content, site = check(content_dir, today, timings, cache, memo)
        if site is None:
            raise ContentError(content.errors())
        if slice_.whole and not (preview and preview.shells):
            check_drop(content, out_dir, allow_drop)  # issue 6: no silent loss of records (merge checks slices)
        for note in site.withheld:
            log(f"未公开：{note}")
        with timings.stage("history"):
            for_site(site, history_cache(cache))

        output = preview.output(out_dir) if preview else Output(out_dir)
        part = Part(slice_, output)
        try:
            with timings.stage("render"):
                renderer = Renderer(site, environment())
                watch = preview.watch(site) if preview else None
                written = None
                if preview and preview.shells:  # what the editor looks at first, in the shells of last time
                    written = renderer.write_record_pages(preview.shells, part.write_page, 1, watch=watch)
                    preview.pages_written()
                # slice 1 renders the section pages; the others need only the shells, the same from any page's text
                nav_pages = renderer.nav_pages(page_context(site)) if slice_.first else \
                    [Page(src, title, "", hide) for src, title, _, hide in NAV_PAGES]
                scratch = part.site_dir if slice_.first else output.root / "theme"
                shells = build_theme(config_file, nav_pages + shell_pages(["departments", *KINDS], FEEDS),
                                     scratch, site.info.model_dump(mode="json"), clean=preview is None)
                if not slice_.first:
                    shutil.rmtree(scratch)
                if preview and preview.new_shells(shells) or written is None:  # new shells: every page changes
                    written = renderer.write_record_pages(shells, part.write_page, workers, watch=watch,
                                                          share=slice_.share)
                if watch is not None:
                    written = watch.pages()  # the kept ones too
                pages = [p.src_uri.removesuffix("index.md") for p in nav_pages] if slice_.first else []
                part.pieces.pages = pages + [rel.removesuffix("index.html") for rel in written]
                part.pieces.lastmod = last_changes(site, part.pieces.pages)
            with timings.stage("search index"):
                docs = search_docs(site)
                part.pieces.search = index_part(docs, *slice_.bounds(len(docs)), synonyms=site_synonyms(site),
                                                workers=workers)
                del docs  # hundreds of MB at a city's size: not kept through the write stage
                search_files = None  # a slice's part is joined by merge
                if slice_.whole:  # one site: its index files now, written with the rest below
                    search_files = join_index([part.pieces.search])
                    part.pieces.search = {}
            with timings.stage("write"):
                for rel, data in open_data(slice_.view(site)).items():
                    part.write(rel, data)
                if slice_.first:
                    for rel, data in site_files(site):
                        part.write(rel, data)
                    part.write(MANIFEST, manifest_bytes(content))  # issue 6: counts for the drop guard
                if slice_.whole:
                    for rel, data in merging.join([part.pieces], site.info.base_url, search_files):
                        output.write(rel, data)
                else:
                    part.save(content_dir, today, site.info.base_url)
            if slice_.whole and not preview:
                # issue 6: nothing unsafe or broken is published (scan.py). Not in the preview: its folder is
                # private and never published, and the scan reads every file (seconds at 25,000 records)
                # after each edit; the build that publishes the same content scans it.
                with timings.stage("scan"):
                    check_site(output.root, display_path(out_dir), base_path(site.info.base_url), workers)
            with timings.stage("publish"):
                output.commit(wait=not quick_cleanup)
        except BaseException:
            output.abort()
            raise
        return Result(site, content, timings, len(part.pieces.pages), shells)


@no_cycle_collection()
def merge(slice_dirs: list[Path], out_dir: Path, *, timings: Timings | None = None, workers: int = 0,
          quick_cleanup: bool = False, allow_drop: bool = False) -> int:
    """Join the folders of `build --slice I/N` into the site one `build` makes (publish/merge.py),
    scanned and swapped in like a build; returns the number of pages."""
    workers = workers or os.cpu_count() or 1
    timings = timings or Timings()
    with timings.stage("read"):
        slices = read_slices(slice_dirs)  # refuses slices of other content, dates or N, and missing ones
        pieces = [s.pieces() for s in slices]
        base_url = slices[0].stamp["base_url"]
    for folder in slice_dirs:
        check_target(out_dir, folder, REPO)  # issue 10: never replace a slice or the repository
    with exclusive(out_dir, print):
        tidy(out_dir)
        merging.check_drop(slices, out_dir, allow_drop)
        output = Output(out_dir)
        try:
            with timings.stage("link"):
                for s in slices:
                    merging.link_site(s, output)
            with timings.stage("join"):
                for rel, data in merging.join(pieces, base_url):
                    output.write(rel, data)
            with timings.stage("scan"):
                check_site(output.root, display_path(out_dir), base_path(base_url), workers)
            with timings.stage("publish"):
                output.commit(wait=not quick_cleanup)
        except BaseException:
            output.abort()
            raise
    return sum(len(p.pages) for p in pieces)


def base_path(base_url: str | None) -> str:
    """The URL path the site is served under, from site.yaml's base_url."""
    return urlsplit(base_url or "/").path or "/"


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
    """Every output file that is not a page, open data (`open_data`) and sitemap aside: feeds, facet data."""
    yield "feed.xml", feed(site, recent_changes(site))
    yield from feed_files(site)
    yield from facet_files(site)
    yield "datapackage.json", datapackage(site)


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
        "text": "\n".join(x for x in (dept.name, dept.short_name, dept.region, dept.kind, dept.phone,
                                     dept.supervision_phone, dept.address,
                                     site.issuer_name(dept.parent) if dept.parent else None) if x),
        "filters": {"region": dept.region},
    }


def summary(result: Result) -> str:
    """The one line a build ends with: how many records of each kind (or of their parts), pages, time."""
    numbers = counted(result.site)
    total = sum(n for _, n in numbers)
    return (f"已生成 {total:,} 条记录（{'，'.join(f'{label} {n:,}' for label, n in numbers)}），"
            f"{result.pages:,} 个页面，用时 {result.timings.total():.1f} 秒")
