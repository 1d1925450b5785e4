"""Hostile content: every trick is refused with a located Chinese message, in bounded time
and memory, and never reaches the editor as a Python traceback."""

from __future__ import annotations

import subprocess
import sys
import tracemalloc

import pytest

from conftest import REPO, TODAY
from generator.cli import main
from generator.content.load import MAX_FILE_BYTES, MAX_NODES, MAX_SCALAR_CHARS, load_text
from generator.pipeline import check

ID_CARD = "11010519491231002X"  # a valid GB 11643 number (checksum X), not a real person's
ESCAPED_ID = "".join(f"\\x{ord(c):02x}" for c in ID_CARD)


def problems(text: str) -> list[str]:
    _, found = load_text(text, "content/x.yaml")
    return [p.format().removeprefix("content/x.yaml:") for p in found]


INVISIBLE = "，请删除（常见于从网页或表格复制的文本）"
ALIAS = "不支持锚点和别名（& 与 *），请直接写出内容"
GLUED = "“#”前缺少空格：若是注释，请在“#”前加一个空格；若是内容，请把它写进引号内"
UNDER_INDENTED = ("续行缩进不足：方括号、花括号或引号中的内容换行后，续行（包括单独成行的“]”“}”）要比所属字段"
                  "（或列表项“-”）多缩进，请在行首加空格")
EMPTY_KEY = "字段名不能为空：请在冒号“:”前写出字段名"
BLANK_LINES = "块文本开头的空行比第一行文字缩进更多，请删除这些空行中的空格"
EXCEL_NUMBER = "像是 Excel 用科学计数法显示的数字，原来的编码或数字已经丢失：请在表格中把这一列设为“文本”格式，从原始资料重新填写"

CASES = {
    # anchors, aliases, tags, directives, documents
    "recursive alias": ("a: &a [*a]\n", ["1:8: error: " + ALIAS]),
    "merge key": ("b: &b {x: 1}\na:\n  <<: *b\n", ["3:7: error: " + ALIAS]),
    "undefined alias": ("a: *nothing\n", ["1:4: error: " + ALIAS]),
    "python tag": ("a: !!python/object/apply:os.system ['ls']\n",
                   ["1:4: error: 不支持 YAML 标签 !!python/object/apply:os.system，请删除"]),
    "python name tag": ("a: !!python/name:builtins.eval ''\n", ["1:4: error: 不支持 YAML 标签 !!python/name:builtins.eval，请删除"]),
    "standard tag": ("a: !!str 0123\n", ["1:4: error: 不支持 YAML 标签 !!str，请删除"]),
    "binary tag": ("a: !!binary aGVsbG8=\n", ["1:4: error: 不支持 YAML 标签 !!binary，请删除"]),
    "tag on a key": ("!!python/str a: 1\n", ["1:1: error: 字段名必须是简单文本"]),
    "TAG directive": ("%TAG ! tag:example.com,2000:\n---\na: 1\n", ["1:1: error: 不支持 YAML 指令（以 % 开头的行），请删除这一行"]),
    "two documents after an end marker": ("a: 1\n...\n---\nb: 1\n",
                                          ["3:1: error: 一个文件只能有一个 YAML 文档，请删除多余的“---”及其后内容"]),
    "complex key": ("? [a, b]\n: 1\n", ["1:3: error: 字段名必须是简单文本"]),
    "anchor never aliased": ("a: &x 1\n", ["1:4: error: 不支持锚点和别名（& 与 *），请删除“&x”"]),
    "anchor name with a colon": ("a: &an:chor 1\n", ["1:4: error: 不支持锚点和别名（& 与 *），请删除“&an:chor”"]),
    "alias as a key": ("a: &x k\n*x : 2\n", ["2:1: error: " + ALIAS]),
    "anchor glued to a JSON-style key": ('a: {"k":&x 甲, b: *x}\n', ["1:18: error: " + ALIAS]),
    "non-specific tag": ("a: ! 12\n", ["1:4: error: 不支持 YAML 标签 !，请删除"]),
    "non-specific tag alone": ("!\n", ["1:1: error: 不支持 YAML 标签 !，请删除"]),
    "empty key": (": 值\n", ["1:1: error: " + EMPTY_KEY]),
    "empty key in a list item": ("- : 值\n", ["1:3: error: " + EMPTY_KEY]),
    "empty key in braces": ("a: {: x}\n", ["1:5: error: " + EMPTY_KEY]),
    "end marker only": ("# 说明\n...\n", ["2:1: error: 文件是空的"]),
    # nesting
    "nesting just too deep": ("a: " + "[" * 41 + "]" * 41 + "\n", ["1:44: error: 嵌套层数超过 40 层，请检查缩进"]),
    "deep block nesting": ("".join(" " * i + "a:\n" for i in range(300)), ["41:41: error: 嵌套层数超过 40 层，请检查缩进"]),
    "brackets inside quotes": ('["]", ' * 2000, ["1:241: error: 嵌套层数超过 40 层，请检查缩进"]),
    # tabs, controls, invisible and bidirectional characters, raw and escaped
    "tab in a value": ("name: 市场\t监管局\n", ["1:9: error: 含有 Tab 字符（常见于从表格复制的文本），请改用空格"]),
    "escaped tab": ('name: "市场\\t监管局"\n', ["1:10: error: 转义符“\\t”写出了 Tab 字符（常见于从表格复制的文本），请改用空格"]),
    "escaped NUL": ('name: "a\\0b"\n', ["1:9: error: 转义符“\\0”写出了不可见或控制字符：空字符（NUL）" + INVISIBLE]),
    "escaped escape": ('name: "\\e[31m红色"\n', ["1:8: error: 转义符“\\e”写出了不可见或控制字符：控制字符 U+001B" + INVISIBLE]),
    "raw C1 control": ("name: a\x85b\n", ["1:8: error: 含有不可见或控制字符：控制字符 U+0085" + INVISIBLE]),
    "escaped next line": ('name: "a\\Nb"\n', ["1:9: error: 转义符“\\N”写出了不可见或控制字符：控制字符 U+0085" + INVISIBLE]),
    "raw line separator": ("name: a\u2028b\n", ["1:8: error: 含有不可见或控制字符：行分隔符" + INVISIBLE]),
    "escaped paragraph separator": ('name: "a\\Pb"\n', ["1:9: error: 转义符“\\P”写出了不可见或控制字符：段分隔符" + INVISIBLE]),
    "lone surrogate escape": ('name: "市场\\ud800监管局"\n',
                              ["1:10: error: 双引号文本中的 Unicode 转义无效（代理码位 D800–DFFF 或超出范围），请删除"]),
    "escaped RLO": ('name: "abc\\u202Edef"\n', ["1:11: error: 转义符“\\u202E”写出了不可见或控制字符：从右到左覆盖符" + INVISIBLE]),
    "long-escaped RLI": ('name: "ab\\U00002067c"\n', ["1:10: error: 转义符“\\U00002067”写出了不可见或控制字符：从右到左隔离符" + INVISIBLE]),
    "zero width joiner in a quoted key": ('"na\\u200dme": x\n', ["1:4: error: 转义符“\\u200d”写出了不可见或控制字符：零宽连接符" + INVISIBLE]),
    "raw soft hyphen": ("name: 市场\u00ad监管\n", ["1:9: error: 含有不可见或控制字符：软连字符" + INVISIBLE]),
    "raw arabic letter mark": ("name: a\u061cb\n", ["1:8: error: 含有不可见或控制字符：阿拉伯字母标记（双向控制符）" + INVISIBLE]),
    "raw tag character": ("name: a\U000e0041b\n", ["1:8: error: 含有不可见或控制字符：不可见字符 U+E0041" + INVISIBLE]),
    "BOM inside the text": ("name: a\ufeffb\n", ["1:8: error: 含有不可见或控制字符：字节顺序标记（BOM）" + INVISIBLE]),
    "replacement character": ("name: 大连市\ufffd\ufffd局\n",
                              ["1:10: error: 含有替换字符“\ufffd”：文件曾被错误转码，这里原有的文字已丢失，请从原文重新复制",
                               "1:11: error: 含有替换字符“\ufffd”：文件曾被错误转码，这里原有的文字已丢失，请从原文重新复制"]),
    "HTML reference to RLO": ("body: 正文&#x202E;文本\n", ["1:9: error: HTML 字符引用“&#x202E;”写出了隐藏字符或数字，请直接写出文字或删除"]),
    "HTML named invisible": ("body: a&zwj;b\n", ["1:8: error: HTML 字符引用“&zwj;”写出了隐藏字符或数字，请直接写出文字或删除"]),
    "HTML reference to digits": ("body: '&#49;3812345678'\n", ["1:8: error: HTML 字符引用“&#49;”写出了隐藏字符或数字，请直接写出文字或删除"]),
    # Excel artefacts
    "#N/A (a comment to YAML)": ("code: #N/A\n", ["1:7: error: 含有 Excel 错误值“#N/A”：表格公式出错，请在原表格中改正后填写真实内容"]),
    "#REF! quoted": ("name: '#REF!'\n", ["1:8: error: 含有 Excel 错误值“#REF!”：表格公式出错，请在原表格中改正后填写真实内容"]),
    "#VALUE! inside text": ("name: 合计#VALUE!元\n", ["1:9: error: 含有 Excel 错误值“#VALUE!”：表格公式出错，请在原表格中改正后填写真实内容"]),
    "_x000D_": ("facts: 第一行_x000D_第二行\n", ["1:11: error: 含有 Excel 导出残留“_x000D_”（表格中的换行或控制字符），请删除"]),
    "scientific code": ("code: 1.23E+11\n", ["1:7: error: “1.23E+11”" + EXCEL_NUMBER]),
    "scientific code, quoted": ("code: '4.40111E+17'\n", ["1:7: error: “4.40111E+17”" + EXCEL_NUMBER]),
    # sizes
    "huge value": ("a: " + "长" * (MAX_SCALAR_CHARS + 1) + "\n",
                   [f"1:4: error: 文本过长（{MAX_SCALAR_CHARS + 1:,} 字），一个字段最多 {MAX_SCALAR_CHARS:,} 字，请精简或拆分"]),
    "huge key": ("k" * 101 + ": 1\n", ["1:1: error: 字段名过长（101 字），请检查这一行是否缺少冒号后的空格"]),
    "huge number": ("a: " + "9" * 5000 + "\n", ["1:4: error: 数字过长（5,000 位），请检查；编码和号码请加引号写成文本"]),
    # personal data that exists only after YAML has joined or unescaped the text
    "ID card written as escapes": (f'facts: "{ESCAPED_ID}"\n',
                                   ["1:8: error: 包含身份证号码，公开前必须删除或脱敏（号码由转义符或折行拼接而成）"]),
    "ID card folded across lines": (f"facts: 身份证 {ID_CARD[:14]}\n  {ID_CARD[14:]}\n",
                                    ["1:8: error: 包含身份证号码，公开前必须删除或脱敏（号码由转义符或折行拼接而成）"]),
    "mobile across a quoted line break": ('facts: "电话 138\\\n  12345678"\n',
                                          ["1:8: error: 包含手机号码，公开前必须删除或脱敏（号码由转义符或折行拼接而成）"]),
    # malformed YAML: Chinese messages
    "unclosed bracket": ("a: [1, 2\n", ["2:1: error: 方括号列表没有正确结束：缺少“,”或“]”"]),
    "value starting with @": ("a: @某单位\n", ["1:4: error: “@”不能出现在值的开头，请给这段文本加引号"]),
    "value starting with backtick": ("a: `x`\n", ["1:4: error: “`”不能出现在值的开头，请给这段文本加引号"]),
    "text after block indicator": ("a: |x\n", ["1:5: error: 块文本标记“|”或“>”之后应直接换行，内容写在下一行"]),
    "bare anchor sign": ("a: & 公司\n", ["1:5: error: 不支持锚点和别名（& 与 *）：以“&”或“*”开头的文本请加引号"]),
    # what libyaml lets through: refused rather than read with content lost or reshaped
    "note glued to a closing quote": ('电话: "0571-88888888"#备注\n', ["1:20: error: " + GLUED]),
    "note glued to a single quote": ("电话: '0571-88888888'#备注\n", ["1:20: error: " + GLUED]),
    "note glued to a bracket": ("事项: [甲, 乙]#备注\n", ["1:11: error: " + GLUED]),
    "note glued to a comma": ("事项: [甲, 乙,#备注\n  丙]\n", ["1:11: error: " + GLUED]),
    "note glued to a block header": ("说明: >#备注\n  文字\n", ["1:6: error: " + GLUED]),
    "flow list wrapped to column 0": ("事项: [甲,\n乙]\n", ["2:1: error: " + UNDER_INDENTED]),
    "closing bracket at the key's column": ("事项: [\n  甲,\n]\n", ["3:1: error: " + UNDER_INDENTED]),
    "flow list in a list item wrapped to the key": ("- 事项: [甲,\n  乙]\n", ["2:3: error: " + UNDER_INDENTED]),
    "quoted text wrapped to column 0": ('说明: "第一行\n第二行"\n', ["2:1: error: " + UNDER_INDENTED]),
    "question mark in a flow list": ("事项: [?待定, 已办]\n", ["1:6: error: 方括号或花括号中以“?”开头的文本请加引号，写成“'?待定'”"]),
    "question mark in braces": ("a: {?甲: 1}\n", ["1:5: error: 方括号或花括号中以“?”开头的文本请加引号，写成“'?甲'”"]),
    "lone dash in a flow list": ("a: [甲, -]\n", ["1:8: error: 方括号或花括号中的“-”不能单独作为值，请加引号写成“'-'”"]),
    "blank lines wider than the block text": ("说明: >\n   \n # 备注\n", ["2:1: error: " + BLANK_LINES]),
    # valid YAML that libyaml cannot read: refused with what to write instead
    "colon starting text in brackets": ("a: [:x]\n", ["1:5: error: 方括号或花括号中以“:”开头的文本请加引号"]),
    "colon on the line after the key": ('a: {"甲"\n  : 1}\n', ["2:3: error: 方括号或花括号中的字段名须与其后的冒号“:”写在同一行，请删除其间的换行"]),
    "colon glued to a comma": ("a: {甲:, 乙: 1}\n", ["1:6: error: 方括号或花括号中冒号“:”后须有空格"]),
    "unindented block text at the top": ("--- |\n文字\n", ["2:1: error: 块文本（“|”或“>”）的内容须缩进，请在这些行的行首加空格"]),
}


@pytest.mark.parametrize("text, expected", CASES.values(), ids=CASES.keys())
def test_hostile_text_is_refused_at_its_place(text, expected):
    assert problems(text) == expected


ALIAS_BOMB = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))


def test_alias_bomb_is_bounded():
    assert len(ALIAS_BOMB.encode()) < 400
    assert problems(ALIAS_BOMB) == ["2:8: error: " + ALIAS]


@pytest.mark.parametrize("text", ["[" * 100_000, "[" * 100_000 + "]" * 100_000, "{a: " * 100_000,
                                  "- " * 100_000 + "x\n", "? " * 100_000 + "x\n", '["]", ' * 100_000])
def test_extreme_nesting_cannot_crash_the_composer(text):
    """libyaml's composer recurses in C: 100,000 levels would be a segmentation fault, which
    no `except` can catch. Run in a child process so a regression fails this test, not the run."""
    code = ("import sys; from generator.content.load import load_text; "
            "print(load_text(sys.stdin.read(), 'x.yaml')[1][0].format())")
    done = subprocess.run([sys.executable, "-c", code], input=text, capture_output=True, text=True,
                          cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "嵌套层数超过 40 层，请检查缩进" in done.stdout


def test_too_many_values_are_refused_before_composing():
    text = "- 1\n" * (MAX_NODES + 10)
    tracemalloc.start()
    assert problems(text) == [f"{MAX_NODES}:3: error: 文件中的值超过 {MAX_NODES:,} 个，请拆分为多个文件"]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 64 * 2**20, "the values were composed into nodes before the refusal"


def test_a_legitimately_long_file_is_loaded():
    text = "".join(f"- id: p-{i}\n  name: 事项{i}\n  basis: [{{law: 《某法》}}]\n" for i in range(20_000))
    assert len(text) > 1_000_000 and text.count("[") > 1000
    data, found = load_text(text, "x.yaml")
    assert found == [] and len(data) == 20_000 and data[-1]["basis"] == [{"law": "《某法》"}]


# --- whole files, through the command line ---------------------------------------------

FILES = {
    "gbk.yaml": ("id: p\ntitle: 政策\n".encode("gbk"),
                 "2:8: error: 文件不是 UTF-8 编码（第 14 字节无效），看起来是 GBK/GB18030 编码，请在编辑器中“另存为 UTF-8”后再提交"),
    "utf16be.yaml": ("id: p\n".encode("utf-16-be"), "1:1: error: 文件是 UTF-16 编码，请在编辑器中“另存为 UTF-8”后再提交"),
    "utf16nobom.yaml": ("id: p\n".encode("utf-16-le"), "1:1: error: 文件是 UTF-16 编码，请在编辑器中“另存为 UTF-8”后再提交"),
    "utf32.yaml": ("id: p\n".encode("utf-32"), "1:1: error: 文件是 UTF-32 编码，请在编辑器中“另存为 UTF-8”后再提交"),
    "cesu.yaml": (b"id: p\ntitle: \xed\xa0\x80\n", "2:8: error: 文件不是 UTF-8 编码（第 14 字节无效），请在编辑器中“另存为 UTF-8”后再提交"),
    "nul.yaml": (b"id: p\ntitle: a\x00b\n", "2:9: error: 含有不可见或控制字符：空字符（NUL）" + INVISIBLE),
    "tabs.yaml": (b"id: p\n\ttitle: x\n", "2:1: error: 不能用 Tab 缩进或分隔，请改用空格"),
    "directive.yaml": (b"%YAML 1.1\n---\nid: p\n", "1:1: error: 不支持 YAML 指令（以 % 开头的行），请删除这一行"),
    "documents.yaml": (b"id: p\n---\nid: q\n", "2:1: error: 一个文件只能有一个 YAML 文档，请删除多余的“---”及其后内容"),
    "bomb.yaml": (ALIAS_BOMB.encode(), "2:8: error: " + ALIAS),
    "python.yaml": (b"id: !!python/object/apply:os.system ['touch /tmp/pwned']\n",
                    "1:5: error: 不支持 YAML 标签 !!python/object/apply:os.system，请删除"),
    "excel.yaml": ("id: p\ntitle: '#N/A'\n".encode(), "2:9: error: 含有 Excel 错误值“#N/A”：表格公式出错，请在原表格中改正后填写真实内容"),
    "rlo.yaml": ('id: p\ntitle: "\\u202e"\n'.encode(), "2:9: error: 转义符“\\u202e”写出了不可见或控制字符：从右到左覆盖符" + INVISIBLE),
    "deep.yaml": (b"[" * 100_000, "1:41: error: 嵌套层数超过 40 层，请检查缩进"),
}


def test_cli_reports_every_hostile_file_located_and_without_traceback(tree, monkeypatch, capsys):
    content = tree({f"policies/{name}": raw for name, (raw, _) in FILES.items()})
    monkeypatch.chdir(content.parent)
    assert main(["validate", "--content", "content"]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert out.splitlines() == sorted(f"content/policies/{name}:{line}" for name, (_, line) in FILES.items())
    assert main(["build", "--content", "content", "-o", "site", "--today", "2026-11-23"]) == 1
    out, err = capsys.readouterr()
    assert "未生成网站" in err and not (content.parent / "site").exists()


def test_github_annotations_for_hostile_files(tree, monkeypatch, capsys):
    content = tree({"policies/rlo.yaml": FILES["rlo.yaml"][0]})
    monkeypatch.chdir(content.parent)
    assert main(["validate", "--content", "content", "--format", "github"]) == 1
    assert capsys.readouterr().out == (
        "::error file=content/policies/rlo.yaml,line=2,col=9::转义符“\\u202e”写出了不可见或控制字符：从右到左覆盖符"
        + INVISIBLE + "\n")


def test_bom_is_accepted_and_positions_ignore_it(tree, monkeypatch):
    content = tree({"powers/shichang.yaml": "\ufeff- id: sc-1\n  name: x\n".encode("utf-8")})
    monkeypatch.chdir(content.parent)
    found = [p.format() for p in check(content, TODAY)[0].all_problems()]
    assert found == ["content/powers/shichang.yaml:1:3: error: 缺少必填字段 basis（设定依据）",
                     "content/powers/shichang.yaml:1:3: error: 缺少必填字段 category（职权类型）",
                     "content/powers/shichang.yaml:1:3: error: 缺少必填字段 status（事项状态）"]


def test_oversized_file_is_refused_without_reading_it(tree, monkeypatch, capsys):
    content = tree()
    big = content / "policies" / "big.yaml"
    big.parent.mkdir()
    with open(big, "wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk
    monkeypatch.chdir(content.parent)
    assert main(["validate", "--content", "content"]) == 1
    assert capsys.readouterr().out == f"content/policies/big.yaml:1:1: error: 文件超过 {MAX_FILE_BYTES // 1048576} MB，请拆分\n"


def test_unreadable_file_is_a_located_problem(tree, monkeypatch, capsys):
    content = tree()
    (content / "policies").mkdir()
    (content / "policies" / "dangling.yaml").symlink_to(content / "nowhere.yaml")
    (content / "policies" / "folder.yaml").mkdir()
    monkeypatch.chdir(content.parent)
    assert main(["validate", "--content", "content"]) in (0, 1)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
