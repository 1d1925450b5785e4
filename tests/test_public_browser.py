"""Facets and their URL state, 长者模式, sub-path deployment and zero third-party requests, in Chromium."""

from __future__ import annotations

import json
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest

from browser import serve_directory

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")
SUBPATH = "zwgk/yingshang/"


@pytest.fixture(scope="session")
def powers(example_site) -> list[dict]:
    return json.loads((example_site / "data/powers.json").read_text("utf-8"))


class Visit:
    """A browser page that records every request and fails the test on script errors or 4xx/5xx."""

    def __init__(self, browser, **options):
        options = {"locale": "zh-CN", "viewport": {"width": 1280, "height": 900}, **options}
        self.context = browser.new_context(**options)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("response", lambda r: r.status >= 400 and self.errors.append(f"{r.status} {r.url}"))


@pytest.fixture
def visit(browser):
    visits = []

    def make(**options) -> Visit:
        visits.append(Visit(browser, **options))
        return visits[-1]

    yield make
    for v in visits:
        v.context.close()
        assert v.errors == []


@pytest.fixture
def page(visit):
    return visit().page


def status_count(page) -> int:
    text = page.locator(".facet-status").inner_text()
    return int(text.split("共 ")[1].split(" ")[0])


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def checkbox(page, facet: str, value: str):
    return page.locator(f'fieldset[data-facet="{facet}"] input[value="{value}"]')


def wait_results(page):
    """Until the result rows are painted (no wait_for_function: the site's CSP forbids eval)."""
    page.locator(".facet-results:not([aria-busy])").wait_for(state="attached")


def test_facets_count_or_within_and_across(page, base_url, powers):
    page.goto(base_url + "powers/")
    wait_results(page)
    assert status_count(page) == len(powers)
    assert page.locator("[data-facet-fallback]").is_hidden()
    counts = Counter(p["category"] for p in powers)
    first = page.locator('fieldset[data-facet="category"] li').first.inner_text()
    assert first.endswith(f"（{counts.most_common(1)[0][1]}）")

    checkbox(page, "category", "行政许可").check()
    wait_results(page)
    assert query(page) == {"category": ["行政许可"]}
    assert status_count(page) == counts["行政许可"]
    metas = page.locator(".facet-results .facet-result-meta").all_inner_texts()
    assert metas and all("行政许可" in m for m in metas)

    checkbox(page, "category", "行政处罚").check()
    wait_results(page)
    assert sorted(query(page)["category"]) == sorted(["行政许可", "行政处罚"])
    assert status_count(page) == counts["行政许可"] + counts["行政处罚"]

    checkbox(page, "department", "shichang").check()
    wait_results(page)
    expected = [p for p in powers if p["category"] in ("行政许可", "行政处罚") and p["department"] == "shichang"]
    assert status_count(page) == len(expected)
    assert query(page)["department"] == ["shichang"]
    shown = page.locator(".facet-results .facet-result-title").all_inner_texts()
    assert sorted(shown) == sorted(p["name"] for p in expected)[:50] or len(expected) > 50
    # a facet's own counts ignore its own selection: other categories still show what adding them would give
    both = Counter(p["category"] for p in powers if p["department"] == "shichang")
    assert checkbox(page, "category", "行政检查").locator("xpath=..").inner_text().endswith(f"（{both['行政检查']}）")


def test_filtered_view_from_a_shared_url_and_back_forward(page, base_url, powers):
    page.goto(base_url + "powers/?department=shichang&category=行政许可&category=行政处罚")
    wait_results(page)
    assert checkbox(page, "department", "shichang").is_checked()
    assert checkbox(page, "category", "行政许可").is_checked() and checkbox(page, "category", "行政处罚").is_checked()
    assert status_count(page) == sum(1 for p in powers if p["department"] == "shichang"
                                     and p["category"] in ("行政许可", "行政处罚"))
    chips = page.locator(".facet-chips button").all_inner_texts()
    assert len(chips) == 3

    page.goto(base_url + "powers/")
    wait_results(page)
    first_page = page.locator(".facet-results .facet-result-title").first.inner_text()
    page.get_by_role("link", name="下一页").click()
    wait_results(page)
    assert query(page) == {"page": ["2"]}
    assert page.locator(".facet-results").get_attribute("start") == "51"
    assert page.locator(".facet-results .facet-result-title").first.inner_text() != first_page
    checkbox(page, "status", "已取消").check()
    wait_results(page)
    assert query(page) == {"status": ["已取消"]}

    page.go_back()
    wait_results(page)
    assert query(page) == {"page": ["2"]} and not checkbox(page, "status", "已取消").is_checked()
    page.go_back()
    wait_results(page)
    assert query(page) == {}
    assert page.locator(".facet-results .facet-result-title").first.inner_text() == first_page
    page.go_forward()
    wait_results(page)
    assert page.locator(".facet-results").get_attribute("start") == "51"


def test_facets_by_keyboard(page, base_url):
    page.goto(base_url + "powers/")
    wait_results(page)
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('fieldset[data-facet]') !== null"):
            break
    assert page.evaluate("document.activeElement.type") == "checkbox"
    page.keyboard.press("Space")
    wait_results(page)
    assert page.evaluate("document.activeElement.checked") is True
    assert query(page)  # the state went to the URL
    more = page.locator('fieldset[data-facet="department"] .facet-more')
    more.focus()
    page.keyboard.press("Enter")
    assert more.get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.activeElement.classList.contains('facet-filter')")
    page.keyboard.type("交通")
    visible = page.locator('fieldset[data-facet="department"] li:visible').all_inner_texts()
    assert visible and all("交通" in v or "（" in v for v in visible)
    assert any("交通" in v for v in visible)
    page.get_by_role("button", name="清除全部条件").press("Enter")
    wait_results(page)
    assert query(page) == {}


def test_policy_topics_are_or_within_the_facet(page, base_url, example_site):
    policies = json.loads((example_site / "data/policies.json").read_text("utf-8"))
    topics = Counter(t for p in policies for t in p["topics"].split("；") if t)
    (a, _), (b, _) = topics.most_common(2)
    page.goto(base_url + "policies/?topic=" + a + "&topic=" + b)
    wait_results(page)
    assert status_count(page) == sum(1 for p in policies if {a, b} & set(p["topics"].split("；")))
    page.goto(base_url + "boards/?board=black")
    wait_results(page)
    boards = json.loads((example_site / "data/boards.json").read_text("utf-8"))
    assert status_count(page) == sum(1 for e in boards if e["board"] == "black")
    badges = page.locator(".facet-results .badge--black, .facet-results .badge--red").all_inner_texts()
    assert set(badges) == {"黑榜"} and len(badges) == status_count(page)
    link = page.locator(".facet-results a").first.get_attribute("href")
    assert link.startswith("../boards/") and "#" in link


def test_lists_are_browsable_without_javascript(visit, base_url):
    page = visit(java_script_enabled=False).page
    page.goto(base_url + "powers/")
    assert page.locator("[data-facet-app]").is_hidden()
    assert page.locator("[data-facet-fallback]").is_visible()
    page.locator("[data-facet-fallback]").get_by_role("link", name="大连市市场监督管理局", exact=True).click()
    page.wait_for_url("**/departments/shichang/")
    page.goto(base_url + "policies/")
    assert page.locator("[data-facet-fallback] tbody tr").count() > 5
    assert page.locator(".care-toggle").is_hidden()  # the switch needs the script


def test_elder_mode_persists_across_pages_and_visits(visit, base_url):
    v = visit()
    page = v.page
    page.goto(base_url + "policies/")
    size = lambda: page.evaluate("parseFloat(getComputedStyle(document.querySelector('article p')).fontSize)")  # noqa: E731
    normal = size()
    toggle = page.get_by_role("button", name="长者模式")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert page.evaluate("document.documentElement.classList.contains('elder')")
    assert toggle.get_attribute("aria-pressed") == "true"
    assert size() >= normal * 1.25
    spacing = page.evaluate("(() => { const s = getComputedStyle(document.querySelector('article p'));"
                            " return parseFloat(s.lineHeight) / parseFloat(s.fontSize); })()")
    assert spacing >= 1.5
    page.get_by_role("navigation").get_by_role("link", name="统计", exact=True).first.click()
    page.wait_for_url("**/stats/")
    assert page.evaluate("document.documentElement.classList.contains('elder')")
    assert page.get_by_role("button", name="长者模式").get_attribute("aria-pressed") == "true"
    other = v.context.new_page()  # a later visit in the same browser
    other.goto(base_url + "powers/shichang-xk-001/")
    assert other.evaluate("document.documentElement.classList.contains('elder')")
    other.get_by_role("button", name="长者模式").click()
    other.reload()
    assert not other.evaluate("document.documentElement.classList.contains('elder')")


def test_elder_mode_does_not_rely_on_colour(page, base_url):
    page.goto(base_url + "powers/shichang-xk-001/")
    page.get_by_role("button", name="长者模式").click()
    decoration = page.evaluate("getComputedStyle(document.querySelector('article p a, article td a')).textDecorationLine")
    assert "underline" in decoration
    badge = page.evaluate("getComputedStyle(document.querySelector('.badge--ok'), '::before').content")
    assert "✓" in badge


def test_phone_layout_of_lists_and_statistics(visit, base_url):
    page = visit(viewport={"width": 375, "height": 740}, is_mobile=True).page
    for url in ("powers/?category=行政许可", "stats/", "changes/", "policies/"):
        page.goto(base_url + url)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), url
    page.get_by_role("button", name="长者模式").click()
    page.goto(base_url + "powers/")
    wait_results(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_print_stylesheet_prints_the_record_only(page, base_url):
    page.goto(base_url + "departments/shichang/")
    page.emulate_media(media="print")
    assert page.locator(".md-header").is_hidden()
    assert page.locator(".md-sidebar--primary").is_hidden()
    assert page.locator(".md-footer").is_hidden()
    assert page.locator("article h1").is_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('article table.records td')).borderTopStyle") == "solid"


def test_statistics_charts_are_inline_svg(page, base_url):
    page.goto(base_url + "stats/")
    assert page.locator("figure.stat svg.chart").count() >= 6
    assert page.locator("#categories svg rect").count() == page.locator("#categories tbody tr").count()
    assert "个市直部门公布了" in page.locator("article p.lead").inner_text()


def tour(page, base: str) -> None:
    """Home → list with facets → record → statistics → search, following links the way a visitor does."""
    page.goto(base)
    page.get_by_role("navigation").get_by_role("link", name="权责清单", exact=True).first.click()
    page.wait_for_url("**/powers/")
    wait_results(page)
    checkbox(page, "category", "行政许可").check()
    wait_results(page)
    page.locator(".facet-results a").first.click()
    page.wait_for_url("**/powers/*/")
    assert page.locator("section.history h2").inner_text() == "修改历史"
    page.get_by_role("navigation").get_by_role("link", name="统计", exact=True).first.click()
    page.wait_for_url("**/stats/")
    page.get_by_role("combobox", name="搜索权责事项、政策、红黑榜").fill("食品生产")
    page.locator(".site-search__results .search-result__title").first.wait_for()
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=*")
    page.locator("#search-page-results .search-result__title").first.wait_for()
    page.goto(base + "feeds/powers.xml")
    page.goto(base + "changes/")


def test_zero_third_party_requests(visit, base_url):
    v = visit()
    tour(v.page, base_url)
    origin = base_url.rstrip("/")
    assert v.requests and all(url.startswith(origin + "/") for url in v.requests), \
        [u for u in v.requests if not u.startswith(origin)]
    assert any("/assets/facets.js" in u for u in v.requests) and any("/facets/powers/rows/" in u for u in v.requests)


def test_works_under_a_sub_path(visit, example_site):
    with serve_directory(example_site, prefix=SUBPATH) as base:
        assert base.endswith("/" + SUBPATH)
        v = visit()
        tour(v.page, base)
        v.page.goto(base + "powers/?department=shichang")
        wait_results(v.page)
        v.page.locator(".facet-results a").first.click()
        v.page.wait_for_url(base + "powers/*/")
        v.page.get_by_role("button", name="长者模式").click()
        v.page.goto(base + "stats/")
        assert v.page.evaluate("document.documentElement.classList.contains('elder')")
    assert all(url.startswith(base) for url in v.requests), [u for u in v.requests if not u.startswith(base)]
