"""The theme layer: MkDocs (or ProperDocs) with mkdocs-material renders the site's frame.

Everything the generator asks of the theme is in this module and in `generator/mkdocs.yml`, and it
goes through documented extension points only (docs/theme.md says how to move to another):

- **hooks** declared in `generator/mkdocs.yml` (`hooks: [generator/output/theme.py]`): the functions
  `on_files`, `on_page_content`, `on_env`, `on_post_template` and `on_post_page` below are MkDocs plugin events;
- **theme overrides** in `generator/templates/overrides/` (`custom_dir`): blocks of `main.html`
  (`extrahead`, `libs`, `announce`, `header`, `container`, `content`), the `copyright.html`
  partial (the footer: 主办单位, 承办单位, registrations, contact, hotline), `404.html` (the page
  for an unknown address, in Chinese, with search and a way home), and an empty
  `sitemap.xml`, so MkDocs writes no sitemap (ours is `output/export.py`'s).

MkDocs renders the handful of navigation pages (home, lists, statistics, search, guide)
and one *shell* page per record kind. A shell is a complete page whose title and content
are named slots (`<!--slot:title-->`, `<!--slot:body-->`, given to MkDocs as the page's
title and content) and whose URL is `<kind>/__shell__/`; MkDocs hands it to `on_post_page`,
which keeps it in memory and returns nothing, so it is never written. Record pages fill a
shell, so 25,000 record pages cost string joins, not 25,000 theme renders (~7 ms each), and
record pages never enter the navigation (which makes MkDocs quadratic).

Pages are handed to MkDocs in memory (`File.generated`), never through temporary files.
What one build hands the hooks (its pages) and what they hand back (the shells) travel in
`config.extra["generator"]`, given to `load_config` with the other overrides.
"""

from __future__ import annotations

import fnmatch
import html
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

try:  # ProperDocs, the maintained continuation of MkDocs 1.x, when it is installed (nox -s properdocs)
    import properdocs.replacement  # noqa: F401  # as its CLI does: mkdocs.* imports are served by ProperDocs
    from properdocs.commands.build import build as _engine_build
    from properdocs.config import load_config
    from properdocs.structure.files import File

    ENGINE = "properdocs"
except ImportError:
    from mkdocs.commands.build import build as _engine_build
    from mkdocs.config import load_config
    from mkdocs.structure.files import File

    ENGINE = "mkdocs"

from generator.kinds.site import tel_url
from generator.publish.csp import meta_policy, script_hashes

SHELL = "__shell__"  # a shell's URL is <kind>/__shell__/: the record's id takes its place
_TITLE, _BODY = "<!--slot:title-->", "<!--slot:body-->"  # comments: escaped text never holds "<!--"
OFF_TABS = "tabs"  # a `hide` value of a Page: rendered, but not in the navigation tabs
_HEAD_TITLE, _DESCRIPTION = "<!--slot:head_title-->", "<!--slot:description-->"  # the <title>, the meta description
_SLOTS = {_TITLE: "title", _BODY: "body", SHELL: "id", _HEAD_TITLE: "head_title", _DESCRIPTION: "description"}
# The theme's files that no page loads: its search (ours is output/search.py) and source maps.
_UNUSED_THEME_FILES = ("assets/javascripts/lunr/*", "assets/javascripts/workers/*", "*.map")


@dataclass(frozen=True)
class Shell:
    """A rendered page of the theme with slots for one record's title, content and id."""

    parts: tuple[str, ...]  # text between slots
    slots: tuple[str, ...]  # "title" | "body" | "id", one per gap

    def fill(self, record_id: str, title: str, body: str, head_title: str = "", description: str = "") -> str:
        values = {"title": html.escape(title, quote=True), "body": body, "id": record_id,
                  "head_title": html.escape(head_title or title, quote=True),
                  "description": html.escape(description or title, quote=True)}
        out = [self.parts[0]]
        for slot, part in zip(self.slots, self.parts[1:]):
            out.append(values[slot])
            out.append(part)
        return "".join(out)

    @classmethod
    def parse(cls, text: str) -> "Shell":
        parts: list[str] = []
        slots: list[str] = []
        pos = 0
        while True:
            found = [(at, marker) for marker in _SLOTS if (at := text.find(marker, pos)) >= 0]
            if not found:
                parts.append(text[pos:])
                return cls(tuple(parts), tuple(slots))
            at, marker = min(found)
            parts.append(text[pos:at])
            slots.append(_SLOTS[marker])
            pos = at + len(marker)


@dataclass(frozen=True)
class Page:
    """One navigation page rendered by MkDocs: its title and finished content HTML."""

    src_uri: str  # e.g. "index.md", "powers/index.md"
    title: str
    html: str
    hide: tuple[str, ...] = ()
    description: str = ""  # its meta description: what the page holds (plain text)
    feed: str = ""  # the site-relative path of the Atom feed of what it lists, beside /feed.xml
    head_title: str = ""  # the <title>, when it says more than the title (plain text)


@dataclass
class _Build:
    """One build's pages for the hooks, and the shells they keep (config.extra["generator"])."""

    pages: dict[str, Page]
    shells: dict[str, str] = field(default_factory=dict)  # kind -> the shell page as the theme rendered it


def shell_pages(kinds: list[str], feeds: dict[str, str] | None = None) -> list[Page]:
    """One shell per kind; `feeds`: the Atom feed of a kind's records, linked from their pages' head."""
    return [Page(f"{kind}/{SHELL}.md", _TITLE, _BODY, hide=("toc",), description=_DESCRIPTION,
                 feed=(feeds or {}).get(kind, ""), head_title=_HEAD_TITLE) for kind in kinds]


def build_theme(config_file: Path, pages: list[Page], out_dir: Path, site_info: dict,
                clean: bool = True) -> dict[str, Shell]:
    """Run MkDocs for `pages` into `out_dir`; return the record shells by kind (never written).

    `site_info` is content/site.yaml as plain data: the site's name and footer. With
    `clean=False` MkDocs writes over an existing site instead of emptying the folder first."""
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    logging.getLogger("properdocs").setLevel(logging.WARNING)
    for name in ("mkdocs.commands.build", "properdocs.commands.build"):  # "dirty build"
        logging.getLogger(name).setLevel(logging.WARNING if clean else logging.ERROR)
    # MkDocs templates do not escape: the site's name from content is escaped here, once
    # (as Markup, so the theme's own `| e` leaves it as it is).
    name = Markup(html.escape(site_info["name"], quote=True))
    build = _Build({p.src_uri: p for p in pages})
    overrides = {"site_dir": str(out_dir), "site_name": name, "site_description": name,
                 "nav": [{page.title: page.src_uri} for page in pages
                         if not page.src_uri.endswith(f"/{SHELL}.md") and OFF_TABS not in page.hide],
                 "extra": {"site_info": site_info, "generator": build}}
    if site_info.get("base_url"):
        overrides["site_url"] = site_info["base_url"]
    _engine_build(load_config(str(config_file), **overrides), dirty=not clean)
    return {kind: Shell.parse(text) for kind, text in build.shells.items()}


# --- MkDocs plugin events (mkdocs.yml `hooks:`); this file is loaded by path as its own module ---


def on_files(files, config):
    """Add the build's pages (in memory); leave out the theme's files that no page loads."""
    for file in list(files):
        if not file.is_documentation_page() and any(fnmatch.fnmatch(file.src_uri, p) for p in _UNUSED_THEME_FILES):
            files.remove(file)
    for page in config.extra["generator"].pages.values():
        front = {"title": page.title}
        hide = [h for h in page.hide if h != OFF_TABS]
        if hide:
            front["hide"] = hide
        # MkDocs templates do not escape: plain text is escaped here, slots are filled escaped (Shell.fill)
        for key in ("description", "head_title", "feed"):
            value = getattr(page, key)
            if value:
                front[key] = value if value.startswith("<!--slot:") else html.escape(value, quote=True)
        markdown = "---\n" + json.dumps(front, ensure_ascii=False) + "\n---\n\n"
        files.append(File.generated(config, page.src_uri, content=markdown))
    return files


def on_page_content(html_, page, config, files):
    """A page's content is the HTML the generator rendered for it, not its markdown."""
    return config.extra["generator"].pages[page.file.src_uri].html


def on_env(env, config, files):
    """Filters for our overrides: `csp_policy`, the Content-Security-Policy of a page whose inline
    scripts are the given markup (main.html passes the theme's script partials through it), and
    `tel`, the `tel:` URL of a phone number (the footer, partials/copyright.html)."""
    env.filters["csp_policy"] = lambda scripts: meta_policy(script_hashes(str(scripts)))
    env.filters["tel"] = tel_url
    return env


# The theme's drawer and search toggles are checkboxes carrying `autocomplete="off"`, which HTML
# allows on text-like inputs only (the Nu Html Checker's one error on every page, issue 15).
_TOGGLES = tuple((f'<input class="md-toggle" data-md-toggle="{name}" type="checkbox" id="__{name}" autocomplete="off">',
                  f'<input class="md-toggle" data-md-toggle="{name}" type="checkbox" id="__{name}">')
                 for name in ("drawer", "search"))


def _valid_toggles(output: str) -> str:
    for bad, good in _TOGGLES:
        output = output.replace(bad, good, 1)
    return output


def on_post_template(output, template_name, config):
    """The theme's 404.html, rendered as a template rather than a page."""
    return _valid_toggles(output)


def on_post_page(output, page, config):
    """Drop the attribute HTML forbids on the theme's toggles; keep a shell page in memory,
    unwritten (MkDocs writes no page whose output is empty)."""
    output = _valid_toggles(output)
    uri = page.file.src_uri
    if uri.endswith(f"/{SHELL}.md"):
        config.extra["generator"].shells[uri.split("/")[0]] = output
        return ""
    return output
