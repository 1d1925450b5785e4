"""Issue 13: the everyday mistakes of a new editor, each with a message that says what to do,
at the line to change — run through the CLI as an editor runs it."""

from __future__ import annotations

import textwrap

import pytest

from conftest import MINIMAL
from generator.cli import main

POWER = textwrap.dedent(MINIMAL["powers/shichang.yaml"])
FILE = "content/powers/shichang.yaml"


def validate(tree, capsys, monkeypatch, files: dict[str, str], where=None) -> tuple[int, list[str]]:
    content = tree(files)
    monkeypatch.chdir(where or content.parent)
    code = main(["validate", "--no-cache", "--content", str(content), "--today", "2026-11-23"])
    return code, capsys.readouterr().out.splitlines()


def power(old: str, new: str) -> dict[str, str]:
    assert old in POWER
    return {"powers/shichang.yaml": POWER.replace(old, new)}


SYNTAX = {
    "full-width colon": (
        power("name: 食品生产许可", "name：食品生产许可"),
        f"{FILE}:3:7: error: 这里的冒号“：”是全角（中文）冒号：字段名后请改用半角冒号“:”，并在其后加一个空格，"
        "例如 name: 食品生产许可"),
    "list item without its dash": (
        power("  status: 有效\n", "  status: 有效\n  subitems:\n    - 生产许可\n    变更许可\n  note: 无\n"),
        f"{FILE}:11:5: error: 这一行是列表中的一项，但缺少开头的“- ”：请在“变更许可”前加上“- ”（短横线和一个空格），与上一项对齐"),
    "unclosed quote, end of file": (
        power("name: 食品生产许可", "name: '食品生产许可"),
        f"{FILE}:3:9: error: 这里的引号“'”没有闭合：请在这个值的末尾补上“'”（或删除这个引号）"),
    "unclosed quote, closed by a later one": (
        {"powers/shichang.yaml": POWER.replace("name: 食品生产许可", 'name: "食品生产许可').replace("第三十五条", '"第三十五条"')},
        f"{FILE}:3:9: error: 这里的引号“\"”没有闭合：请在这个值的末尾补上“\"”（或删除这个引号）"),
}


@pytest.mark.parametrize("files, message", SYNTAX.values(), ids=SYNTAX)
def test_syntax_mistakes_point_at_the_line_to_change(tree, capsys, monkeypatch, files, message):
    code, out = validate(tree, capsys, monkeypatch, files)
    assert (code, out) == (1, [message])


POLICY = """\
    id: p1
    title: 关于支持小微企业发展的若干措施
    doc_number: 测政发〔2021〕374号
    issuers: [shichang]
    issued: 2021-05-01
    status: 有效
    summary: 支持小微企业。
    related_powers: [sc-1]
    """

VALUES = {
    "curly quotes around a code": (
        power("code: '0123'", "code: ‘2102000101001’"),
        [f"{FILE}:2:9: error: 职权编码“‘2102000101001’”两端是弯引号 ‘’（YAML 不把它们当作引号，会连同引号一起发布）："
         "请改为 code: '2102000101001'"]),
    "curly quotes and a trailing space around an enum value": (
        power("category: 行政许可", "category: “行政许可 ”"),
        [f"{FILE}:4:13: error: 职权类型““行政许可 ””两端是弯引号 “”（YAML 不把它们当作引号，会连同引号一起发布），"
         "末尾有一个空格（看不见，但会被当作内容）：请改为 category: 行政许可"]),
    "NBSP after an enum value": (
        power("category: 行政许可", "category: '行政许可\u00a0'"),
        [f"{FILE}:4:13: error: 职权类型“行政许可\u00a0”末尾有一个不换行空格 NBSP（U+00A0，常见于从网页复制的文本）"
         "（看不见，但会被当作内容）：请改为 category: 行政许可"]),
    "ideographic space before an id": (
        power("id: sc-1", "id: '\u3000sc-1'"),
        [f"{FILE}:1:7: error: 事项标识“\u3000sc-1”开头有一个全角空格（U+3000）（看不见，但会被当作内容）：请改为 id: sc-1"]),
    "misspelt enum value": (
        power("category: 行政许可", "category: 行政许"),
        [f"{FILE}:4:13: error: “行政许”不是有效的职权类型，应为以下之一：行政许可、行政处罚、行政强制、行政征收、行政给付、行政检查、"
         "行政确认、行政奖励、行政裁决、其他行政权力、公共服务。您是不是要写 行政许可？"]),
    "misspelt key": (
        power("status: 有效", "stauts: 有效"),
        [f"{FILE}:1:3: error: 缺少必填字段 status（事项状态）",
         f"{FILE}:8:3: error: 未知字段 stauts：您是不是要写 status？这里可用的字段有：id、code、name、category、subitems、basis、"
         "implementer、office、level、responsibilities、accountability、time_limit、fee、process、channels、"
         "supervision_phone、status、effective、changes、note"]),
    "a power's name where its id belongs": (
        {"policies/p1.yaml": POLICY.replace("[sc-1]", "[食品生产许可]")},
        ["content/policies/p1.yaml:8:18: error: 相关权责事项“食品生产许可”：请填写事项标识（如 sc-1），不是事项名称。"
         "“食品生产许可”的标识是 sc-1，请改为 sc-1"]),
    "misspelt id of a power": (
        {"policies/p1.yaml": POLICY.replace("[sc-1]", "[sc-l]")},
        ["content/policies/p1.yaml:8:18: error: 引用了不存在的权责事项标识 sc-l：您是不是要写 sc-1？"]),
    "misspelt department id": (
        {"policies/p1.yaml": POLICY.replace("[shichang]", "[shichagn]")},
        ["content/policies/p1.yaml:4:11: error: 引用了不存在的部门标识 shichagn：您是不是要写 shichang？"]),
}


@pytest.mark.parametrize("files, messages", VALUES.values(), ids=VALUES)
def test_refused_values_say_what_was_meant(tree, capsys, monkeypatch, files, messages):
    assert validate(tree, capsys, monkeypatch, files) == (1, messages)


def test_curly_quotes_around_a_name_warn_and_pass(tree, capsys, monkeypatch):
    code, out = validate(tree, capsys, monkeypatch, power("name: 食品生产许可", "name: “食品生产许可”"))
    assert (code, out) == (0, [
        f"{FILE}:3:9: warning: name 两端是弯引号 “”：YAML 不把它们当作引号，发布后会连同引号一起显示；"
        "如不需要，请删除这对引号（YAML 的引号请用直引号 ' 或 \"）"])


def lint_out(tree, capsys, monkeypatch, files) -> tuple[int, list[str]]:
    content = tree(files)
    monkeypatch.chdir(content.parent)
    code = main(["lint", "--content", str(content), "--today", "2026-11-23"])
    return code, capsys.readouterr().out.splitlines()


def test_a_power_pasted_under_a_new_id_is_named_with_the_first(tree, capsys, monkeypatch):
    second = POWER.replace("id: sc-1", "id: sc-2").replace("'0123'", "'0124'")
    third = POWER.replace("id: sc-1", "id: sc-3").replace("name: 食品生产许可", "name: 食品经营许可")
    assert lint_out(tree, capsys, monkeypatch, {"powers/shichang.yaml": POWER + second + third}) == (0, [
        f"{FILE}:9:3: warning: 权责事项 sc-2 与 {FILE}:1:3 的 sc-1 部门和名称“食品生产许可”相同："
        "像是同一事项复制后换了标识，请删除重复的一条，或改正名称、编码",
        f"{FILE}:17:3: warning: 权责事项 sc-3 与 {FILE}:1:3 的 sc-1 编码“0123”相同："
        "像是同一事项复制后换了标识，请删除重复的一条，或改正名称、编码"])


DEPARTMENTS = {"departments.yaml": MINIMAL["departments.yaml"].replace(
    "  region: 市本级", "  short_name: 市场监管局\n          region: 市本级")}


@pytest.mark.parametrize("given, advice", [
    ("市场监管局", "部门“市场监管局”是部门 shichang 的简称：这里请写部门标识，改为 --department shichang"),
    ("测试市市场监督管理局", "部门“测试市市场监督管理局”是部门 shichang 的全称：这里请写部门标识，改为 --department shichang"),
    ("shichagn", "部门“shichagn”不是已登记的部门标识：您是不是要写 --department shichang？"),
    ("市监局", "部门“市监局”不是已登记的部门标识：您是不是要写 --department shichang（市场监管局）？"),
    ("财政局", "部门“财政局”不是已登记的部门标识：请先在 departments.yaml 中登记部门，或检查 --department 的拼写"),
])
def test_department_by_name_gets_its_id_in_new_import_and_export(tree, tmp_path, capsys, monkeypatch, given, advice):
    content = tree(DEPARTMENTS)
    monkeypatch.chdir(content.parent)
    sheet = tmp_path / "powers.csv"
    sheet.write_text("事项编码,事项名称\n0124,食品经营许可\n", "utf-8")
    codes = [main(["new", "power", "--id", "sc-9", "--department", given]),
             main(["import", str(sheet), "--kind", "powers", "--department", given]),
             main(["export", "powers", "-o", str(tmp_path / "out.csv"), "--department", given])]
    err = capsys.readouterr().err.splitlines()
    assert (codes, err) == ([1, 2, 2], [f"错误：{advice}"] * 3)


@pytest.mark.parametrize("argv, err", [
    ([], ["用法：python -m generator [-h] 命令 ...", "python -m generator：错误：缺少必填参数：命令"]),
    (["validat"], ["用法：python -m generator [-h] 命令 ...",
                   "python -m generator：错误：参数 命令 的值“validat”无效，可选：validate, build, merge, serve, schema, "
                   "fmt, new, import, export, lint, compare。您是不是要写 validate？"]),
    (["validate", "--bogus"], ["用法：python -m generator [-h] 命令 ...",
                               "python -m generator：错误：不认识的参数：--bogus（可用 -h 查看全部参数）"]),
    (["validate", "--today", "11/23"], [
        "用法：python -m generator validate [-h] [--content CONTENT]",
        "                                [--format {text,github}] [--cache CACHE]",
        "                                [--no-cache] [--today TODAY]",
        "python -m generator validate：错误：参数 --today：日期应为 YYYY-MM-DD：11/23"]),
])
def test_usage_errors_are_chinese(capsys, monkeypatch, argv, err):
    monkeypatch.setenv("COLUMNS", "80")
    assert main(argv) == 2
    assert capsys.readouterr().err.splitlines() == err


def test_help_is_chinese(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["new", "-h"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：python -m generator new [-h]")
    assert "\n位置参数:\n" in out and "\n选项:\n  -h, --help            显示此帮助并退出\n" in out
    assert "usage" not in out and "show this help" not in out


@pytest.mark.parametrize("where", ["content/powers", "/"])
def test_paths_are_relative_to_the_repository_root_wherever_run(tree, tmp_path, capsys, monkeypatch, where):
    folder = tmp_path / where  # "/": the file system's root, outside the repository
    folder.mkdir(parents=True, exist_ok=True)
    files = power("name: 食品生产许可", "name：食品生产许可")
    code, out = validate(tree, capsys, monkeypatch, files, where=folder)
    assert (code, [line.split(" error:")[0] for line in out]) == (1, [f"{FILE}:3:7:"])


def test_curly_quotes_are_looked_for_only_on_lines_that_hold_one(tree, capsys, monkeypatch):
    """Chinese text is full of curly quotes, but a value written between them is rare: the
    pattern is tried at the start of each line holding an opening quote, not along every line
    of every file (0.3 s at 25,000 records)."""
    from generator.content import tree as loading

    tried = []

    class Counting:
        def __init__(self, pattern):
            self.pattern = pattern

        def match(self, text, pos=0):
            tried.append(text[pos:text.find("\n", pos)])
            return self.pattern.match(text, pos)

        def finditer(self, text):
            tried.append("(every line)")
            return self.pattern.finditer(text)

    monkeypatch.setattr(loading, "_CURLY_VALUE", Counting(loading._CURLY_VALUE))
    text = POWER.replace("name: 食品生产许可", "name: “食品生产许可”").replace("第三十五条", "第三十五条“第一款”")
    code, out = validate(tree, capsys, monkeypatch, {"powers/shichang.yaml": text})
    assert (code, out) == (0, [
        f"{FILE}:3:9: warning: name 两端是弯引号 “”：YAML 不把它们当作引号，发布后会连同引号一起显示；"
        "如不需要，请删除这对引号（YAML 的引号请用直引号 ' 或 \"）"])
    assert tried == ["  name: “食品生产许可”", "      article: 第三十五条“第一款”"]
