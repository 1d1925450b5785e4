"""The theme layer (generator/output/theme.py): MkDocs and mkdocs-material used through their
documented extension points only, and the pages they make, checked on the built example site."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from generator.output.theme import load_config
from generator.publish.csp import script_hashes

REPO = Path(__file__).resolve().parent.parent
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")


def pages(site: Path):
    for path in sorted(site.rglob("*.html")):
        yield path.relative_to(site).as_posix(), BeautifulSoup(path.read_text("utf-8"), "html.parser")


def test_every_page_allows_by_hash_exactly_the_inline_scripts_it_carries(example_site):
    for rel, soup in pages(example_site):
        policy = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
        script_src = next(d.split()[1:] for d in policy.split(";") if d.split()[0] == "script-src")
        hashes = [s for s in script_src if s.startswith("'sha256-")]
        assert script_src[0] == "'self'", rel
        assert hashes == script_hashes(str(soup)), rel


def test_only_files_that_a_page_loads_are_shipped_under_assets(example_site):
    loaded = set()
    for rel, soup in pages(example_site):
        for tag, attr in (("link", "href"), ("script", "src"), ("img", "src")):
            for element in soup.find_all(tag, attrs={attr: True}):
                url = urlsplit(element[attr])
                if not url.scheme and url.path:
                    loaded.add(posixpath.normpath(posixpath.join(posixpath.dirname(rel), url.path)))
    for css in [p for p in (example_site / "assets").rglob("*.css")]:
        rel = css.relative_to(example_site).as_posix()
        for url in CSS_URL.findall(css.read_text("utf-8")):
            if not url.startswith(("data:", "#", "http")):
                loaded.add(posixpath.normpath(posixpath.join(posixpath.dirname(rel), url.split("?")[0])))
    shipped = {p.relative_to(example_site).as_posix() for p in (example_site / "assets").rglob("*") if p.is_file()}
    assert sorted(shipped - loaded) == []
    assert {"assets/site.css", "assets/search.js", "assets/images/favicon.png"} <= shipped


def test_mkdocs_yml_declares_the_hooks_and_the_overrides_copy_no_theme_partial():
    config = load_config(str(REPO / "generator" / "mkdocs.yml"))
    assert list(config.hooks) == ["output/theme.py"]  # relative to generator/mkdocs.yml
    assert {"on_files", "on_page_content", "on_env", "on_post_page"} <= set(dir(config.hooks["output/theme.py"]))
    env = config.theme.get_env()
    assert env.get_template("sitemap.xml").render().strip() == ""  # MkDocs then writes no sitemap of its own
    theme_dir = Path(config.theme.dirs[1])  # after custom_dir: the theme's own templates
    overrides = REPO / "generator" / "templates" / "overrides"
    copied = sorted(p.relative_to(overrides).as_posix() for p in overrides.rglob("*.html")
                    if (theme_dir / p.relative_to(overrides)).exists())
    # main.html extends the theme's; the footer and the 404 page's words are ours (404.html extends main.html)
    assert copied == ["404.html", "main.html", "partials/copyright.html"]


def test_no_shell_is_written_and_record_pages_have_one_heading(example_site):
    assert not list(example_site.rglob("__shell__*"))
    for rel in ("powers/shichang-xk-001/index.html", "departments/shichang/index.html"):
        soup = BeautifulSoup((example_site / rel).read_text("utf-8"), "html.parser")
        assert len(soup.find_all("h1")) == 1
        assert "__shell__" not in str(soup) and "slot:" not in str(soup)
        assert soup.find("link", rel="canonical")["href"] == f"https://yingshang.example.gov.cn/{rel.removesuffix('index.html')}"


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_search_box_sits_in_the_header_bar(browser, base_url, width):
    """The search box is laid over the theme's header (main.html's header block): inside its bar,
    clear of its title, and still there once the page is scrolled, in 长者模式 too."""
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        page.goto(base_url + "powers/shichang-xk-001/")
        for elder in (False, True):
            if elder:
                page.get_by_role("button", name="长者模式").click()
            for scroll in (0, 1200):
                page.mouse.wheel(0, scroll)
                page.wait_for_timeout(300)
                header = page.locator(".md-header").bounding_box()
                box = page.locator("#site-search-input").bounding_box()
                title = page.locator(".md-header__title").bounding_box()
                assert header["y"] <= box["y"] and box["y"] + box["height"] <= header["y"] + header["height"]
                assert title["x"] + title["width"] <= box["x"]
                assert box["x"] + box["width"] <= width
    finally:
        context.close()
