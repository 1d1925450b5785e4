"""Words for citizens and what a Chinese government site shows (issue 15), read from the built
example site: no editors' page in the tabs, no jargon, one word per state, counts that agree,
phone numbers as tel: links, a 404 page in Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import EXAMPLE, TODAY
from generator.pipeline import build


def soup(site: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site / rel).read_text("utf-8"), "html.parser")


def public_pages(site: Path) -> list[Path]:
    """Every page a citizen reads: all but the editors' guide."""
    return [p for p in sorted(site.rglob("*.html")) if p.relative_to(site).parts[0] not in ("guide", "editions")]


def text_of(page: Path) -> str:
    return BeautifulSoup(page.read_text("utf-8"), "html.parser").get_text(" ")


def test_guide_is_in_the_footer_not_the_tabs(example_site):
    home = soup(example_site, "index.html")
    tabs = [a.get_text(strip=True) for a in home.select(".md-tabs a")]
    assert "权责清单" in tabs and "编辑指南" not in tabs
    assert all("guide/" not in a["href"] for a in home.select(".md-tabs a, .md-nav--primary a"))
    link = home.select_one("footer a[href$='guide/']")
    assert link.get_text(strip=True) == "数据说明/编辑指南"
    assert soup(example_site, "guide/index.html").h1.get_text(strip=True) == "编辑指南"


def test_no_jargon_on_public_pages(example_site):
    for page in public_pages(example_site):
        text = text_of(page)
        assert "提交记录" not in text and "Atom" not in text, page
    changes = soup(example_site, "changes/index.html")
    assert changes.select_one("p.feeds").get_text().startswith("订阅更新：")
    feeds = soup(example_site, "powers/index.html").select_one("p.feeds")
    assert [a.get_text() for a in feeds.select("a")][0] == "权责事项"


def test_a_superseded_policy_has_one_word(example_site):
    old = soup(example_site, "policies/dafagai-2021-374/index.html")
    assert old.select_one(".admonition-title").get_text(strip=True) == "本政策已修订"
    assert {b.get_text(strip=True) for b in old.select(".badge")} == {"已修订"}
    successor = old.select_one(".admonition a.successor")
    assert successor["href"] == "../../policies/dafagai-2024-58/"
    new = soup(example_site, "policies/dafagai-2024-58/index.html")
    assert successor.get_text(strip=True) == new.h1.contents[0].strip()
    for page in public_pages(example_site):
        assert "已被替代" not in text_of(page), page


def test_no_doubled_full_stop(example_site):
    note = soup(example_site, "powers/shichang-xk-002/index.html").select_one(".admonition p:not(.admonition-title)")
    assert note.get_text().endswith("继续有效。")
    for page in public_pages(example_site):
        assert "。。" not in text_of(page), page


def test_home_and_statistics_count_departments_alike(example_site):
    card = soup(example_site, "index.html").select_one("a.card[href='powers/'] small").get_text(strip=True)
    stats = soup(example_site, "stats/index.html").select("p")[1].get_text(" ", strip=True)
    assert card == "13 个部门和单位公布现行事项"
    assert stats.startswith("合计 13 个部门和单位公布现行权责事项")


def tel_links(node) -> dict[str, str]:
    return {a.get_text(strip=True): a["href"] for a in node.select("a[href^='tel:']")}


def test_phone_numbers_are_tel_links(example_site):
    dept = soup(example_site, "departments/yingshang/index.html").select_one("table.facts")
    assert tel_links(dept) == {"0411-39026100": "tel:0411-39026100", "0411-39026199": "tel:0411-39026199"}
    power = soup(example_site, "powers/shichang-xk-002/index.html").select_one("table.facts")
    assert {th.get_text(strip=True) for th in power.select("tr:has(a[href^='tel:']) th")} == {"监督电话", "咨询电话"}
    listing = soup(example_site, "departments/index.html").select_one("table")
    assert tel_links(listing)["0411-39026199"] == "tel:0411-39026199"
    interpretation = soup(example_site, "policies/dafagai-2024-58/index.html").select_one("#interpretation + p")
    assert list(tel_links(interpretation).values())[0].startswith("tel:0411")
    home = soup(example_site, "index.html").select_one("article")
    assert tel_links(home) == {"12345": "tel:12345"}


@pytest.fixture(scope="module")
def subpath_site(tmp_path_factory) -> Path:
    """The example content with base_url under a portal's sub-path."""
    import shutil

    root = tmp_path_factory.mktemp("subpath")
    content = Path(shutil.copytree(EXAMPLE, root / "content"))
    site_yaml = content / "site.yaml"
    text = site_yaml.read_text("utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("base_url:")]
    site_yaml.write_text("\n".join([*lines, "base_url: https://www.example.gov.cn/zwgk/yingshang/", ""]), "utf-8")
    build(content, root / "site", TODAY, log=lambda line: None)
    return root / "site"


def test_404_page_in_chinese_with_search_and_a_way_home(subpath_site):
    page = soup(subpath_site, "404.html")
    assert "Not found" not in page.get_text()
    assert page.title.get_text().startswith("页面不存在")
    article = page.select_one("article")
    assert article.h1.get_text(strip=True) == "页面不存在"
    form = article.select_one("form[role=search]")
    assert form["action"] == "/zwgk/yingshang/search/"
    assert form.select_one("input[name=q]") is not None
    home = article.select_one("a.not-found-home")
    assert home["href"] == "/zwgk/yingshang/" and home.get_text(strip=True) == "返回首页"
