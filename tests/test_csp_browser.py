"""The Content-Security-Policy in a real Chromium: the site works under it without a single
violation, and markup in content never runs (search results included). `browser` and
`base_url` (the example site) come from conftest.py."""

from __future__ import annotations

import pytest

from browser import serve_directory
from conftest import TODAY, write_tree
from generator.pipeline import build

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")

# Installed before any page script: records every violation the policy reports.
LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(
  e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline') + ' ' + (e.sample || '') + ' at ' + e.sourceFile + ':' + e.lineNumber));
"""


class Watched:
    """A page whose CSP violations, console errors, script errors and dialogs are collected."""

    def __init__(self, browser):
        self.context = browser.new_context(locale="zh-CN")
        self.page = self.context.new_page()
        self.page.add_init_script(LISTEN)
        self.console: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.console.append(m.text) if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def visit(self, url: str) -> None:
        self.page.goto(url)
        self.page.wait_for_load_state("networkidle")

    def violations(self) -> list[str]:
        return self.page.evaluate("window.__violations")

    def problems(self) -> list[str]:
        return self.violations() + [m for m in self.console if "Content Security Policy" in m or "pageerror" in m] + self.dialogs


@pytest.fixture
def watched(browser):
    w = Watched(browser)
    yield w
    w.context.close()


@pytest.mark.parametrize("path", ["", "powers/", "powers/shichang-xk-001/", "policies/", "boards/", "departments/shichang/",
                                  "stats/", "changes/", "guide/", "search/?q=许可", "404.html"])
def test_pages_run_under_the_policy_without_violations(watched, base_url, path):
    watched.visit(base_url + path)
    assert watched.page.locator("meta[http-equiv='Content-Security-Policy']").count() == 1
    assert watched.problems() == []


def test_search_works_under_the_policy(watched, base_url):
    watched.visit(base_url + "powers/")
    watched.page.get_by_role("combobox", name="搜索权责事项、政策、红黑榜").fill("食品生产")
    watched.page.locator(".site-search__results .search-result__title").first.wait_for()
    watched.page.keyboard.press("Enter")
    watched.page.wait_for_url("**/search/?q=*")
    watched.page.locator("#search-page-results .search-result__title").first.wait_for()
    assert watched.problems() == []


def test_inline_script_from_anywhere_is_blocked(watched, base_url):
    """Even if markup slipped past escaping and the scan, the policy would not run it."""
    watched.visit(base_url)
    watched.page.evaluate("""() => {
        const s = document.createElement('script'); s.textContent = 'window.__ran = 1'; document.body.append(s);
        const img = document.createElement('img'); img.setAttribute('onerror', 'window.__ran = 2'); img.src = 'x:'; document.body.append(img);
    }""")
    watched.page.wait_for_timeout(200)
    assert watched.page.evaluate("window.__ran") is None
    assert any(v.startswith("script-src") for v in watched.violations())


MARKUP = '<script>alert(1)</script><img src=x onerror=alert(2)>{{ 7*7 }}'


@pytest.fixture(scope="module")
def markup_site(tmp_path_factory):
    from conftest import MINIMAL

    root = tmp_path_factory.mktemp("markup")
    content = write_tree(root / "content", {**MINIMAL, "policies/p1.yaml": (
        f"id: p1\ntitle: '关于{MARKUP}的通知'\nissuers: [shichang]\nissued: 2024-01-01\nstatus: 有效\n"
        f"summary: '概述{MARKUP}'\nbody: '正文 [链接](javascript:alert(3)) {MARKUP}'\n")})
    build(content, root / "site", TODAY, log=lambda line: None, workers=1)
    with serve_directory(root / "site") as url:
        yield url


def test_markup_in_content_shows_as_text_on_pages_and_in_search_results(watched, markup_site):
    watched.visit(markup_site + "policies/p1/")
    assert MARKUP in watched.page.locator("article h1").inner_text()
    watched.page.get_by_role("combobox", name="搜索权责事项、政策、红黑榜").fill("关于")
    title = watched.page.locator(".site-search__results .search-result__title").first
    title.wait_for()
    assert MARKUP in title.inner_text()
    watched.visit(markup_site + "search/?q=通知")
    watched.page.locator("#search-page-results .search-result__title").first.wait_for()
    assert MARKUP in watched.page.locator("#search-page-results").inner_text()
    assert watched.dialogs == [] and watched.problems() == []
