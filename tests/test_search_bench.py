"""The search benchmark (benchmarks/search_compare.py, search_truth.py) on the example site: its
truth is the quality tests' truth, Pagefind indexes what the record pages show, both engines are
measured from the browser, and `--search-only` reuses a site built before."""

from __future__ import annotations

import gzip
import json
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

import run  # noqa: E402
import search_compare  # noqa: E402
import search_truth  # noqa: E402
from test_search_quality import page_texts  # noqa: E402

from generator.output.search_text import normalise  # noqa: E402


@pytest.fixture(scope="module")
def site_copy(example_site, tmp_path_factory) -> Path:
    """The example site in a folder of its own (Pagefind writes its bundle into the site)."""
    site = tmp_path_factory.mktemp("bench") / "site"
    shutil.copytree(example_site, site)
    return site


def test_page_truth_is_the_quality_tests_truth(example_site):
    rows = search_truth.documents(example_site / "search")
    fast = search_truth.page_texts(example_site, rows)
    slow = page_texts(example_site, rows)
    assert len(fast) == len(rows) > 300
    assert [" ".join(t.split()) for t in fast] == [" ".join(t.split()) for t in slow]


def test_query_sets_come_from_what_the_pages_show(example_site):
    texts = search_truth.page_texts(example_site, search_truth.documents(example_site / "search"))
    drawn = search_truth.drawn_queries(REPO / "content")
    assert set(drawn) == {"legal basis", "accountability", "codes", "document numbers", "phone numbers", "names"}
    assert all(len(queries) == 5 for queries in drawn.values()), drawn
    not_shown = [q for queries in drawn.values() for q in queries if not search_truth.literal(texts, q)]
    assert not_shown == []
    typos = search_truth.typo_queries(drawn["names"])
    assert typos[0] == ("食品生产许课", "食品生产许可")
    assert all(typed != meant and not search_truth.literal(texts, typed) for typed, meant in typos[1:])
    traditional = search_truth.traditional_queries(drawn["names"])
    assert traditional[0] == ("食品生產許可", "食品生产许可")
    assert all(typed != meant and normalise(typed) == meant for typed, meant in traditional)
    everyday = dict(search_truth.everyday_queries())
    assert everyday["开饭店"] == ["开饭店", "开餐馆", "开饭馆", "开餐厅", "开小吃店", "开办餐饮店", "食品经营许可"]
    assert "设立登记" in everyday["新办企业"] and "办营业执照" in everyday


def test_pagefind_indexes_the_record_pages_main_content(site_copy):
    built = search_compare.build_pagefind(site_copy, ["boards", "departments", "events", "measures", "policies", "powers"])
    pages = {p.parent.relative_to(site_copy).as_posix() + "/" for p in site_copy.glob("*/*/index.html")
             if p.parent.parent.name in {"boards", "departments", "events", "measures", "policies", "powers"}}
    urls = search_compare.fragment_urls(site_copy)
    assert set(urls.values()) == pages
    assert built["pages"] == len(pages) and built["peak_mb"] > 0 and built["bytes"] > 0
    fragment = site_copy / search_compare.BUNDLE / "fragment" / f"{next(i for i, u in urls.items() if u == 'powers/zhujian-cf-005/')}.pf_fragment"
    data = gzip.decompress(fragment.read_bytes())
    content = json.loads(data[data.index(b"{"):])["content"].replace("\u200b", "")
    assert content.startswith("对未取得商品房预售许可证预售商品房的行政处罚")
    assert "修改历史" not in content and "主办单位" not in content  # the history, the site's footer


def test_search_only_reuses_the_site_it_built(tmp_path, capsys):
    site, cache = tmp_path / "site-300", tmp_path / "cache-300"
    built = run.reuse_or_build(REPO / "content", site, cache)
    begin, peak = built["stage_own"]["search index"]
    assert peak >= begin > 0
    ours = run.ours_build(built)
    assert ours["peak_mb"] == peak and ours["growth_mb"] == peak - begin
    assert ours["seconds"] == next(s for name, s, _ in built["stages"] if name == "search index")
    assert (tmp_path / "site-300.build.json").exists()
    (site / "marker").write_text("kept")
    again = run.reuse_or_build(REPO / "content", site, cache)
    assert again == json.loads(json.dumps(built)) and (site / "marker").read_text() == "kept"
    assert capsys.readouterr().out.splitlines()[-1].startswith(f"reusing {site} (built ")


@pytest.mark.browser
def test_both_engines_side_by_side_from_the_browser(site_copy, browser):
    sets = {"traditional": [("食品生產許可", ["食品生产许可"])], "everyday": [("开饭店", ["开饭店", "开办餐饮店", "食品经营许可"])]}
    result = search_compare.compare(site_copy, REPO / "content", {"seconds": 0.1, "peak_mb": 90.0, "growth_mb": 4.0},
                                    queries=["罚款", "〔2021〕374号"], sets=sets, browser=browser)
    fine, number = result["queries"]
    assert (fine["query"], fine["expected"]) == ("罚款", 73)
    assert fine["ours"]["recall"] == 1.0 and fine["ours"]["relevant"] == fine["ours"]["top"] == 10
    assert fine["pagefind"]["hits"] > 0 and fine["pagefind"]["top"] == 10
    for engine in ("ours", "pagefind"):
        assert fine[engine]["cold_kb"] > 10 and fine[engine]["ms"] > 0
    # our bytes from the files the search read agree with what the header box downloads
    assert abs(fine["ours"]["cold_kb"] - fine["ours"]["browser_kb"]) < 0.15 * fine["ours"]["cold_kb"]
    assert number["expected"] == 2 and number["ours"]["found"] == 2
    assert result["sets"]["traditional"][0]["ours"]["first10_ok"] is True
    assert result["sets"]["everyday"][0]["ours"]["first10_ok"] is True
    assert result["index"]["pagefind"]["pages"] == result["pages"]
    lines = search_compare.report(result)
    assert lines[0].startswith("search beside Pagefind 1.5 (extended): 332 search documents on 314 record pages")
    assert any(line.startswith("  罚款") and line.count("|") == 2 for line in lines)
    assert any(line.startswith("  traditional set: the expected record in the first 10 for ours 1/1, Pagefind ") for line in lines)
