"""Spreadsheet round trip: export → import is lossless; Excel damage is refused, located."""

from __future__ import annotations

import csv
import shutil
import textwrap
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from generator.cli import main
from generator.editing.cells import Column, decode, encode
from generator.editing.headers import layout_for
from generator.content.load import load_file

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "content"
HEADER = ["部门标识", "事项标识", "职权编码", "职权名称", "职权类型", "子项", "设定依据", "实施主体", "行使层级", "责任事项",
          "追责情形", "法定时限（工作日）", "承诺时限（工作日）", "时限说明", "是否收费", "收费标准", "收费依据", "办理流程",
          "网上办理地址", "线下办理地点", "监督电话", "事项状态", "生效日期", "变更记录", "承办机构", "备注"]



def data(path: Path):
    loaded = load_file(path, str(path))
    assert not loaded.problems, loaded.problems
    return loaded.data


def sheet(path: Path, rows: list[list], title: str = "权责清单") -> Path:
    book = Workbook()
    ws = book.active
    ws.title = title
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def good_row(**overrides) -> list:
    row = dict.fromkeys(HEADER)
    row.update({"部门标识": "shichang", "事项标识": "sc-new-1", "职权编码": "0012300001", "职权名称": "新事项",
                "职权类型": "行政许可", "设定依据": "《某法》｜第一条", "事项状态": "有效"})
    row.update(overrides)
    return [row[h] for h in HEADER]


# --- round trip -----------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_then_import_gives_the_same_data(content, suffix, capsys):
    target = content / "powers" / "shichang.yaml"
    before = data(target)
    out = content.parent / f"powers{suffix}"
    assert main(["export", "powers", "-o", str(out), "--department", "shichang"]) == 0
    assert main(["import", str(out), "--department", "shichang"]) == 0
    assert data(target) == before
    assert "已导入 3 条权责事项到 content/powers/shichang.yaml：新增 0，修改 0，未变 3，删除 0" in capsys.readouterr().err
    assert target.read_text("utf-8").startswith("# 测试市市场监督管理局 权责清单\n- id: sc-xk-001\n")


@pytest.mark.skipif(not (EXAMPLE / "powers").is_dir(), reason="no example content")
@pytest.mark.parametrize("path", sorted((EXAMPLE / "powers").glob("*.yaml")), ids=lambda p: p.stem)
def test_example_powers_survive_the_round_trip(tmp_path, monkeypatch, path):
    monkeypatch.chdir(tmp_path)
    content = Path(shutil.copytree(EXAMPLE, tmp_path / "content"))
    before = data(content / "powers" / path.name)
    for suffix in (".xlsx", ".csv"):
        out = tmp_path / f"out{suffix}"
        assert main(["export", "powers", "-o", str(out), "--department", path.stem]) == 0
        assert main(["import", str(out), "--department", path.stem]) == 0
        assert data(content / "powers" / path.name) == before


def test_exported_cells_are_readable(content):
    out = content.parent / "p.xlsx"
    assert main(["export", "powers", "-o", str(out)]) == 0
    book = load_workbook(out)
    assert book.sheetnames == ["权责清单", "填写说明"]
    rows = [[c.value for c in row] for row in book["权责清单"].iter_rows()]
    assert rows[0] == HEADER
    first = dict(zip(HEADER, rows[1]))
    assert first["职权编码"] == "0012100001"
    assert first["设定依据"] == "《中华人民共和国食品安全法》｜第三十五条｜国家对食品生产经营实行许可制度。\n《食品经营许可和备案管理办法》"
    assert first["子项"] == "食品经营许可证核发｜001210000101\n食品经营许可证变更"
    assert first["办理流程"] == "申请\n受理\n审查\n决定"
    assert first["是否收费"] == "否"
    assert first["变更记录"] == "2020-01-01｜新增｜｜测市监发〔2019〕12号"
    assert book["权责清单"]["C2"].number_format == "@"
    instructions = {r[0].value: r for r in book["填写说明"].iter_rows(min_row=2)}
    assert instructions["设定依据"][4].value == "每行一项：法律法规名称｜条款｜条文内容"


def test_values_the_plain_form_cannot_carry_go_through_json(content):
    column = next(c for c in layout_for("powers").columns if c.key == "basis")
    items = [{"law": "《某法》", "article": "第一条", "text": "第一款。\n第二款｜含竖线"}, {"law": "《另一法》"}]
    cell = encode(column, items)
    assert cell.startswith("[")
    assert decode(column, cell) == items
    lines = next(c for c in layout_for("powers").columns if c.key == "process")
    assert decode(lines, encode(lines, [" 前后有空格 ", "[方括号开头]"])) == [" 前后有空格 ", "[方括号开头]"]


def test_text_starting_with_equals_is_not_a_formula(content):
    target = content / "powers" / "shichang.yaml"
    target.write_text(target.read_text("utf-8").replace("level: 市级", "level: '=市级'"), "utf-8")
    out = content.parent / "p.xlsx"
    assert main(["export", "powers", "-o", str(out)]) == 0
    assert load_workbook(out)["权责清单"]["I2"].data_type == "s"
    assert main(["import", str(out), "--department", "shichang"]) == 0
    assert data(target)[0]["level"] == "=市级"


# --- refused rows ---------------------------------------------------------------------

def test_excel_damage_is_refused_with_sheet_row_and_column(content, capsys):
    target = content / "powers" / "shichang.yaml"
    before = target.read_bytes()
    path = sheet(content.parent / "damaged.xlsx", [
        HEADER,
        good_row(职权编码=12300001),
        good_row(事项标识="b", 职权编码=1.23e11),
        good_row(事项标识="c", 职权编码="12300001.0"),
        good_row(事项标识="d", 生效日期=45292),
        good_row(事项标识="e", 实施主体="#N/A"),
        good_row(事项标识="f", 职权名称="食品\u00a0经营"),
        good_row(事项标识="g", 职权编码="1.23E+11"),
        good_row(事项标识="h", 职权编码=datetime(2024, 1, 2)),
        good_row(事项标识="i", 职权类型="行政许可证"),
        good_row(事项标识="j", **{"法定时限（工作日）": 5, "承诺时限（工作日）": 10}),
        good_row(事项标识="k", 设定依据="《某法》｜第一条｜条文｜多余"),
        good_row(事项标识="l", 是否收费="收"),
        good_row(事项标识="b"),
    ])
    assert main(["import", str(path), "--department", "shichang"]) == 1
    out = capsys.readouterr()
    assert out.out.splitlines() == [
        "damaged.xlsx:权责清单:2:C: error: 职权编码：被 Excel 存成了数字 12300001，前导零或末几位可能已经丢失：请把这一列设为“文本”格式后重新填写原编码",
        "damaged.xlsx:权责清单:3:C: error: 职权编码：被 Excel 存成了数字 123000000000，前导零或末几位可能已经丢失：请把这一列设为“文本”格式后重新填写原编码",
        "damaged.xlsx:权责清单:4:C: error: 职权编码：“12300001.0”末尾多了“.0”，编码被 Excel 当成了数字：请设为“文本”格式并删除“.0”",
        "damaged.xlsx:权责清单:5:W: error: 生效日期：是 Excel 日期序列号 45292（对应 2024-01-01）：请把这一列设为“文本”格式并填写 2024-01-01",
        "damaged.xlsx:权责清单:6:H: error: 实施主体：单元格是 Excel 错误值 #N/A：请修正公式，或直接填写内容",
        "damaged.xlsx:权责清单:7:D: error: 职权名称：含有不间断空格（U+00A0），常见于从网页复制的文本：请替换为普通空格",
        "damaged.xlsx:权责清单:8:C: error: 职权编码：显示为科学计数法 1.23E+11，编码已被 Excel 改写：请把这一列设为“文本”格式后重新填写完整编码",
        "damaged.xlsx:权责清单:9:C: error: 职权编码：被 Excel 自动转换成了日期 2024-01-02：请把这一列设为“文本”格式后重新填写",
        "damaged.xlsx:权责清单:10:E: error: 职权类型：“行政许可证”不是有效的职权类型，应为以下之一："
        "行政许可、行政处罚、行政强制、行政征收、行政给付、行政检查、行政确认、行政奖励、行政裁决、其他行政权力、公共服务。您是不是要写 行政许可？",
        "damaged.xlsx:权责清单:11:L: error: 法定时限（工作日）：承诺时限 10 个工作日超过了法定时限 5 个工作日，承诺时限不得超过法定时限",
        "damaged.xlsx:权责清单:12:G: error: 设定依据：第 1 行有 4 部分，最多 3 部分（法律法规名称｜条款｜条文内容）",
        "damaged.xlsx:权责清单:13:O: error: 是否收费：“收”无法识别：请填写“是”或“否”",
        "damaged.xlsx:权责清单:14:B: error: 事项标识 b 与第 3 行重复",
    ]
    assert out.err == "shichang 测试市市场监督管理局：拒绝 13 行\n未导入：13 个问题，请修正表格后重新导入（内容文件没有改动）\n"
    assert target.read_bytes() == before


def test_csv_damage_and_excel_gbk_csv(content, capsys):
    path = content.parent / "damaged.csv"
    rows = [HEADER, good_row(职权编码="1.23E+11"), good_row(事项标识="b", 生效日期="45292"), good_row(事项标识="c", 职权名称="#REF!")]
    with open(path, "w", encoding="gb18030", newline="") as f:
        csv.writer(f).writerows([["" if v is None else v for v in r] for r in rows])
    assert main(["import", str(path), "--department", "shichang"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "damaged.csv:CSV:2:C: error: 职权编码：显示为科学计数法 1.23E+11，编码已被 Excel 改写：请把这一列设为“文本”格式后重新填写完整编码",
        "damaged.csv:CSV:3:W: error: 生效日期：是 Excel 日期序列号 45292（对应 2024-01-01）：请把这一列设为“文本”格式并填写 2024-01-01",
        "damaged.csv:CSV:4:D: error: 职权名称：单元格是 Excel 错误值 #REF!：请修正公式，或直接填写内容",
    ]


def test_unknown_columns_are_reported_and_ignored_and_missing_fields_located(content, capsys):
    path = sheet(content.parent / "h.xlsx", [["事项标识", "事项名称", "职权类型", "设定依据", "事项状态", "其他说明"],
                                             ["sc-xk-001", "食品经营许可", "行政许可", "《中华人民共和国食品安全法》", "有效", "x"]])
    assert main(["import", str(path), "--department", "shichang", "--dry-run"]) == 0
    err = capsys.readouterr().err
    assert "h.xlsx:权责清单:1:F: 不认识的列“其他说明”，已忽略（如需导入，请在 columns.yaml 中为它添加列名）\n" in err
    path = sheet(content.parent / "h2.xlsx", [["事项标识", "职权名称"], ["sc-new-9", "新事项"]])
    assert main(["import", str(path), "--department", "shichang"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "h2.xlsx:权责清单:2:A: error: 缺少必填字段 category（职权类型）（表格中没有“职权类型”列）",
        "h2.xlsx:权责清单:2:A: error: 缺少必填字段 basis（设定依据）（表格中没有“设定依据”列）",
    ]


def test_department_mismatch_and_ids_used_elsewhere_are_refused(content, capsys):
    (content / "powers" / "fagai.yaml").write_text(
        "- id: fg-1\n  name: 甲\n  category: 行政许可\n  basis:\n    - law: 某法\n  status: 有效\n", "utf-8")
    path = sheet(content.parent / "d.xlsx", [HEADER, good_row(部门标识="fagai"), good_row(事项标识="fg-1")])
    assert main(["import", str(path), "--department", "shichang"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "d.xlsx:权责清单:2:A: error: 部门标识“fagai”与 --department shichang 不一致",
        "d.xlsx:权责清单:3:B: error: 事项标识 fg-1 已在 fagai.yaml 中使用，事项标识须全站唯一",
    ]


def test_unknown_department_is_a_usage_error(content, capsys):
    path = sheet(content.parent / "d.xlsx", [HEADER, good_row()])
    assert main(["import", str(path), "--department", "nosuch"]) == 2
    assert "部门“nosuch”不是已登记的部门标识" in capsys.readouterr().err


# --- deletions --------------------------------------------------------------------------

def test_records_the_sheet_does_not_list_are_kept_and_reported(content, capsys):
    target = content / "powers" / "shichang.yaml"
    out = content.parent / "p.xlsx"
    assert main(["export", "powers", "-o", str(out), "--department", "shichang"]) == 0
    book = load_workbook(out)
    book["权责清单"].delete_rows(3)  # sc-cf-002
    book.save(out)
    before = target.read_bytes()
    assert main(["import", str(out), "--department", "shichang"]) == 0
    err = capsys.readouterr().err
    assert ("表格中没有下列 1 条现有权责事项，保持不变（确需删除请加 --allow-delete）：\n"
            "  sc-cf-002 对未取得食品经营许可从事食品经营活动的处罚\n") in err
    assert "新增 0，修改 0，未变 2，删除 0，表格中没有（保留）1" in err
    assert target.read_bytes() == before
    assert main(["import", str(out), "--department", "shichang", "--allow-delete", "--dry-run"]) == 0
    assert "将删除表格中没有的 1 条权责事项：\n  sc-cf-002" in capsys.readouterr().err
    assert target.read_bytes() == before
    assert main(["import", str(out), "--department", "shichang", "--allow-delete"]) == 0
    assert "已删除表格中没有的 1 条权责事项：\n  sc-cf-002" in capsys.readouterr().err
    assert [p["id"] for p in data(target)] == ["sc-xk-001", "sc-jc-003"]


def test_header_comment_is_kept_when_a_record_is_removed(content, capsys):
    target = content / "powers" / "shichang.yaml"
    items = "".join(textwrap.dedent(f"""\
        - id: sc-{i}
          name: 事项{i}
          category: 行政检查
          basis:
            - law: 某法
          status: 有效
        """) for i in range(20))
    target.write_text("# 头部注释\n" + items, "utf-8")
    out = content.parent / "p.csv"
    assert main(["export", "powers", "-o", str(out), "--department", "shichang"]) == 0
    lines = out.read_text("utf-8-sig").splitlines()
    out.write_text("\n".join(lines[:-1]) + "\n", "utf-8-sig")  # drop sc-19
    assert main(["import", str(out), "--department", "shichang", "--allow-delete"]) == 0
    assert "已删除表格中没有的 1 条权责事项：\n  sc-19 事项19" in capsys.readouterr().err
    assert len(data(target)) == 19
    assert target.read_text("utf-8").startswith("# 头部注释\n- id: sc-0\n")


def test_changed_rows_are_written_and_comments_of_unchanged_ones_kept(content):
    target = content / "powers" / "shichang.yaml"
    target.write_text(target.read_text("utf-8").replace("  name: 对特种设备", "  # 保留这条注释\n  name: 对特种设备"), "utf-8")
    out = content.parent / "p.xlsx"
    assert main(["export", "powers", "-o", str(out), "--department", "shichang"]) == 0
    book = load_workbook(out)
    book["权责清单"]["D2"] = "食品经营许可（改）"
    book["权责清单"].append(good_row())
    book.save(out)
    assert main(["import", str(out), "--department", "shichang"]) == 0
    after = data(target)
    assert [p["id"] for p in after] == ["sc-xk-001", "sc-cf-002", "sc-jc-003", "sc-new-1"]
    assert after[0]["name"] == "食品经营许可（改）"
    assert after[3] == {"id": "sc-new-1", "code": "0012300001", "name": "新事项", "category": "行政许可",
                        "basis": [{"law": "《某法》", "article": "第一条"}], "status": "有效"}
    assert "  # 保留这条注释\n" in target.read_text("utf-8")
    assert "  code: '0012300001'\n" in target.read_text("utf-8")


# --- mapping ----------------------------------------------------------------------------

def test_every_field_of_every_kind_has_a_column():
    from generator.kinds import KINDS
    from generator.kinds.base import submodel

    for name, kind in KINDS.items():
        keys = {c.key for c in layout_for(name).export_columns()}

        def fields(model, prefix=""):
            for key, info in model.model_fields.items():
                sub = submodel(info.annotation)
                whole = prefix + key
                if sub is not None and whole not in keys and whole != layout_for(name).spec.rows:
                    yield from fields(sub, whole + ".")
                elif whole == layout_for(name).spec.rows:
                    yield from fields(sub, whole + ".")
                else:
                    yield whole

        assert set(fields(kind.model)) == keys, name


def test_custom_mapping_file_changes_the_headers(content):
    custom = content.parent / "my-columns.yaml"
    custom.write_text("powers:\n  name: 权力名称\n", "utf-8")
    out = content.parent / "p.csv"
    assert main(["export", "powers", "-o", str(out), "--columns", str(custom)]) == 0
    assert out.read_text("utf-8-sig").splitlines()[0].startswith("部门标识,事项标识,职权编码,权力名称,职权类型,")
    assert main(["import", str(out), "--department", "shichang", "--columns", str(custom)]) == 0
    custom.write_text("powers:\n  nmae: 权力名称\n", "utf-8")
    assert main(["import", str(out), "--department", "shichang", "--columns", str(custom)]) == 2


def test_every_column_decodes_what_it_encodes():
    for column in layout_for("powers").columns:
        assert isinstance(column, Column)
        assert column.shape in ("code", "text", "date", "int", "bool", "lines", "objects", "serial", "reader")


# --- issue 10: import never loses what the sheet does not say ---------------------------

def test_a_deleted_column_leaves_the_field_as_it_is(content, capsys):
    target = content / "powers" / "shichang.yaml"
    before = data(target)
    out = content.parent / "p.xlsx"
    assert main(["export", "powers", "-o", str(out), "--department", "shichang"]) == 0
    book = load_workbook(out)
    book["权责清单"].delete_cols(HEADER.index("变更记录") + 1)
    book.save(out)
    assert main(["import", str(out), "--department", "shichang"]) == 0
    assert data(target) == before
    assert "新增 0，修改 0，未变 3" in capsys.readouterr().err


def test_an_emptied_cell_is_reported_before_the_write(content, capsys):
    target = content / "powers" / "shichang.yaml"
    out = content.parent / "p.xlsx"
    assert main(["export", "powers", "-o", str(out), "--department", "shichang"]) == 0
    book = load_workbook(out)
    book["权责清单"]["X2"] = None  # 变更记录 of sc-xk-001
    book.save(out)
    assert main(["import", str(out), "--department", "shichang"]) == 0
    err = capsys.readouterr().err
    assert ("p.xlsx:权责清单:2:A: 修改 sc-xk-001 食品经营许可\n"
            '    p.xlsx:权责清单:2:X: 清空“变更记录”（原为：[{"date": "2020-01-01", "action": "新增", …）\n') in err
    assert err.index("清空“变更记录”") < err.index("已导入")
    assert "changes" not in data(target)[0]


def test_allow_delete_refuses_a_power_a_policy_still_names(content, capsys):
    target = content / "powers" / "shichang.yaml"
    before = target.read_bytes()
    out = content.parent / "p.xlsx"
    assert main(["export", "powers", "-o", str(out), "--department", "shichang"]) == 0
    book = load_workbook(out)
    book["权责清单"].delete_rows(2)  # sc-xk-001, named by policies/rongzi-2024.yaml
    book.save(out)
    assert main(["import", str(out), "--department", "shichang", "--allow-delete"]) == 1
    err = capsys.readouterr().err
    assert ("未导入：下列权责事项仍被引用，不能删除（内容文件没有改动）：\n"
            "  sc-xk-001 食品经营许可：content/policies/rongzi-2024.yaml:12:18 引用了它\n") in err
    assert target.read_bytes() == before
    assert main(["validate", "--no-cache"]) == 0
