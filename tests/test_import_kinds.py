"""Policies, red/black boards and measure lists from the sheets cities publish them in."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from openpyxl import Workbook

from conftest import EXAMPLE, TODAY
from generator.cli import main
from generator.content.load import load_file
from generator.pipeline import build


def data(path: Path):
    loaded = load_file(path, str(path))
    assert not loaded.problems, loaded.problems
    return loaded.data


def workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
    book.save(path)
    return path


def page(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text("utf-8"), "html.parser")


def test_a_policy_list_one_row_per_policy(content, capsys, tmp_path):
    path = workbook(tmp_path / "政策.xlsx", {"惠企政策": [
        ["测试市惠企政策清单（2024年）"],
        ["序号", "政策名称", "文号", "发文机关", "成文日期", "主要内容", "适用对象", "链接"],
        ["1", "测试市关于支持中小企业融资的若干措施", "测发改〔2024〕3号", "市发展改革委、测试市人民政府办公室", "2024-01-10",
         "对中小企业贷款给予贴息和担保费补贴。", "1.小微企业\n2.民营企业", None],
        ["2", "测试市促进个体工商户发展的若干措施", "测市监〔2024〕8号", "测试市市场监督管理局", "2024-05-06",
         "减免个体工商户登记费用。", "个体工商户", "https://example.gov.cn/zc/8"],
    ]})
    assert main(["import", str(path)]) == 0  # the kind is told by the headers
    err = capsys.readouterr().err
    assert ("政策.xlsx:惠企政策:3:A: 修改 rongzi-2024 测试市关于支持中小企业融资的若干措施\n"
            "    政策.xlsx:惠企政策:3:F: 修改“主要内容”：对中小企业贷款给予贴息支持。 → 对中小企业贷款给予贴息和担保费补贴。\n") in err
    assert "政策.xlsx:惠企政策:4:A: 新增 policy-002 测试市促进个体工商户发展的若干措施\n" in err
    assert "表格中没有下列 1 条现有政策，保持不变（确需删除请加 --allow-delete）：\n  rencai-2024 测试市人才引进补贴办法\n" in err
    new = data(content / "policies" / "policy-002.yaml")
    assert new == {"id": "policy-002", "title": "测试市促进个体工商户发展的若干措施", "doc_number": "测市监〔2024〕8号",
                   "issuers": ["shichang"], "issued": "2024-05-06", "status": "有效", "beneficiaries": ["个体工商户"],
                   "summary": "减免个体工商户登记费用。", "source_url": "https://example.gov.cn/zc/8"}
    assert data(content / "policies" / "rongzi-2024.yaml")["related_powers"] == ["sc-xk-001"]  # no column: kept
    site = tmp_path / "site"
    build(content, site, TODAY, log=lambda line: None)
    html = page(site, "policies/policy-002")
    assert html.h1.get_text(strip=True).startswith("测试市促进个体工商户发展的若干措施")
    assert "测试市市场监督管理局" in html.get_text()


def test_a_board_issue_per_sheet(content, capsys, tmp_path):
    path = workbook(tmp_path / "红黑榜.xlsx", {
        "2024年第1期优化营商环境红黑榜": [
            ["2024年第1期优化营商环境红黑榜"],
            ["序号", "榜单类型", "对象名称", "对象类型", "主要事实", "处理结果", "公示截止日期"],
            ["1", "黑榜", "某某建材有限公司", "企业", "拖欠中小企业账款。", "约谈并限期清偿", "2024-12-31"],
        ],
        "2024-02": [
            ["期次标识", "期次标题", "发布机关", "发布日期", "榜单类型", "对象名称", "对象类型", "主要事实", "公示截止日期"],
            ["2024-02", "2024年第2期优化营商环境红黑榜", "市发展改革委", "2024-05-01", "红榜", "测试市市场监督管理局", "部门",
             "食品经营许可全程网办。", None],
            ["2024-02", "2024年第2期优化营商环境红黑榜", "市发展改革委", "2024-05-01", "黑榜", "张某某", "个人",
             "多次无故拖延办理。", "2026-12-31"],
        ],
    })
    assert main(["import", str(path), "--kind", "boards"]) == 0
    err = capsys.readouterr().err
    assert ("红黑榜.xlsx:2024年第1期优化营商环境红黑榜:3:A: 修改 2024-01-b1 某某建材有限公司\n"
            "    红黑榜.xlsx:2024年第1期优化营商环境红黑榜:3:F: 填写“处理结果”：约谈并限期清偿\n") in err
    assert "表格中没有下列 1 条现有红黑榜，保持不变（确需删除请加 --allow-delete）：\n  2024-01-r1 测试市市场监督管理局\n" in err
    issue = data(content / "boards" / "2024-02.yaml")
    assert issue["publisher"] == "fagai"
    assert [(e["id"], e["board"], e["status"]) for e in issue["entries"]] == [
        ("2024-02-001", "red", "公示中"), ("2024-02-002", "black", "公示中")]
    site = tmp_path / "site"
    build(content, site, TODAY, log=lambda line: None)
    html = page(site, "boards/2024-02")
    assert [h.get_text(" ", strip=True) for h in html.select("h3")] == ["测试市市场监督管理局 部门", "张某某 个人"]


def test_a_measure_list_matched_by_its_title(content, capsys, tmp_path):
    path = workbook(tmp_path / "整改.xlsx", {"2024年优化营商环境整改任务清单": [
        ["序号", "整改任务", "牵头单位", "责任单位", "完成时限", "完成情况"],
        ["1", "压缩食品经营许可办理时限至10个工作日。", "市市场监管局", None, "2024-06-30", "已完成"],
        ["3", "推行涉企检查“综合查一次”。", "市市场监管局、市发展改革委", "测试市市场监督管理局", "2024-12-31", "推进中"],
    ]})
    assert main(["import", str(path), "--kind", "measures"]) == 0
    err = capsys.readouterr().err
    assert "    整改.xlsx:2024年优化营商环境整改任务清单:2:F: 修改“完成情况”：推进中 → 已完成\n" in err
    items = data(content / "measures" / "yhzg-2024.yaml")["items"]
    assert [(i["id"], i["status"], i["lead_units"]) for i in items] == [
        ("yhzg-2024-1", "已完成", ["shichang"]), ("yhzg-2024-2", "已完成", ["fagai"]),
        ("yhzg-2024-003", "推进中", ["shichang", "fagai"])]
    assert items[0]["progress"] == [{"date": "2024-04-01", "note": "已完成流程梳理。"}]  # no column: kept
    assert "responsible_units" not in items[0]  # the emptied cell cleared nothing that was there
    site = tmp_path / "site"
    build(content, site, TODAY, log=lambda line: None)
    row = page(site, "measures/yhzg-2024").find(id="yhzg-2024-003")
    assert "推行涉企检查“综合查一次”。" in row.get_text()
    assert "测试市发展和改革委员会" in row.get_text()


def test_a_row_for_no_known_record_is_refused_with_its_place(content, capsys, tmp_path):
    path = workbook(tmp_path / "x.xlsx", {"新清单": [["整改任务", "牵头单位", "完成情况"], ["某任务", "fagai", "未开始"]]})
    assert main(["import", str(path), "--kind", "measures"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "x.xlsx:新清单:2:A: error: 不知道这一行属于哪一任务清单：请填写“清单标识”列，或把工作表命名为它的标识"]


def test_boards_export_a_sheet_per_issue(content, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "boards.xlsx"
    assert main(["export", "boards", "-o", str(out)]) == 0
    book = load_workbook(out)
    assert book.sheetnames == ["2024-01", "填写说明"]
    rows = [[c.value for c in row] for row in book["2024-01"].iter_rows()]
    assert rows[0][:6] == ["期次标识", "期次标题", "发布机关", "发布日期", "条目标识", "榜单"]
    assert [r[:6] for r in rows[1:]] == [
        ["2024-01", "2024年第1期优化营商环境红黑榜", "fagai", "2024-02-01", "2024-01-r1", "red"],
        ["2024-01", "2024年第1期优化营商环境红黑榜", "fagai", "2024-02-01", "2024-01-b1", "black"]]


def test_an_import_that_would_leave_validate_failing_is_refused(content, capsys, tmp_path):
    path = workbook(tmp_path / "p.xlsx", {"政策": [
        ["政策名称", "发文机关", "成文日期", "主要内容", "相关权责事项"],
        ["测试政策", "fagai", "2024-05-06", "内容。", "sc-nosuch-1"],
    ]})
    assert main(["import", str(path), "--kind", "policies"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "p.xlsx:政策:2:A: error: 导入后 content/policies/policy-001.yaml:9:5 有错误：引用了不存在的权责事项标识 sc-nosuch-1",
    ]
    assert not (content / "policies" / "policy-001.yaml").exists()


def test_a_department_name_already_in_the_record_is_left_as_written(content, capsys, tmp_path):
    target = content / "policies" / "rencai-2024.yaml"
    target.write_text(target.read_text("utf-8").replace("  by: fagai", "  by: 测试市发展和改革委员会"), "utf-8")
    before = target.read_bytes()
    out = tmp_path / "p.xlsx"
    assert main(["export", "policies", "-o", str(out)]) == 0
    assert main(["import", str(out), "--kind", "policies"]) == 0
    assert "新增 0，修改 0，未变 2" in capsys.readouterr().err
    assert target.read_bytes() == before


@pytest.mark.parametrize("kind", ["policies", "boards", "measures"])
def test_the_example_content_survives_the_round_trip(kind, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    content = Path(shutil.copytree(EXAMPLE, tmp_path / "content"))
    before = {p: p.read_bytes() for p in content.rglob("*.yaml")}
    for suffix in (".xlsx", ".csv"):
        out = tmp_path / f"out{suffix}"
        assert main(["export", kind, "-o", str(out)]) == 0
        assert main(["import", str(out)]) == 0  # the kind told by the headers
        assert {p: p.read_bytes() for p in content.rglob("*.yaml")} == before
