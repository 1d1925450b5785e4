"""Spreadsheets as departments publish them go in with one command and come out as pages.

The workbooks are built here the way governments lay them out: a title row above the
header, merged 主项 cells over their 子项 rows, numbered multi-line cells, columns the
import does not know, a 填表说明 row at the bottom, several departments, .xls and GBK .csv.
"""

from __future__ import annotations

import csv
from pathlib import Path

import xlwt
from bs4 import BeautifulSoup
from openpyxl import Workbook

from conftest import TODAY
from generator.cli import main
from generator.content.load import load_file
from generator.pipeline import build

HEADER = ["序号", "职权编码", "职权名称", "子项名称", "子项编码", "职权类型", "实施依据", "责任事项", "追责情形",
          "承办机构", "法定时限", "承诺时限", "收费依据及标准", "监督电话", "备注", "办理对象"]
BASIS = ("1.《中华人民共和国食品安全法》第三十五条：国家对食品生产经营实行许可制度。\n"
         "2.《食品经营许可和备案管理办法》第二条第一款：在中华人民共和国境内从事食品销售和餐饮服务活动，应当取得食品经营许可。\n"
         "3.《测试市食品安全条例》")
DUTIES = "1.受理责任：公示应当提交的材料。\n2.审查责任：对申请材料进行审查，\n必要时现场核查。\n3.决定责任：作出决定。"
ROWS = [
    ["1", "0012100009", "食品生产许可", "食品经营许可证核发", "001210000901", "行政许可", BASIS, DUTIES,
     "（一）对符合法定条件的申请不予受理的；\n（二）违法收费的。", "食品经营监管处", "20个工作日", "10个工作日", "不收费",
     "0411-88886666", "网上可办", "企业"],
    [None, None, None, "食品经营许可证变更", "001210000902", None, None, None, None, None, None, None, None, None, None, None],
    [None, None, None, "食品经营许可证注销", None, None, None, None, None, None, None, None, None, None, None, None],
    ["2", "0022100010", "对无证经营食品的处罚", None, None, "行政处罚", "《中华人民共和国食品安全法》第一百二十二条", "①立案\n②调查",
     None, "执法稽查局", "即办", None, "无", None, None, "企业"],
    ["3", None, "对电梯使用单位的监督检查", None, None, "行政检查", "《中华人民共和国特种设备安全法》第五十七条", None,
     None, None, None, None, None, None, None, None],
]
MERGED = [(2, 4, c) for c in range(0, 3)] + [(2, 4, c) for c in range(5, 16)]  # rows 3–5 (1-based), 0-based columns


def government_xlsx(path: Path, title: str = "测试市市场监督管理局权责清单（2026年版）", sheet: str = "Sheet1") -> Path:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws.append(HEADER)
    for row in ROWS:
        ws.append(row)
    for first, last, col in MERGED:
        ws.merge_cells(start_row=first + 1, start_column=col + 1, end_row=last + 1, end_column=col + 1)
    ws.append(["填表说明：1.职权类型按十一类填写；2.时限均为工作日。"])
    book.save(path)
    return path


def government_xls(path: Path) -> Path:
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("市市场监管局")
    ws.write_merge(0, 0, 0, len(HEADER) - 1, "权责清单")
    for c, text in enumerate(HEADER):
        ws.write(1, c, text)
    merged = {(r, c) for first, last, c in MERGED for r in range(first + 1, last + 1)}
    for r, row in enumerate(ROWS, 2):
        for c, value in enumerate(row):
            if (r, c) in merged:
                continue
            if any(first == r and c == col for first, _, col in MERGED):
                last = next(last for first, last, col in MERGED if first == r and col == c)
                ws.write_merge(r, last, c, c, value)
            elif value is not None:
                ws.write(r, c, value)
    book.save(str(path))
    return path


def powers(content: Path, department: str = "shichang") -> list[dict]:
    path = content / "powers" / f"{department}.yaml"
    loaded = load_file(path, str(path))
    assert not loaded.problems
    return loaded.data


def by_code(records: list[dict], code: str) -> dict:
    return next(r for r in records if r.get("code") == code)


EXPECTED_FIRST = {
    "id": "shichang-0012100009",
    "code": "0012100009",
    "name": "食品生产许可",
    "category": "行政许可",
    "subitems": [{"name": "食品经营许可证核发", "code": "001210000901"},
                 {"name": "食品经营许可证变更", "code": "001210000902"},
                 {"name": "食品经营许可证注销"}],
    "basis": [
        {"law": "《中华人民共和国食品安全法》", "article": "第三十五条", "text": "国家对食品生产经营实行许可制度。"},
        {"law": "《食品经营许可和备案管理办法》", "article": "第二条第一款",
         "text": "在中华人民共和国境内从事食品销售和餐饮服务活动，应当取得食品经营许可。"},
        {"law": "《测试市食品安全条例》"},
    ],
    "office": "食品经营监管处",
    "responsibilities": ["受理责任：公示应当提交的材料。", "审查责任：对申请材料进行审查，\n必要时现场核查。", "决定责任：作出决定。"],
    "accountability": ["对符合法定条件的申请不予受理的；", "违法收费的。"],
    "time_limit": {"statutory_days": 20, "promised_days": 10},
    "fee": {"charged": False},
    "supervision_phone": "0411-88886666",
    "status": "有效",
    "note": "网上可办",
}


def test_a_published_xlsx_goes_in_and_comes_out_as_pages(content, capsys, tmp_path):
    path = government_xlsx(tmp_path / "权责清单.xlsx")
    assert main(["import", str(path)]) == 0
    err = capsys.readouterr().err
    assert "权责清单.xlsx:Sheet1:1:A: 跳过表头以上的标题行“测试市市场监督管理局权责清单（2026年版）”\n" in err
    assert "权责清单.xlsx:Sheet1:2:P: 不认识的列“办理对象”，已忽略（如需导入，请在 columns.yaml 中为它添加列名）\n" in err
    assert "权责清单.xlsx:Sheet1:8:A: 跳过说明行“填表说明：1.职权类型按十一类填写；2.时限均为工作日。”\n" in err
    assert "权责清单.xlsx:Sheet1:3:A: 新增 shichang-0012100009 食品生产许可\n" in err
    assert "已导入 3 条权责事项到 content/powers/shichang.yaml：新增 3，修改 0，未变 0，删除 0，表格中没有（保留）3" in err
    records = powers(content)
    assert [r["id"] for r in records][:3] == ["sc-xk-001", "sc-cf-002", "sc-jc-003"]  # kept, not in the sheet
    assert by_code(records, "0012100009") == EXPECTED_FIRST
    second = by_code(records, "0022100010")
    assert second["id"] == "shichang-0022100010"
    assert second["responsibilities"] == ["立案", "调查"]
    assert second["time_limit"] == {"statutory_days": 0}
    assert second["fee"] == {"charged": False}
    assert records[-1]["id"] == "shichang-jc-003"  # no code: category and 序号
    assert records[-1]["basis"] == [{"law": "《中华人民共和国特种设备安全法》", "article": "第五十七条"}]

    site = tmp_path / "site"
    build(content, site, TODAY, log=lambda line: None)
    page = BeautifulSoup((site / "powers" / "shichang-0012100009" / "index.html").read_text("utf-8"), "html.parser")
    assert page.h1.get_text(" ", strip=True).startswith("食品生产许可")
    assert [li.get_text() for li in page.select("#subitems + ul li")] == [
        "食品经营许可证核发（001210000901）", "食品经营许可证变更（001210000902）", "食品经营许可证注销"]
    basis = page.select("ol.basis li")
    assert basis[1].strong.get_text() == "《食品经营许可和备案管理办法》"
    assert "第二条第一款" in basis[1].get_text()
    assert [li.get_text(strip=True) for li in page.select("#responsibilities + ol li")][0] == "受理责任：公示应当提交的材料。"
    facts = {th.get_text(): td.get_text(" ", strip=True) for th, td in
             ((tr.th, tr.td) for tr in page.select("table.facts tr") if tr.th and tr.td)}
    assert facts["承办机构"] == "食品经营监管处"
    assert facts["法定时限"] == "20 个工作日"


def test_importing_the_same_sheet_again_changes_nothing(content, capsys, tmp_path):
    path = government_xlsx(tmp_path / "权责清单.xlsx")
    assert main(["import", str(path), "--department", "shichang"]) == 0
    target = content / "powers" / "shichang.yaml"
    before = target.read_bytes()
    capsys.readouterr()
    assert main(["import", str(path), "--department", "shichang"]) == 0
    assert "新增 0，修改 0，未变 3，删除 0" in capsys.readouterr().err
    assert target.read_bytes() == before


def test_a_renamed_power_keeps_its_id_by_its_code(content, capsys, tmp_path):
    path = government_xlsx(tmp_path / "a.xlsx")
    assert main(["import", str(path), "--department", "shichang"]) == 0
    ROWS_BEFORE = [list(r) for r in ROWS]
    try:
        ROWS[0][2] = "食品生产许可（含食品添加剂）"
        ROWS[4][6] = "《中华人民共和国特种设备安全法》第五十七条第一款"
        path = government_xlsx(tmp_path / "b.xlsx")
    finally:
        ROWS[:] = ROWS_BEFORE
    capsys.readouterr()
    assert main(["import", str(path), "--department", "shichang", "--dry-run"]) == 0
    err = capsys.readouterr().err
    assert ("b.xlsx:Sheet1:3:A: 修改 shichang-0012100009 食品生产许可（含食品添加剂）\n"
            "    b.xlsx:Sheet1:3:C: 修改“职权名称”：食品生产许可 → 食品生产许可（含食品添加剂）\n") in err
    assert "b.xlsx:Sheet1:7:A: 修改 shichang-jc-003 对电梯使用单位的监督检查\n" in err
    assert "试导入（--dry-run，未写入任何文件） 3 条权责事项" in err
    assert by_code(powers(content), "0012100009")["name"] == "食品生产许可"  # dry run: nothing written
    assert main(["import", str(path), "--department", "shichang"]) == 0
    assert by_code(powers(content), "0012100009")["name"] == "食品生产许可（含食品添加剂）"


def test_a_sub_item_row_with_a_value_of_its_own_is_refused(content, capsys, tmp_path):
    ROWS_BEFORE = [list(r) for r in ROWS]
    try:
        ROWS[1][9] = "另一个处"  # 承办机构 of a 子项 row that is merged … except it is not
        book = Workbook()
        ws = book.active
        ws.append(HEADER)
        for row in ROWS[:3]:
            ws.append(row)
        book.save(tmp_path / "s.xlsx")
    finally:
        ROWS[:] = ROWS_BEFORE
    target = content / "powers" / "shichang.yaml"
    before = target.read_bytes()
    assert main(["import", str(tmp_path / "s.xlsx"), "--department", "shichang"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "s.xlsx:Sheet:3:J: error: 承办机构：子项行的内容与第 2 行的主项不同；如果它是独立的事项，请填写它自己的职权名称和编码；"
        "如果是同一事项，请与主项合并单元格或留空",
    ]
    assert target.read_bytes() == before


def test_a_published_xls_reads_like_the_xlsx(content, capsys, tmp_path):
    path = government_xls(tmp_path / "权责清单.xls")
    assert main(["import", str(path)]) == 0  # the sheet is named by the department's short name
    assert "权责清单.xls:市市场监管局:1:A: 跳过表头以上的标题行“权责清单”\n" in capsys.readouterr().err
    assert by_code(powers(content), "0012100009") == EXPECTED_FIRST


def test_a_city_workbook_with_a_sheet_per_department(content, capsys, tmp_path):
    path = government_xlsx(tmp_path / "city.xlsx", title="测试市权责清单", sheet="测试市市场监督管理局")
    from openpyxl import load_workbook

    book = load_workbook(path)
    ws = book.create_sheet("市发展改革委")
    ws.append(["序号", "事项名称", "事项类别", "设定依据"])
    ws.append(["1", "政府投资项目审批", "行政许可", "《政府投资条例》第九条：政府采取直接投资方式……"])
    ws.append(["2", "企业投资项目核准", "行政许可", "《企业投资项目核准和备案管理条例》"])
    book.save(path)
    assert main(["import", str(path)]) == 0
    err = capsys.readouterr().err
    assert "已导入 3 条权责事项到 content/powers/shichang.yaml：新增 3" in err
    assert "已导入 2 条权责事项到 content/powers/fagai.yaml：新增 2，修改 0，未变 0，删除 0\n" in err
    assert "合计 2 个文件：新增 5，修改 0，未变 0，删除 0，拒绝 0\n" in err
    assert [(p["id"], p["name"]) for p in powers(content, "fagai")] == [
        ("fagai-xk-001", "政府投资项目审批"), ("fagai-xk-002", "企业投资项目核准")]
    assert main(["validate", "--no-cache"]) == 0


def test_a_gbk_csv_with_a_department_column(content, capsys, tmp_path):
    path = tmp_path / "全市.csv"
    rows = [["部门名称", "权力编码", "权力名称", "权力类型", "法律依据", "问责情形"],
            ["测试市市场监督管理局", "0012100001", "食品经营许可", "行政许可", "《中华人民共和国食品安全法》第三十五条", "1.不予受理的\n2.超期的"],
            ["市发展改革委", "FG-001", "政府投资项目审批", "行政许可", "《政府投资条例》", ""],
            ["某某局", "X-1", "某事项", "行政许可", "《某法》", ""]]
    with open(path, "w", encoding="gbk", newline="") as f:
        csv.writer(f).writerows(rows)
    before = (content / "powers" / "shichang.yaml").read_bytes()
    assert main(["import", str(path)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "全市.csv:CSV:4:A: error: 部门名称：“某某局”不在部门登记册中：请填写部门标识、全称或简称"]
    assert (content / "powers" / "shichang.yaml").read_bytes() == before
    with open(path, "w", encoding="gbk", newline="") as f:
        csv.writer(f).writerows(rows[:3])
    assert main(["import", str(path)]) == 0
    first = powers(content)[0]
    assert first["id"] == "sc-xk-001"  # matched by its code: the id stays
    assert first["accountability"] == ["不予受理的", "超期的"]
    assert first["responsibilities"] == ["受理责任：公示依法应当提交的材料。", "审查责任：对申请材料进行审查。"]  # no column: kept
    assert powers(content, "fagai")[0]["id"] == "fagai-FG-001"


def test_a_two_row_header(content, capsys, tmp_path):
    book = Workbook()
    ws = book.active
    ws.append(["序号", "职权名称", "职权类型", "实施依据", "办理时限", None])
    ws.append([None, None, None, None, "法定时限", "承诺时限"])
    ws.append(["1", "食品生产许可", "行政许可", "《中华人民共和国食品安全法》第三十五条", "20个工作日", "10"])
    for col in range(1, 5):
        ws.merge_cells(start_row=1, start_column=col, end_row=2, end_column=col)
    ws.merge_cells(start_row=1, start_column=5, end_row=1, end_column=6)
    book.save(tmp_path / "t.xlsx")
    assert main(["import", str(tmp_path / "t.xlsx"), "--department", "shichang"]) == 0
    assert "t.xlsx:Sheet:3:A: 新增 shichang-xk-001 食品生产许可\n" in capsys.readouterr().err
    assert powers(content)[-1]["time_limit"] == {"statutory_days": 20, "promised_days": 10}


def test_sub_item_rows_under_an_unmerged_main_row(content, tmp_path):
    book = Workbook()
    ws = book.active
    ws.append(HEADER)
    for row in ROWS[:3]:
        ws.append(row)
    book.save(tmp_path / "u.xlsx")
    assert main(["import", str(tmp_path / "u.xlsx"), "--department", "shichang"]) == 0
    assert by_code(powers(content), "0012100009") == EXPECTED_FIRST
