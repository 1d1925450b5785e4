"""`new`: scaffolds with every field explained; validate points at what is still to fill in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.cli import main
from generator.editing.fmt import format_text
from generator.editing.files import kind_of
from generator.editing.scaffold import record_text
from generator.kinds import KINDS
from generator.content.load import load_text
from generator.kinds.base import submodel




def validate_lines(capsys) -> list[str]:
    capsys.readouterr()
    main(["validate", "--today", "2024-10-01"])
    return capsys.readouterr().out.splitlines()


def all_fields(model, prefix=""):
    for key, info in model.model_fields.items():
        yield prefix + key, info
        sub = submodel(info.annotation)
        if sub is not None and info.is_required():
            yield from all_fields(sub, prefix + key + ".")


@pytest.mark.parametrize("kind", list(KINDS))
def test_scaffold_names_every_top_level_field_with_its_chinese_title(kind):
    text = record_text(kind, "x-1")
    for key, info in all_fields(KINDS[kind].model):
        name = key.split(".")[-1]
        assert re.search(rf"^[ #-]*{name}:.*# {re.escape(info.title)}", text, re.M), f"{kind}: {key}"
    assert load_text(text, "x")[1] == []


def test_new_policy_file_and_the_problems_it_leaves_to_fill(content, capsys):
    assert main(["new", "policy", "--id", "new-policy"]) == 0
    assert capsys.readouterr().out == (
        "已新建 content/policies/new-policy.yaml：政策 new-policy。请填写带“（必填）”的字段，然后运行 python -m generator validate\n")
    text = (content / "policies" / "new-policy.yaml").read_text("utf-8")
    assert text.startswith("# 政策：new-policy。带“（必填）”的字段都要填写；填写后运行 python -m generator validate 检查。\n"
                           "id: new-policy  # 政策标识：与文件名相同（必填）\n"
                           "title: ''  # 标题（必填）\n")
    assert "# interpretation:  # 政策解读\n" in text
    assert validate_lines(capsys) == [
        "content/policies/new-policy.yaml:3:8: error: 标题 不能为空",
        "content/policies/new-policy.yaml:5:5: error: 发文机关 不能为空",
        "content/policies/new-policy.yaml:6:9: error: 日期格式应为 YYYY-MM-DD，例如 2024-03-01（当前为“”）",
        "content/policies/new-policy.yaml:8:10: error: 内容概述 不能为空",
    ]
    filled = (text.replace("title: ''", "title: 新政策").replace("  - ''", "  - fagai")
              .replace("issued: ''", "issued: 2024-05-06").replace("summary: ''", "summary: 概述")
              .replace("# interpretation:", "interpretation:\n  by: fagai\n#"))
    (content / "policies" / "new-policy.yaml").write_text(filled, "utf-8")
    assert validate_lines(capsys) == []


def test_new_power_is_appended_to_the_department_file(content, capsys):
    path = content / "powers" / "shichang.yaml"
    before = path.read_text("utf-8")
    assert main(["new", "power", "--department", "shichang", "--id", "sc-new-9"]) == 0
    after = path.read_text("utf-8")
    assert after.startswith(before)
    assert after[len(before):].startswith("- id: sc-new-9  # 事项标识：全站唯一，[A-Za-z0-9-]+，用作永久网址（必填）\n"
                                          "  name: ''  # 职权名称（必填）\n")
    n = before.count("\n")  # the new record starts on line n + 1
    assert validate_lines(capsys) == [
        f"content/powers/shichang.yaml:{n + 2}:9: error: 职权名称 不能为空",
        f"content/powers/shichang.yaml:{n + 3}:13: error: “”不是有效的职权类型，应为以下之一：行政许可、行政处罚、行政强制、"
        "行政征收、行政给付、行政检查、行政确认、行政奖励、行政裁决、其他行政权力、公共服务",
        f"content/powers/shichang.yaml:{n + 5}:12: error: 法律法规名称 不能为空",
    ]


def test_new_power_for_a_department_without_a_file_creates_it(content):
    assert main(["new", "power", "--department", "fagai", "--id", "fg-1"]) == 0
    assert (content / "powers" / "fagai.yaml").read_text("utf-8").startswith("# fagai 的权责事项\n- id: fg-1  #")


@pytest.mark.parametrize("argv,message", [
    (["new", "power", "--department", "shichang", "--id", "sc-xk-001"], "错误：权责事项标识 sc-xk-001 已在"),
    (["new", "power", "--department", "nosuch", "--id", "n-1"], "错误：部门“nosuch”不是已登记的部门标识"),
    (["new", "power", "--id", "n-1"], "错误：新建权责事项需要 --department（部门标识）"),
    (["new", "policy", "--id", "rencai-2024"], "错误：政策标识 rencai-2024 已在"),
    (["new", "board", "--id", "有 空格"], "错误：标识“有 空格”只能使用字母、数字和连字符"),
])
def test_refusals(content, capsys, argv, message):
    files = {p: p.read_bytes() for p in content.rglob("*.yaml")}
    assert main(argv) == 1
    assert capsys.readouterr().err.startswith(message)
    assert {p: p.read_bytes() for p in content.rglob("*.yaml")} == files


def test_new_board_and_measures_fill_sub_ids_and_start_states(content, capsys):
    assert main(["new", "board", "--id", "2024-02"]) == 0
    assert main(["new", "measures", "--id", "m-2025"]) == 0
    board = (content / "boards" / "2024-02.yaml").read_text("utf-8")
    assert "  - id: 2024-02-1  # 条目标识：全站唯一（必填）\n" in board
    assert "    status: 公示中  # 状态：取值：公示中 / 已整改 / 已撤销（必填）\n" in board
    measures = (content / "measures" / "m-2025.yaml").read_text("utf-8")
    assert "    status: 未开始  # 进度状态：取值：未开始 / 推进中 / 已完成 / 逾期（必填）\n" in measures


def test_numeric_looking_ids_are_quoted(content):
    assert main(["new", "board", "--id", "2024"]) == 0
    assert (content / "boards" / "2024.yaml").read_text("utf-8").splitlines()[1].startswith("id: '2024'  #")


@pytest.mark.parametrize("kind", list(KINDS))
def test_fmt_keeps_every_comment_of_a_scaffold(kind):
    text = record_text(kind, "x-1")
    root = Path("/content")
    formatted = format_text(text, kind_of(root / kind / "x-1.yaml", root))
    assert format_text(formatted, kind_of(root / kind / "x-1.yaml", root)) == formatted
    assert [c.strip() for c in re.findall(r"#.*$", formatted, re.M)] == [c.strip() for c in re.findall(r"#.*$", text, re.M)]


def test_new_event_file_and_the_problems_it_leaves_to_fill(content, capsys):
    assert main(["new", "event", "--id", "kaiban-canyin"]) == 0
    assert capsys.readouterr().out == (
        "已新建 content/events/kaiban-canyin.yaml：一件事 kaiban-canyin。请填写带“（必填）”的字段，然后运行 python -m generator validate\n")
    text = (content / "events" / "kaiban-canyin.yaml").read_text("utf-8")
    assert text.startswith("# 一件事：kaiban-canyin。带“（必填）”的字段都要填写；填写后运行 python -m generator validate 检查。\n"
                           "id: kaiban-canyin  # 一件事标识：与文件名相同（必填）\n"
                           "title: ''  # 名称：例如 开办餐饮店（必填）\n")
    assert "  - power: ''  # 权责事项：权责事项标识（powers/ 中的 id）（必填）\n" in text
    assert "status: 有效  # 状态：有效 / 已停止（必填）\n" in text
