"""Facet data of /powers/, /policies/, /boards/: compact columns that decode to each record's values."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import REPO, TODAY
from generator.output.facets import CHUNK, FacetTable, decode, facet_files, run_length
from generator.pipeline import check
from test_build import BOARD

DEPARTMENTS = """\
    - id: shichang
      name: 测试市市场监督管理局
      region: 市本级
    - id: zhujian
      name: 测试市住房和城乡建设局
      region: 市本级
    - id: xq-shichang
      name: 西区市场监督管理局
      region: 西区
    """


def _power(pid: str, name: str, category: str, status: str = "有效") -> str:
    return (f"- id: {pid}\n  name: {name}\n  category: {category}\n  basis:\n    - law: 《某法》\n"
            f"  status: {status}\n")


POLICIES = {
    "policies/p1.yaml": """\
        id: p1
        title: 支持小微企业融资
        issuers: [shichang, 国务院办公厅]
        issued: 2024-05-01
        status: 有效
        topics: [融资支持, 减税降费]
        beneficiaries: [小微企业]
        summary: 融资。
        """,
    "policies/p2.yaml": """\
        id: p2
        title: 人才引进办法
        issuers: [zhujian]
        issued: 2023-05-01
        status: 已废止
        topics: [人才]
        summary: 人才。
        """,
    "policies/p3.yaml": """\
        id: p3
        title: 无主题的通知
        issuers: [shichang]
        issued: 2022-05-01
        status: 有效
        summary: 通知。
        """,
}


@pytest.fixture(scope="module")
def faceted_site(build_once) -> Path:
    files = {
        "departments.yaml": DEPARTMENTS,
        "powers/shichang.yaml": _power("sc-1", "食品生产许可", "行政许可") + _power("sc-2", "食品抽检", "行政检查")
        + _power("sc-3", "旧许可", "行政许可", "已取消"),
        "powers/zhujian.yaml": _power("zj-1", "施工许可", "行政许可"),
        "powers/xq-shichang.yaml": _power("xq-1", "罚款", "行政处罚", "已下放"),
        "boards/2026-01.yaml": BOARD,
        **POLICIES,
    }
    return build_once(files)


def _index(site: Path, kind: str) -> dict:
    return json.loads((site / f"facets/{kind}/index.json").read_text("utf-8"))


def _rows(site: Path, kind: str) -> list[list[str]]:
    rows = []
    for n in range(len(list((site / f"facets/{kind}/rows").iterdir()))):
        rows += json.loads((site / f"facets/{kind}/rows/{n}.json").read_text("utf-8"))
    return rows


def _values(index: dict) -> list[dict[str, list[str]]]:
    """Each record's values per facet, decoded as the browser decodes them."""
    out = [{} for _ in range(index["count"])]
    for f in index["facets"]:
        table = FacetTable(f["key"], f["label"], f["multi"], f["values"], codes=f["codes"])
        for record, codes in zip(out, decode(table, index["count"])):
            record[f["key"]] = [f["values"][c] for c in codes]
    return out


def test_power_columns_decode_to_every_records_values(faceted_site):
    index = _index(faceted_site, "powers")
    rows = _rows(faceted_site, "powers")
    data = {r["id"]: r for r in json.loads((faceted_site / "data/powers.json").read_text("utf-8"))}
    assert index["count"] == len(rows) == len(data) == 5
    for row, values in zip(rows, _values(index)):
        power = data[row[0]]
        assert row[1] == power["name"]
        assert values == {"department": [power["department"]], "region": [power["region"]],
                          "category": [power["category"]], "status": [power["status"]]}
    # listed department by department (registry order), by category within a department
    assert [r[0] for r in rows] == ["sc-1", "sc-3", "sc-2", "zj-1", "xq-1"]


def test_value_tables_most_frequent_first_with_counts_and_labels(faceted_site):
    facets = {f["key"]: f for f in _index(faceted_site, "powers")["facets"]}
    assert facets["category"]["values"] == ["行政许可", "行政处罚", "行政检查"]  # ties in the official order
    assert facets["category"]["counts"] == [3, 1, 1]
    assert facets["category"]["labels"] is None  # the value is its own label
    assert facets["department"]["values"] == ["shichang", "zhujian", "xq-shichang"]
    assert facets["department"]["labels"] == ["测试市市场监督管理局", "测试市住房和城乡建设局", "西区市场监督管理局"]
    assert facets["region"]["values"] == ["市本级", "西区"] and facets["region"]["counts"] == [4, 1]
    assert facets["status"]["values"] == ["有效", "已取消", "已下放"]
    # single-valued columns are run-length encoded: department of 5 records in 3 runs
    assert facets["department"]["codes"] == [0, 3, 1, 1, 2, 1]


def test_policy_facets_are_multi_valued(faceted_site):
    index = _index(faceted_site, "policies")
    rows = _rows(faceted_site, "policies")
    assert [r[0] for r in rows] == ["p1", "p2", "p3"]  # newest first, as the list page
    values = _values(index)
    assert values[0] == {"topic": ["融资支持", "减税降费"], "beneficiary": ["小微企业"],
                         "issuer": ["shichang", "国务院办公厅"], "validity": ["有效"]}
    assert values[2]["topic"] == [] and values[2]["beneficiary"] == []
    issuer = next(f for f in index["facets"] if f["key"] == "issuer")
    assert dict(zip(issuer["values"], issuer["labels"]))["shichang"] == "测试市市场监督管理局"
    assert issuer["codes"][:3] == [2, 0, 2]  # p1: two issuers, shichang (2 policies) then 国务院办公厅


def test_board_facets_only_hold_published_entries(faceted_site):
    index = _index(faceted_site, "boards")
    rows = _rows(faceted_site, "boards")
    assert [r[:2] for r in rows] == [["2026-01", "red-1"], ["2026-01", "black-live"]]
    board = next(f for f in index["facets"] if f["key"] == "board")
    assert board["values"] == ["red", "black"] and board["labels"] == ["红榜", "黑榜"]
    assert index["link"] == "boards/{0}/#{1}"
    text = "".join(p.read_text("utf-8") for p in (faceted_site / "facets").rglob("*.json"))
    for secret in ("black-expired", "black-revoked", "过期公示单位甲", "EXPIREDFACT"):
        assert secret not in text


def test_list_pages_carry_the_app_and_a_no_script_fallback(faceted_site):
    soup = BeautifulSoup((faceted_site / "powers/index.html").read_text("utf-8"), "html.parser")
    app = soup.select_one("[data-facet-app]")
    assert app["data-facet-app"] == "powers" and app["data-root"] == "../"
    assert not app.has_attr("hidden")  # shown from the first paint; a11y.css hides it without JavaScript
    fallback = soup.select_one("[data-facet-fallback]")
    assert [a["href"] for a in fallback.select("ul.columns a")] == [
        "../departments/shichang/", "../departments/zhujian/", "../departments/xq-shichang/"]
    assert "筛选功能需要浏览器启用 JavaScript" in soup.find("noscript").get_text()
    policies = BeautifulSoup((faceted_site / "policies/index.html").read_text("utf-8"), "html.parser")
    assert len(policies.select("[data-facet-fallback] tbody tr")) == 3
    boards = BeautifulSoup((faceted_site / "boards/index.html").read_text("utf-8"), "html.parser")
    assert boards.select_one("[data-facet-app]")["data-facet-app"] == "boards"
    scripts = [s["src"] for s in soup.find_all("script", src=True)]
    assert "../assets/facets.js" in scripts


def test_list_pages_carry_their_first_view(faceted_site):
    """The count, the filters with their counts and the first results are in the page the server sends,
    as assets/facets.js draws an unfiltered list: nothing moves when the script takes it over."""
    soup = BeautifulSoup((faceted_site / "powers/index.html").read_text("utf-8"), "html.parser")
    app = soup.select_one("[data-facet-app]")
    assert app.select_one(".facet-status").get_text() == "共 5 项权责事项"
    assert app.select_one("details.facet-panel").has_attr("open")  # a phone folds it (a11y.css, facets.js)
    assert app.select_one(".facet-summary").get_text() == "筛选条件（共 5 项权责事项）"
    assert app.select_one(".facet-apply").get_text() == "查看 5 项权责事项"
    category = app.select_one('fieldset[data-facet="category"]')
    assert [li.get_text() for li in category.select("li")] == [" 行政许可 （3）", " 行政处罚 （1）", " 行政检查 （1）"]
    department = app.select_one('fieldset[data-facet="department"] input')
    assert (department["name"], department["value"], department.parent.get_text()) == (
        "department", "shichang", " 测试市市场监督管理局 （3）")
    results = app.select_one("ol.facet-results")
    assert results["aria-busy"] == "true"  # until the script has taken the list over
    assert [(a["href"], a.get_text()) for a in results.select("a")] == [
        ("../powers/sc-1/", "食品生产许可"), ("../powers/sc-3/", "旧许可"), ("../powers/sc-2/", "食品抽检"),
        ("../powers/zj-1/", "施工许可"), ("../powers/xq-1/", "罚款")]
    meta = results.select(".facet-result-meta")
    assert str(meta[1]) == ('<span class="facet-result-meta"><span>测试市市场监督管理局</span> <span>行政许可</span> '
                            '<span class="badge badge--off">已取消</span> </span>')
    assert app.select_one(".facet-pager").get_text() == ""  # one page
    policies = BeautifulSoup((faceted_site / "policies/index.html").read_text("utf-8"), "html.parser")
    assert [a.get_text() for a in policies.select(".facet-results a")] == ["支持小微企业融资", "人才引进办法", "无主题的通知"]
    assert policies.select_one(".facet-results .badge--ok").get_text() == "有效"
    boards = BeautifulSoup((faceted_site / "boards/index.html").read_text("utf-8"), "html.parser")
    assert [a["href"] for a in boards.select(".facet-results a")] == ["../boards/2026-01/#red-1", "../boards/2026-01/#black-live"]
    assert [b.get_text() for b in boards.select(".facet-results .badge")] == ["红榜", "黑榜"]


def test_a_long_list_shows_its_first_page_and_a_pager(build_once):
    powers = "".join(_power(f"p-{n:03}", f"事项{n:03}", "行政许可") for n in range(120))
    site = build_once({"powers/shichang.yaml": powers})
    soup = BeautifulSoup((site / "powers/index.html").read_text("utf-8"), "html.parser")
    assert soup.select_one(".facet-status").get_text() == "共 120 项权责事项，第 1 / 3 页"
    assert [a.get_text() for a in soup.select(".facet-results a")] == [f"事项{n:03}" for n in range(50)]
    pager = soup.select_one(".facet-pager")
    assert str(pager) == ('<nav aria-label="分页" class="facet-pager"><span class="facet-page">第 1 / 3 页</span>'
                          '<a class="md-button" href="?page=2" rel="next">下一页</a></nav>')


def test_run_length():
    assert run_length([]) == []
    assert run_length([3, 3, 3, 0, 3]) == [3, 3, 0, 1, 3, 1]


def test_facet_data_stays_small_at_scale(tmp_path):
    """Bytes per power of the always-loaded index, and of one row chunk (25,000: docs/features.md)."""
    spec = importlib.util.spec_from_file_location("synth", REPO / "benchmarks/synth.py")
    synth = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synth)
    synth.generate(tmp_path / "content", 5000)
    content, site = check(tmp_path / "content", TODAY)
    assert site is not None
    files = dict(facet_files(site))
    powers = len(site.records["powers"])
    index = files["facets/powers/index.json"]
    assert json.loads(index)["count"] == powers
    assert len(index) / powers < 3.0, len(index)
    chunks = [v for k, v in files.items() if k.startswith("facets/powers/rows/")]
    assert len(chunks) == -(-powers // CHUNK)
    assert max(map(len, chunks)) < 40_000


def test_every_link_and_asset_is_relative_for_sub_path_deployment(example_site):
    """Served under /zwgk/yingshang/ the site must not point at the server root or at other hosts.

    (404.html is the exception: served at any depth, it uses the path of site.yaml's base_url.)"""
    for path in example_site.rglob("*.html"):
        if path.name == "404.html":
            continue
        soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
        for tag in soup.find_all(href=True) + soup.find_all(src=True) + soup.find_all(action=True):
            for attr in ("href", "src", "action"):
                value = tag.get(attr)
                if value is None:
                    continue
                assert not value.startswith("/"), (path, tag.name, value)
                if value.startswith(("http:", "https:", "//")):
                    # only links people follow (and the canonical address) may leave the site
                    assert tag.name == "a" or (tag.name == "link" and tag.get("rel") == ["canonical"]), (path, value)
