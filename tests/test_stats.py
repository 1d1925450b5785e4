"""The statistics page: the figures reports quote, SVG charts drawn at build time, a table for each."""

from __future__ import annotations


import pytest
from bs4 import BeautifulSoup

from conftest import TODAY
from generator.output.charts import bar_chart
from generator.pipeline import build
from test_build import BOARD
from test_facets import DEPARTMENTS, POLICIES, _power

KINDS_DEPARTMENTS = DEPARTMENTS.replace("region: 市本级\n", "region: 市本级\n      kind: 市直部门\n").replace(
    "region: 西区\n", "region: 西区\n      kind: 区县部门\n")


@pytest.fixture(scope="module")
def stats(build_once) -> BeautifulSoup:
    files = {
        "departments.yaml": KINDS_DEPARTMENTS,
        "powers/shichang.yaml": _power("sc-1", "食品生产许可", "行政许可") + _power("sc-2", "食品抽检", "行政检查")
        + _power("sc-3", "旧许可", "行政许可", "已取消"),
        "powers/zhujian.yaml": _power("zj-1", "施工许可", "行政许可"),
        "powers/xq-shichang.yaml": _power("xq-1", "罚款", "行政处罚"),
        "boards/2026-01.yaml": BOARD,
        **POLICIES,
    }
    out = build_once(files)
    return BeautifulSoup((out / "stats/index.html").read_text("utf-8"), "html.parser").select_one("article")


def _table(soup: BeautifulSoup, chart: str) -> list[list[str]]:
    return [[c.get_text(strip=True) for c in tr.find_all(["th", "td"])] for tr in soup.select(f"#{chart} tbody tr")]


def test_headline_sentence_per_department_kind(stats):
    lead = stats.select_one("p.lead").get_text(strip=True)
    assert lead == "2 个市直部门公布了 3 项现行权责事项；1 个区县部门公布了 1 项现行权责事项。"
    text = stats.get_text(" ", strip=True)
    assert "合计 3 个部门和单位公布现行权责事项 4 项，另有 1 项已取消、下放、调整或暂停，仍予公示" in text


def test_every_figure_has_an_svg_and_its_data_table(stats):
    figures = stats.select("figure.stat")
    assert [f["id"] for f in figures] == ["departments", "categories", "regions", "statuses", "topics", "validity", "boards"]
    for figure in figures:
        svg = figure.find("svg")
        assert svg["aria-hidden"] == "true" and svg["focusable"] == "false"
        assert figure.find("table").find("caption").get_text() == figure.h2.get_text() + "（数据表）"
        assert len(svg.select("text.chart-label")) == len(figure.select("tbody tr"))
    assert not stats.find_all("script")


def test_counts(stats):
    assert _table(stats, "departments") == [["测试市市场监督管理局", "市本级", "2", "3"],
                                            ["测试市住房和城乡建设局", "市本级", "1", "1"],
                                            ["西区市场监督管理局", "西区", "1", "1"]]
    assert _table(stats, "categories") == [["行政许可", "2"], ["行政处罚", "1"], ["行政检查", "1"]]
    assert _table(stats, "regions") == [["市本级", "2", "3"], ["西区", "1", "1"]]
    assert _table(stats, "statuses") == [["有效", "4"], ["已取消", "1"]]
    assert _table(stats, "topics") == [["人才", "1"], ["减税降费", "1"], ["融资支持", "1"]]
    assert _table(stats, "validity") == [["有效", "2"], ["已废止", "1"]]
    assert _table(stats, "boards") == [["2026年第1期优化营商环境红黑榜", "1", "1"]]  # withheld entries not counted
    assert stats.select_one("#departments tbody a")["href"] == "../departments/shichang/"


def test_bar_values_are_written_not_only_drawn(stats):
    boards = stats.select_one("#boards svg")
    assert [t.get_text() for t in boards.select("text.chart-value")] == ["红榜 1", "黑榜 1"]
    widths = [float(r["width"]) for r in stats.select("#categories svg rect")]
    assert widths[0] == max(widths) and widths[1] == pytest.approx(widths[0] / 2, abs=0.1)


def test_chart_text_is_escaped():
    svg = bar_chart([("<b>&", [3])], [], "项")
    assert "&lt;b&gt;&amp;" in svg and "<b>" not in svg


def test_long_lists_draw_the_top_and_table_everything(tree, tmp_path):
    depts = "".join(f"- id: d{i}\n  name: 部门{i}\n  region: 市本级\n" for i in range(20))
    files = {"departments.yaml": depts, "powers/shichang.yaml": None}
    files.update({f"powers/d{i}.yaml": "".join(_power(f"d{i}-{j}", f"事项{j}", "行政许可") for j in range(i + 1))
                  for i in range(20)})
    out = tmp_path / "site"
    build(tree(files), out, TODAY, log=lambda line: None)
    soup = BeautifulSoup((out / "stats/index.html").read_text("utf-8"), "html.parser")
    figure = soup.select_one("#departments")
    assert len(figure.select("svg text.chart-label")) == 15
    assert len(figure.select("tbody tr")) == 20
    assert "visually-hidden" not in figure.find("table").get("class", [])
    assert figure.select_one("tbody th").get_text() == "部门19"


def test_departments_without_a_kind_are_other_units(tree, tmp_path):
    out = tmp_path / "site"
    build(tree(), out, TODAY, log=lambda line: None)  # MINIMAL: one department, no `kind`
    lead = BeautifulSoup((out / "stats/index.html").read_text("utf-8"), "html.parser").select_one("article p.lead")
    assert lead.get_text(strip=True) == "1 个其他单位公布了 1 项现行权责事项。"
