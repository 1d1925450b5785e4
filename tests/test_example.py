"""The bundled example content: a realistic city, built end to end and read back from the HTML."""

from __future__ import annotations

from bs4 import BeautifulSoup

from conftest import EXAMPLE, TODAY
from generator.kinds.powers import CATEGORIES
from generator.pipeline import check


def soup(site, url):
    return BeautifulSoup((site / url / "index.html").read_text("utf-8"), "html.parser").select_one("article")


def test_example_is_a_realistic_city():
    content, site = check(EXAMPLE, TODAY)
    assert content.all_problems() == []
    assert len(site.departments) >= 12
    assert {d.region for d in site.departments.values()} >= {"市本级", "金普新区", "甘井子区"}
    powers = site.records["powers"]
    assert len(powers) >= 200
    assert {p.category for p in powers} == set(CATEGORIES)
    assert {p.status for p in powers} >= {"有效", "已取消", "已下放"}
    assert all(p.changes for p in powers if p.status != "有效")
    assert all(any(b.article for b in p.basis) or p.basis for p in powers)
    assert len(site.records["policies"]) >= 15
    assert all(p.doc_number for p in site.records["policies"])
    assert sum(1 for p in site.records["policies"] if p.interpretation and p.application) >= 10
    assert len(site.records["boards"]) >= 2
    boards = {e.board for b in site.records["boards"] for e in b.entries}
    assert boards == {"red", "black"}
    assert any(e.subject == "张某某" for b in site.records["boards"] for e in b.entries)
    assert sorted(site.withheld) == ["红黑榜 2026-01 2026-01-black-01：公示期已于 2026-06-30 结束，不予公开",
                                     "红黑榜 2026-01 2026-01-black-04：已撤销，不予公开"]
    assert any(item.overdue(TODAY) for m in site.records["measures"] for item in m.items)


def test_every_record_has_its_page(example_site):
    content, site = check(EXAMPLE, TODAY)
    for kind, records in site.records.items():
        for record in records:
            page = soup(example_site, f"{kind}/{record.id}")
            assert page.h1 is not None, (kind, record.id)
    for dept in site.departments:
        assert soup(example_site, f"departments/{dept}").h1.get_text(strip=True) == site.departments[dept].name


def test_department_page_groups_powers_by_category(example_site):
    page = soup(example_site, "departments/shichang")
    headings = [h.get_text(" ", strip=True).split(" ")[0] for h in page.find_all("h2")]
    categories = [h for h in headings if h in CATEGORIES]
    assert categories == [c for c in CATEGORIES if c in categories] and {"行政许可", "行政处罚"} <= set(categories)
    links = page.select("table.records a")
    assert links and all(a["href"].startswith("../../powers/") for a in links)


def test_delegated_power_is_visible_and_marked(example_site):
    page = soup(example_site, "powers/shichang-xk-002")
    assert "已下放" in page.h1.get_text()
    assert "本事项当前状态：已下放" in page.select_one(".admonition").get_text()
    assert page.select_one("#changes + table tbody tr")


def test_superseded_policy_links_both_ways(example_site):
    old = soup(example_site, "policies/dafagai-2021-374")
    assert old.select_one(".admonition a")["href"] == "../../policies/dafagai-2024-58/"
    new = soup(example_site, "policies/dafagai-2024-58")
    assert new.select_one("#supersedes + ul a")["href"] == "../../policies/dafagai-2021-374/"
    assert new.select_one("#interpretation") is not None and new.select_one("#apply") is not None


def test_overdue_measure_is_marked(example_site):
    page = soup(example_site, "measures/2026-yingshang-zhongdian")
    overdue = page.select("tr.overdue")
    assert {tr["id"] for tr in overdue} >= {"2026-rw-06", "2026-rw-07"}
    assert all("逾期" in tr.get_text() for tr in overdue)


def test_home_counts_match_the_content(example_site):
    _, site = check(EXAMPLE, TODAY)
    cards = soup(example_site, "").select(".card strong")
    assert cards[0].get_text() == str(sum(1 for p in site.records["powers"] if p.current))
