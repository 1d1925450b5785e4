"""Render stage: page content from jinja2 templates, record pages filled into theme shells.

Templates receive only the assembled `Site` and validated models; every value is
escaped (autoescape), markdown fields go through `markdown.render_markdown`, and an
undefined name is an error (StrictUndefined), not an empty string.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import jinja2

from generator.site.model import Site
from generator.kinds import KINDS
from generator.kinds.base import Kind
from generator.site.history import record_history
from generator.output.facets import first_view
from generator.output.markdown import render_markdown
from generator.kinds.site import tel_url
from generator.output.theme import OFF_TABS, Page, Shell

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

# The navigation pages MkDocs renders, in the navigation's order: (source uri, title, template, hide).
# `hide` may hold theme.OFF_TABS: a page for editors, kept out of the public tabs and reached by the
# footer's link (generator/templates/overrides/partials/copyright.html), as the editors' guide is.
NAV_PAGES = (
    ("index.md", "首页", "pages/home.html", ("navigation", "toc")),
    ("departments/index.md", "部门", "pages/departments.html", ("toc",)),
    *((f"{kind.name}/index.md", kind.nav_title or kind.label, kind.list_template or f"pages/{kind.name}.html", ("toc",))
      for kind in KINDS.values()),
    ("stats/index.md", "统计", "pages/stats.html", ("toc",)),
    ("changes/index.md", "最近更新", "pages/changes.html", ("toc",)),
    ("search/index.md", "搜索", "pages/search.html", ("toc",)),
    ("guide/index.md", "编辑指南", "pages/guide.html", (OFF_TABS,)),
)


def environment(extra_dirs: tuple[Path, ...] = ()) -> jinja2.Environment:
    """Template lookup: a site's own templates first (most specific), then ours."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*map(str, extra_dirs), str(TEMPLATES)]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["markdown"] = render_markdown
    env.filters["mask"] = Site.mask
    env.filters["tel"] = tel_url  # the `tel:` URL of a phone number (macros.html `phone`), as in the theme
    env.globals["kinds"] = KINDS
    for kind in KINDS.values():
        for name, value in kind.template_globals.items():
            if name in env.globals:
                raise ValueError(f"template name {name!r} of kind {kind.name!r} is already taken")
            env.globals[name] = value
    env.globals["record_history"] = record_history  # the 修改历史 block of record pages
    env.globals["facet_view"] = first_view  # the first view of a faceted list (partials/facets.html)
    env.tests["overdue_on"] = lambda item, today: item.overdue(today)
    return env


@dataclass
class Renderer:
    site: Site
    env: jinja2.Environment

    def context(self, depth: int, site: Any = None, **extra: Any) -> dict:
        root = "../" * depth
        site = self.site if site is None else site
        return {"site": site, "root": root, "today": site.today,
                "url": lambda kind, rid: root + self.site.url_for(kind, rid), **extra}

    def nav_pages(self, extra: dict | None = None) -> list[Page]:
        pages = []
        for src_uri, title, template, hide in NAV_PAGES:
            depth = src_uri.count("/")
            ctx = self.context(depth, title=title, **(extra or {}))
            pages.append(Page(src_uri, title, self.env.get_template(template).render(ctx), hide,
                              description=self.description(src_uri), feed=self.feed(src_uri)))
        return pages

    def description(self, src_uri: str) -> str:
        """The meta description of a navigation page: what it holds, counted."""
        site = self.site
        section = src_uri.removesuffix("index.md").rstrip("/")
        if section in KINDS:
            kind = KINDS[section]
            return f"{site.info.region}公开的{kind.label}，共 {len(site.records[section]):,} 条，可按条件筛选，可下载开放数据"
        counts = "、".join(f"{label} {n:,} 条" for label, n in counted(site))
        return {
            "": f"{site.info.name}：{site.info.region}各部门公开的{counts}，可搜索、可订阅、可下载",
            "departments": f"{site.info.region}公开权责清单与政策的 {len(site.departments):,} 个部门及其联系方式",
            "stats": f"{site.info.region}公开的{counts}，按部门、类别和状态统计",
            "changes": f"{site.info.name}最近新增、修改和取消的记录，按日期列出",
            "search": f"搜索{site.info.name}公开的事项、政策、部门和任务",
            "guide": f"{site.info.name}的数据说明：各类记录的字段、格式与填写方法",
        }.get(section, site.info.name)

    @staticmethod
    def feed(src_uri: str) -> str:
        section = src_uri.removesuffix("index.md").rstrip("/")
        return f"feeds/{section}.xml" if section in KINDS else ""

    def record_pages(self, shells: dict[str, Shell], part: int = 0, parts: int = 1, watch: Any = None,
                     share: Callable[[list], list] = list) -> Iterator[tuple[str, str]]:
        """(output path, HTML) for every record page and department page (or every `parts`-th).

        With a `watch` (the preview's, preview/incremental.py) a page whose recorded reads give the
        same values on this site is skipped (`watch.fresh(path, record, site)`), and the others are
        rendered with `watch.view(site, reads)`, a recording view of the site, whose reads
        `watch.rendered(path, record, reads)` keeps; `share(records)` picks the pages of one slice
        of the site (publish/slices.py)."""
        site = self.site
        template = self.env.get_template("records/department.html")
        filing = [(kind.name, kind.department_records) for kind in KINDS.values() if kind.department_records]
        pages: list[tuple[Any, str, Kind | None]] = [(dept, f"departments/{dept.id}/index.html", None)
                 for dept in share(list(site.departments.values()))[part::parts]]
        pages += [(record, f"{kind.name}/{record.id}/index.html", kind) for kind in KINDS.values()
                  for record in share(site.records[kind.name])[part::parts]]
        templates = {kind.name: self.env.get_template(kind.template) for kind in KINDS.values()}
        plain = self.context(2)
        for record, rel, kind in pages:
            if watch is not None and watch.fresh(rel, record, site):
                continue
            reads: list = []
            view = site if watch is None else watch.view(site, reads)
            ctx = plain if watch is None else self.context(2, view)
            if kind is None:  # a department: what it files is read through the same view
                filed = {name: records_of(view, record.id) for name, records_of in filing}
                body = template.render(ctx, department=record, filed=filed)
                html = shells["departments"].fill(record.id, record.name, body,
                                                  description=f"{record.name}（{record.region}）公开的权责事项、政策与联系方式")
            else:
                body = templates[kind.name].render(ctx, record=record, record_kind=kind)
                html = shells[kind.name].fill(record.id, kind.title(record), body, kind.page_title(record, site),
                                              kind.page_description(record, site))
            if watch is not None:
                watch.rendered(rel, record, reads)
            yield rel, html

    def write_record_pages(self, shells: dict[str, Shell], write: Callable[[str, str], None], workers: int,
                           watch: Any = None, share: Callable[[list], list] = list) -> list[str]:
        """Render and write every record page, split over `workers` forked processes.

        The children inherit the assembled site by fork (nothing is pickled but the list of
        paths they wrote); each takes every n-th record, so the split is even across kinds."""
        if workers <= 1 or watch is not None or "fork" not in multiprocessing.get_all_start_methods():
            return [_write(rel, html, write) for rel, html in self.record_pages(shells, watch=watch, share=share)]
        global _FORKED
        _FORKED = (self, shells, write, workers, share)
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                parts = pool.map(_write_part, range(workers))
        finally:
            _FORKED = None
        return [rel for part in parts for rel in part]


def counted(site: Site) -> list[tuple[str, int]]:
    """(label, number) of each kind's records, or of the parts a kind counts (a board's entries)."""
    out = []
    for kind in KINDS.values():
        records = site.records[kind.name]
        if kind.parts:
            part = kind.parts[0]
            out.append((part.summary or part.label, sum(part.count(r) for r in records)))
        else:
            out.append((kind.label, len(records)))
    return out


# (renderer, shells, write, workers, share) of write_record_pages, inherited by forked workers
_FORKED: tuple[Renderer, dict[str, Shell], Callable[[str, str], None], int, Callable[[list], list]] | None = None


def _write(rel: str, html: str, write: Callable[[str, str], None]) -> str:
    write(rel, html)
    return rel


def _write_part(part: int) -> list[str]:
    assert _FORKED is not None, "write_record_pages sets the state its workers read"
    renderer, shells, write, workers, share = _FORKED
    return [_write(rel, html, write) for rel, html in renderer.record_pages(shells, part, workers, share=share)]
