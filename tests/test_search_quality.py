"""Search quality on the example site: what the built pages show is what search finds.

The truth is literal matching over the text each record page shows (its main content, without
the history and the lists of other records that name it); the search is the same lookup the
browser runs (generator.output.search_lookup.search, kept in step with assets/search.js)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.kinds import KINDS
from generator.output.search_lookup import search
from generator.output.search_lookup import shown as first_shown
from generator.output.search_text import normalise

# Words and phrases from the pages' visible text: fields of every kind, codes, document numbers.
QUERIES = ("罚款", "现场笔录", "刑事责任", "行政复议", "二十个工作日", "首贷", "食品经营许可", "责令改正",
           "没收违法所得", "中华人民共和国食品安全法", "第三十五条", "0411-39026100", "营业执照", "小微企业",
           "210213010100203", "大发改法规字〔2021〕374号", "大商务发〔2026〕3号", "〔2021〕374号", "消防",
           "市场监督管理局", "施工许可", "张某某", "退休", "申报", "依法")


def page_texts(site, docs: list[list]) -> list[str]:
    """Per search document, the normalised text its record page shows."""
    soups: dict[str, BeautifulSoup] = {}
    anchors: dict[str, set[str]] = {}
    for url, *_ in docs:
        path, _, anchor = url.partition("#")
        anchors.setdefault(path, set()).add(anchor)
    out = []
    for url, *_ in docs:
        path, _, anchor = url.partition("#")
        soup = BeautifulSoup((site / path / "index.html").read_text("utf-8"), "html.parser")
        main = soup.select_one("article.md-content__inner")
        for node in main.select("section.history, table.records"):  # history; a department's powers
            node.decompose()
        for heading in main.find_all("h2", id=lambda i: i in KINDS):  # partials/referrers.html
            heading.find_next_sibling("ul").decompose()
            heading.decompose()
        for other in anchors[path] - {anchor, ""}:  # a board or list page: the other entries are other documents
            node = main.find(id=other)
            if node is not None:
                node.decompose()
        out.append(normalise(main.get_text(" ")))
    return out


@pytest.fixture(scope="module")
def shown(example_site):
    from generator.output.search_lookup import records
    return page_texts(example_site, records(example_site / "search"))


def literal(texts: list[str], query: str) -> set[int]:
    terms = [normalise(t) for t in query.split()]
    return {i for i, text in enumerate(texts) if all(t in text for t in terms)}


def test_search_finds_what_the_pages_show(example_site, shown):
    found_total = expected_total = 0
    low = {}
    for query in QUERIES:
        expected = literal(shown, query)
        assert expected, query
        found = set(search(example_site / "search", query)) & expected
        found_total += len(found)
        expected_total += len(expected)
        if len(found) / len(expected) < 0.8:
            low[query] = f"{len(found)}/{len(expected)}"
    assert low == {}
    assert found_total / expected_total >= 0.95



def test_the_first_ten_results_show_the_query(example_site, shown):
    shown_top = relevant = 0
    wrong = {}
    for query in QUERIES:
        top = first_shown(example_site / "search", query, search(example_site / "search", query))  # what a person sees
        good = literal(shown, query)
        shown_top += len(top)
        relevant += sum(1 for i in top if i in good)
        if any(i not in good for i in top):
            wrong[query] = [i for i in top if i not in good]
    assert relevant / shown_top >= 0.95, wrong


def test_a_replaced_policy_is_found_by_what_its_banner_shows(tmp_path):
    """The banner of a replaced policy names its successor's title and document number: the
    replaced policy's page shows them, so its search document holds them (here the replaced
    policy's own text, which also names its successor, is cut)."""
    import shutil

    from conftest import EXAMPLE, TODAY
    from generator.pipeline import check, search_docs

    content = Path(shutil.copytree(EXAMPLE, tmp_path / "content"))
    old = content / "policies" / "dafagai-2021-374.yaml"
    old.write_text(old.read_text("utf-8").replace("本细则已被《大连市企业投资项目承诺制实施细则》（大发改法规字〔2024〕58号）修订替代。", ""), "utf-8")
    _, site = check(content, TODAY)
    doc = next(d for d in search_docs(site) if d["url"] == "policies/dafagai-2021-374/")
    assert "大发改法规字〔2024〕58号" in doc["text"] and "大连市企业投资项目承诺制实施细则" in doc["text"]
