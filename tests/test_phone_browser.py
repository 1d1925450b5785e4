"""A 390 px phone, in the normal look and in 长者模式 (issue 15): results before filters on the powers
list, a count that changes visibly on a tick, no clipped cell, no sideways scroll, badges on one line."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")
PHONE = {"width": 390, "height": 844}
AXE = (Path(__file__).parent / "vendor/axe.min.js").read_text("utf-8")
PAGES = ["", "powers/", "policies/", "boards/", "departments/", "departments/shichang/", "powers/shichang-xk-002/",
         "policies/dafagai-2021-374/", "boards/2026-02/", "measures/2026-yingshang-zhongdian/", "events/",
         "events/kaiban-canyin/", "stats/", "changes/"]


@pytest.fixture(params=["normal", "elder"])
def phone(request, browser):
    """A phone-sized page, in 长者模式 when the visitor chose it (as elder.js remembers the choice)."""
    # bypass_csp: axe is injected as an inline script, which the site's policy rightly refuses
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    if request.param == "elder":
        context.add_init_script("localStorage.setItem('yingshang-elder-mode', '1')")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == []


def settle(page) -> None:
    page.wait_for_load_state("networkidle")
    if page.locator("[data-facet-app]").count():
        page.locator(".facet-results:not([aria-busy]) li").first.wait_for()


LAYOUT = """() => {
  const doc = document.documentElement;
  const clipped = [...document.querySelectorAll('article td, article th')]
    .filter(c => c.getClientRects().length && c.scrollWidth > c.clientWidth + 1)
    .map(c => c.textContent.trim().slice(0, 30));
  const wrapped = [...document.querySelectorAll('.badge')]
    .filter(b => b.getClientRects().length > 1 || b.getBoundingClientRect().height > 2.2 * parseFloat(getComputedStyle(b).fontSize))
    .map(b => b.textContent.trim());
  return {overflow: doc.scrollWidth - doc.clientWidth, clipped, wrapped};
}"""


@pytest.mark.parametrize("path", PAGES)
def test_nothing_clipped_or_wrapped_on_a_phone(phone, base_url, path):
    phone.goto(base_url + path)
    settle(phone)
    layout = phone.evaluate(LAYOUT)
    assert layout == {"overflow": 0, "clipped": [], "wrapped": []}


def test_measures_are_cards_on_a_phone(phone, base_url):
    phone.goto(base_url + "measures/2026-yingshang-zhongdian/")
    settle(phone)
    rows = phone.locator("table.records tbody tr")
    first = rows.first.bounding_box()
    assert first["width"] > 300  # one card a row, the whole width of the screen
    status = rows.first.locator("td").last
    assert status.is_visible() and status.bounding_box()["x"] + status.bounding_box()["width"] <= PHONE["width"]
    # a task's text gets the card's width, not a sliver: more than four characters a line
    text = rows.first.locator("td").nth(1)
    assert text.bounding_box()["width"] > 250


def test_powers_list_shows_results_first_and_a_count_that_changes(phone, base_url):
    phone.goto(base_url + "powers/")
    settle(phone)
    first = phone.locator(".facet-results li").first.bounding_box()
    assert first["y"] + 20 < PHONE["height"]  # the first result is on the first screen
    panel = phone.locator("details.facet-panel")
    assert panel.get_attribute("open") is None  # filters folded away on a phone
    status = phone.locator(".facet-status")
    assert status.get_attribute("aria-live") == "polite"
    before = phone.locator(".facet-panel summary").inner_text()
    phone.locator(".facet-panel summary").click()
    phone.locator('fieldset[data-facet="category"] input').first.check()
    phone.locator(".facet-results:not([aria-busy])").wait_for(state="attached")
    after = phone.locator(".facet-panel summary").inner_text()
    assert before != after and "符合条件" in after
    shown = phone.locator(".facet-panel .facet-apply")
    box = shown.bounding_box()  # the count stays in sight while the ticked box is
    assert shown.is_visible() and 0 <= box["y"] and box["y"] + box["height"] <= PHONE["height"]
    assert "查看" in shown.inner_text()
    assert shown.inner_text().split("查看 ")[1].split(" ")[0] == status.inner_text().split("共 ")[1].split(" ")[0]
    shown.click()
    assert panel.get_attribute("open") is None
    assert phone.locator(".facet-results li").first.is_visible()


@pytest.mark.parametrize("path", ["powers/", "measures/2026-yingshang-zhongdian/", "policies/dafagai-2021-374/"])
def test_no_wcag_violation_on_a_phone(phone, base_url, path):
    phone.goto(base_url + path)
    settle(phone)
    phone.add_script_tag(content=AXE)
    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
    result = phone.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", tags)
    assert [v["id"] for v in result["violations"]] == []
