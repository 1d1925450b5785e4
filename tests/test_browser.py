"""The public's path through the site, in a real Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import EXAMPLE, TODAY


pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")


def test_home_to_department_to_power(page, base_url):
    page.goto(base_url)
    assert page.locator("article h1").first.inner_text().endswith("营商环境公开平台")
    page.get_by_role("navigation").get_by_role("link", name="部门", exact=True).first.click()
    page.wait_for_url("**/departments/")
    page.get_by_role("link", name="大连市市场监督管理局").first.click()
    page.wait_for_url("**/departments/shichang/")
    assert page.locator("article h1").inner_text() == "大连市市场监督管理局"
    first_power = page.locator("article table.records a").first
    name = first_power.inner_text()
    first_power.click()
    page.wait_for_url("**/powers/**")
    assert page.locator("article h1").inner_text().startswith(name)
    assert page.locator("#basis").is_visible()


@pytest.mark.parametrize("query, expected", [("食品生产", "食品生产许可"), ("施工许可", "建筑工程施工许可证核发")])
def test_chinese_search_from_the_header(page, base_url, query, expected):
    page.goto(base_url + "policies/")
    page.get_by_role("combobox", name="搜索权责事项、政策、红黑榜").fill(query)
    results = page.locator(".site-search__results .search-result__title")
    results.first.wait_for()
    titles = results.all_inner_texts()
    assert any(expected in t for t in titles), titles
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=*")
    page.locator("#search-page-results .search-result__title").first.wait_for()
    assert any(expected in t for t in page.locator("#search-page-results .search-result__title").all_inner_texts())
    page.locator("#search-page-results .search-result__title", has_text=expected).first.click()
    page.wait_for_url("**/powers/**")
    assert expected in page.locator("article h1").inner_text()


def test_phone_layout_has_no_horizontal_scroll(browser, base_url):
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    for url in ("", "powers/", "departments/shichang/"):
        page.goto(base_url + url)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), url
    context.close()


def test_browser_search_matches_the_python_index(page, base_url, example_site):
    """assets/search.js and generator/output/search_lookup.py must agree on every query."""
    from generator.output.search_lookup import search

    from test_search import QUERIES
    from test_search_quality import QUERIES as SHOWN

    page.goto(base_url)
    for query in (*QUERIES, *SHOWN, "〔2024〕15号", "食品 安全", "食品安全"):
        ids = page.evaluate("q => window.siteSearch.search('', q).then(r => r.ids)", query)
        assert ids == search(example_site / "search", query), query


def test_browser_and_python_agree_when_lists_have_files_of_their_own(page, example_site, tmp_path, monkeypatch):
    """The paths a city's index takes (frequent pairs in files of their own, fetched rarest
    first; a few records checked against their texts; a word past its byte budget), forced on
    the example by lowering the thresholds: the browser and Python agree, and find everything
    the ordinary index finds."""
    import shutil

    from browser import serve_directory
    from generator.output import search as index  # the writer: its files-of-their-own and meta settings
    from generator.output.search_lookup import search
    from generator.pipeline import check, search_docs
    from test_search import QUERIES
    from test_search_quality import QUERIES as SHOWN

    site = Path(shutil.copytree(example_site, tmp_path / "site"))
    monkeypatch.setattr(index, "OWN_FILE", 20)
    monkeypatch.setattr(index, "VERIFY", 2)
    monkeypatch.setattr(index, "BUDGET", 400)  # a word past it: an estimate, never fewer records
    shutil.rmtree(site / "search" / "g")
    _, model = check(EXAMPLE, TODAY)
    for name, data in index.build_index(search_docs(model)).items():
        (site / "search" / name).parent.mkdir(parents=True, exist_ok=True)
        (site / "search" / name).write_bytes(data)
    assert len(list((site / "search" / "p").glob("*.json"))) > 100
    with serve_directory(site) as url:
        page.goto(url)
        for query in (*QUERIES, *SHOWN, "〔2024〕15号", "食品 安全", "大连市市场监督管理局行政处罚"):
            ids = page.evaluate("q => window.siteSearch.search('', q).then(r => r.ids)", query)
            assert ids == search(site / "search", query), query
            assert set(ids) >= set(search(example_site / "search", query)), query


def test_a_word_naming_a_filter_offers_the_filtered_list(page, base_url):
    page.goto(base_url + "search/?q=" + "行政处罚")
    page.locator("#search-page-results .search-result__title").first.wait_for()
    offer = page.get_by_role("link", name="只看 职权类型：行政处罚")
    offer.click()
    page.wait_for_url("**/powers/?category=*")
    page.locator(".facet-results .facet-result-title").first.wait_for()
    assert page.locator("input[name=category][value=行政处罚]").is_checked()


def test_traditional_query_in_the_browser(page, base_url, example_site):
    from generator.output.search_lookup import search

    page.goto(base_url)
    for query in ("食品生產許可", "營業執照", "開辦", "开饭店", "办营业执照", "新办企业", "食品经营许可", "开饭店 许可"):
        ids = page.evaluate("q => window.siteSearch.search('', q).then(r => r.ids)", query)
        assert ids and ids == search(example_site / "search", query), query


def test_header_search_is_a_combobox_that_announces_only_the_count(page, base_url):
    page.goto(base_url + "policies/")
    box = page.get_by_role("combobox", name="搜索权责事项、政策、红黑榜")
    assert box.get_attribute("aria-expanded") == "false"
    box.press_sequentially("食品生产", delay=80)  # typed like a person, one key at a time
    page.wait_for_load_state("networkidle")  # the last key's results, not an earlier prefix's
    status = page.locator("#site-search-status")
    page.wait_for_function("() => /^找到 \\d+ 条结果$/.test(document.getElementById('site-search-status').textContent)")
    assert status.get_attribute("aria-live") == "polite"
    assert page.locator(".site-search [aria-live]").count() == 1  # the result list itself is not announced
    assert box.get_attribute("aria-expanded") == "true"
    options = page.get_by_role("listbox", name="搜索结果").get_by_role("option")
    assert options.count() >= 2
    box.press("ArrowDown")
    box.press("ArrowDown")
    second = options.nth(1)
    assert box.get_attribute("aria-activedescendant") == second.get_attribute("id")
    assert second.get_attribute("aria-selected") == "true"
    title = second.locator(".search-result__title").inner_text()
    box.press("ArrowUp")
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url("**/?q=*")
    assert page.locator("article h1").inner_text().startswith(title)
    assert "q=%E9%A3%9F%E5%93%81%E7%94%9F%E4%BA%A7" in page.url


def test_search_page_form_has_an_action(page, base_url):
    page.goto(base_url + "search/?q=罚款")
    page.locator("#search-page-input").fill("刑事责任")
    page.locator("#search-page-input").press("Enter")
    page.wait_for_url("**/search/?q=*")
    page.locator("#search-page-results .search-result__title").first.wait_for()
    assert page.url.endswith("/search/?q=%E5%88%91%E4%BA%8B%E8%B4%A3%E4%BB%BB")  # the form stays on the search page


def test_a_result_link_carries_the_query_and_the_record_page_marks_it(page, base_url):
    page.goto(base_url + "search/?q=" + "现场笔录")
    first = page.locator("#search-page-results .search-result__title").first
    first.wait_for()
    assert "?q=" in first.get_attribute("href")
    first.click()
    page.wait_for_url("**/?q=*")
    marks = page.locator("article mark")
    marks.first.wait_for()
    assert set(marks.all_inner_texts()) == {"现场笔录"}


def test_closest_matches_under_a_notice(page, base_url, example_site):
    from generator.output.search_lookup import closest

    page.goto(base_url)
    for query in ("食品生产许课", "许可食品生产"):
        ids = page.evaluate("q => window.siteSearch.searchOrClosest('', q).then(r => r.ids)", query)
        assert ids and ids == closest(example_site / "search", query), query
    page.goto(base_url + "search/?q=" + "食品生产许课")
    page.locator("#search-page-results .search-result__title").first.wait_for()
    assert page.locator("#search-page-results .search-summary").inner_text().startswith("没有完全匹配“食品生产许课”的结果，以下是相近的")


def test_result_titles_mark_the_query(page, base_url):
    page.goto(base_url + "search/?q=" + "食品生产")
    page.locator("#search-page-results .search-result__title").first.wait_for()
    assert page.locator("#search-page-results .search-result__title mark").first.inner_text() == "食品生产"


def test_results_show_a_snippet_with_the_query_marked(page, base_url):
    """The text around the query in the record's page text, the query marked: on the search
    page and in the header box."""
    page.goto(base_url + "search/?q=" + "现场笔录")
    snippet = page.locator("#search-page-results .search-result__snippet").first
    snippet.wait_for()
    assert snippet.locator("mark").first.inner_text() == "现场笔录"
    assert len(snippet.inner_text()) > len("现场笔录") + 10  # with the words around it
    page.goto(base_url)
    page.locator(".site-search__input").first.fill("首贷")
    header = page.locator(".site-search__results .search-result__snippet mark").first
    header.wait_for()
    assert header.inner_text() == "首贷"


def test_header_results_come_from_the_text_chunks_alone(page, base_url, example_site):
    """A result's title, link, kind and meta come with its texts (search/t/): no other file
    per result (the document chunks d/ are gone)."""
    from generator.output.search_lookup import records, search

    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(base_url + "policies/")
    page.get_by_role("combobox", name="搜索权责事项、政策、红黑榜").fill("食品生产")
    first = page.locator(".site-search__results .search-result").first
    first.wait_for()
    url, title, kind, meta = records(example_site / "search")[search(example_site / "search", "食品生产")[0]]
    assert first.locator(".search-result__title").inner_text() == title
    assert first.locator(".search-result__title").get_attribute("href").startswith("../" + url.partition("#")[0] + "?q=")
    assert first.locator(".search-result__kind").inner_text() == kind
    assert meta and first.locator(".search-result__meta").inner_text() == meta
    searched = [u.split("/search/")[1] for u in fetched if "/search/" in u]
    assert any(u.startswith("t/") for u in searched) and not any(u.startswith("d/") for u in searched), searched


def test_focusing_the_search_box_loads_the_index_head_before_typing(page, base_url):
    """meta.json and fold.json are fetched when the box gets focus (a person clicks it before
    typing), and when the search page opens, not at the first key."""
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(base_url + "policies/")
    page.wait_for_load_state("networkidle")
    assert not [u for u in fetched if "/search/" in u]  # a page nobody searches on downloads no index
    page.get_by_role("combobox", name="搜索权责事项、政策、红黑榜").focus()
    page.wait_for_load_state("networkidle")
    assert {u.split("/search/")[1] for u in fetched if "/search/" in u} == {"meta.json", "fold.json"}
    fetched.clear()
    page.goto(base_url + "search/")
    page.wait_for_load_state("networkidle")
    assert {u.split("/search/", 1)[1] for u in fetched if "/search/meta.json" in u or "/search/fold.json" in u} \
        == {"meta.json", "fold.json"}


def test_browser_normalises_text_as_the_index_does(page, base_url):
    """search.js folds only the characters fold.json names (the rest as NFKC, lower case):
    the same text as search_text.normalise, Traditional, full-width and combining marks alike."""
    from generator.output.search_text import normalise

    page.goto(base_url)
    text = "食品生產許可 營業執照 ＡＢＣ１２３ Café Cafe\u0301 ｶﾀｶﾅ 〔2021〕374號 𠀀 ﬁ ⅣSTRASSE"
    assert page.evaluate("t => window.siteSearch.search('', '食品').then(() => window.siteSearch.normalise(t))", text) \
        == normalise(text)


def test_a_codes_tokens_are_looked_up_with_its_pairs(page, base_url, example_site):
    """A code's letters-and-digits tokens (search_tokens) are requested in the same round as its
    pairs' shards, not after them: one round trip fewer for codes, numbers and phones."""
    import json

    from generator.output.search_lookup import shard_of
    from generator.output.search_tokens import token_filters
    from generator.output.search_text import normalise

    shards = json.loads((example_site / "search/meta.json").read_text("utf-8"))["shards"]
    keys = token_filters(normalise("〔2021〕374号"))
    assert keys == ["%2021", "%374"]
    events: list[tuple[str, str]] = []
    page.on("request", lambda r: events.append(("sent", r.url.split("/search/")[-1])))
    page.on("requestfinished", lambda r: events.append(("done", r.url.split("/search/")[-1])))
    page.goto(base_url)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("q => window.siteSearch.search('', q).then(r => r.ids.length)", "〔2021〕374号")
    first_done = next(i for i, (what, name) in enumerate(events) if what == "done" and name.startswith("g/"))
    sent = [name for what, name in events[:first_done] if what == "sent"]
    assert {f"g/{shard_of(k, shards)}.json" for k in keys} <= set(sent), events


def test_an_index_file_that_failed_on_focus_is_fetched_again_when_typing(page, base_url):
    """The early load on focus must not make a passing network failure stick."""
    failed: list[str] = []

    def once(route):
        if not failed:
            failed.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/search/meta.json", once)
    page.goto(base_url + "policies/")
    box = page.get_by_role("combobox", name="搜索权责事项、政策、红黑榜")
    box.focus()
    page.wait_for_load_state("networkidle")
    assert failed
    box.fill("食品生产")
    page.locator(".site-search__results .search-result").first.wait_for()
    assert page.locator("#site-search-status").inner_text().startswith("找到")
