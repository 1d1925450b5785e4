"""WCAG 2.1 AA with axe-core (tests/vendor/axe.min.js) and full keyboard use, in Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import checked_page


pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")
AXE = (Path(__file__).parent / "vendor/axe.min.js").read_text("utf-8")
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

PAGES = [
    "",  # home
    "powers/",
    "powers/?department=shichang&category=行政许可&category=行政处罚",
    "policies/",
    "boards/",
    "departments/",
    "departments/shichang/",
    "powers/shichang-xk-001/",
    "policies/dafagai-2021-374/",
    "boards/2026-02/",
    "measures/2026-yingshang-zhongdian/",
    "events/",
    "events/kaiban-canyin/",
    "search/?q=食品",
    "stats/",
    "changes/",
]


@pytest.fixture
def page(browser):
    # axe is injected as an inline script, which the site's Content-Security-Policy rightly refuses
    yield from checked_page(browser, bypass_csp=True)


def settle(page) -> None:
    page.wait_for_load_state("networkidle")
    if page.locator("[data-facet-app]").count():
        page.locator(".facet-results:not([aria-busy])").wait_for(state="attached")
    if "search/?q=" in page.url:
        page.locator("#search-page-results .search-result__title").first.wait_for()


def violations(page) -> list[str]:
    page.add_script_tag(content=AXE)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA)
    return [f"{v['id']}: {v['help']} — {[n['target'] for n in v['nodes'][:5]]}" for v in result["violations"]]


def test_example_pages_are_all_checked(example_site):
    for url in PAGES:
        assert (example_site / url.split("?")[0] / "index.html").is_file(), url


@pytest.mark.parametrize("url", PAGES)
def test_wcag_21_aa(page, base_url, url):
    page.goto(base_url + url)
    settle(page)
    assert violations(page) == []


@pytest.mark.parametrize("url", ["", "powers/?category=行政许可", "powers/shichang-xk-001/", "stats/", "search/?q=食品"])
def test_wcag_21_aa_in_elder_mode(page, base_url, url):
    page.goto(base_url)
    page.get_by_role("button", name="长者模式").click()
    page.goto(base_url + url)
    settle(page)
    assert page.evaluate("document.documentElement.classList.contains('elder')")
    assert violations(page) == []


def test_facet_panel_expanded_passes(page, base_url):
    page.goto(base_url + "powers/")
    settle(page)
    page.locator('fieldset[data-facet="department"] .facet-more').click()
    page.keyboard.type("市场")
    assert violations(page) == []


def test_skip_link_is_first_and_moves_focus_to_the_content(page, base_url):
    page.goto(base_url + "powers/shichang-xk-001/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "跳至正文"
    skip = page.locator("a.care-skip")
    assert skip.is_visible()
    box = skip.bounding_box()
    assert box["width"] > 10 and box["y"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#main-content') !== null")


def test_keyboard_focus_is_always_visible(page, base_url):
    page.goto(base_url + "powers/")
    settle(page)
    seen = 0
    for _ in range(40):
        page.keyboard.press("Tab")
        outline = page.evaluate("(() => { const s = getComputedStyle(document.activeElement);"
                                " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()")
        tag = page.evaluate("document.activeElement.tagName")
        if tag == "BODY":
            continue
        seen += 1
        assert outline[0] != "none" and outline[1] >= 2, (tag, page.evaluate("document.activeElement.outerHTML")[:120])
    assert seen >= 30


def test_elder_switch_is_a_keyboard_toggle_button(page, base_url):
    page.goto(base_url + "stats/")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.hasAttribute('data-care-toggle')")
    page.keyboard.press("Enter")
    assert page.evaluate("document.documentElement.classList.contains('elder')")
    assert page.get_by_role("button", name="长者模式", pressed=True).is_visible()
    page.keyboard.press("Space")
    assert not page.evaluate("document.documentElement.classList.contains('elder')")


def test_every_page_has_the_switch_and_the_skip_link(example_site):
    for path in [example_site / "index.html", *example_site.glob("*/index.html"), *example_site.glob("*/*/index.html")]:
        html = path.read_text("utf-8")
        assert 'class="md-skip care-skip" href="#main-content"' in html, path
        assert "data-care-toggle" in html and 'id="main-content"' in html, path
