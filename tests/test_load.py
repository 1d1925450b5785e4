"""The positioned loader: YAML 1.2 values, and a located message for everything it refuses."""

from __future__ import annotations

import tracemalloc

import pytest

from generator.content.load import load_text
from generator.pipeline import check
from conftest import TODAY


def load(text: str):
    data, problems = load_text(text, "content/x.yaml")
    return data, [p.format() for p in problems]


@pytest.mark.parametrize("text, value", [
    ("a: NO", {"a": "NO"}),
    ("a: yes", {"a": "yes"}),
    ("a: on", {"a": "on"}),
    ("a: true", {"a": True}),
    ("a: 0123", {"a": 123}),
    ("a: 012", {"a": 12}),  # no octal in YAML 1.2
    ("a: 0o17", {"a": 15}),
    ("a: 1:20", {"a": "1:20"}),  # no sexagesimal
    ("a: 2024-03-01", {"a": "2024-03-01"}),  # dates stay text until a model parses them
    ("a: ~", {"a": None}),
    ("a: '0411'", {"a": "0411"}),
    ("a: 1.5", {"a": 1.5}),
    ("a: 大发改法规字〔2021〕374号", {"a": "大发改法规字〔2021〕374号"}),
])
def test_yaml_1_2_core_schema(text, value):
    assert load(text) == (value, [])


@pytest.mark.parametrize("text, value", [
    ("说明: |\n  第一行\n   ", {"说明": "第一行\n \n"}),  # a last line of spaces, no final line break
    ("- |+\n   ", ["\n"]),
    ("说明: |\n  第一行", {"说明": "第一行\n"}),
    ('电话: "0571-88888888"  # 备注\n', {"电话": "0571-88888888"}),
    ("课程: C#语言\n", {"课程": "C#语言"}),
    ("语言: [C#, F#]\n", {"语言": ["C#", "F#"]}),
    ("编号: '#1'\n说明: 'it''s #1'\n", {"编号": "#1", "说明": "it's #1"}),
    ("说明: |\n  # 不是注释\n", {"说明": "# 不是注释\n"}),
    ("事项: [甲,\n  乙]\n", {"事项": ["甲", "乙"]}),
    ("- [甲,\n 乙]\n", [["甲", "乙"]]),
    ("- 事项: [甲,\n   乙]\n", [{"事项": ["甲", "乙"]}]),
    ("[甲,\n乙]\n", ["甲", "乙"]),  # at the top any indentation continues
    ('说明: "第一行\n  第二行"\n', {"说明": "第一行 第二行"}),
    ("事项: [? 待定]\n", {"事项": [{"待定": None}]}),
    ("事项: ['?待定', 已办, '-']\n", {"事项": ["?待定", "已办", "-"]}),
    ("说明: >\n\n  文字\n", {"说明": "\n文字\n"}),
    ("a: 研发&创新\nb: 注意!\n", {"a": "研发&创新", "b": "注意!"}),
])
def test_valid_yaml_near_the_refusals_is_read(text, value):
    assert load(text) == (value, [])


@pytest.mark.parametrize("text, message", [
    ("a:\n\tb: 1\n", "content/x.yaml:2:1: error: 不能用 Tab 缩进或分隔，请改用空格"),
    ("a: &x 1\nb: *x\n", "content/x.yaml:2:4: error: 不支持锚点和别名（& 与 *），请直接写出内容"),
    ("a: !!python/object:os.system 1\n", "content/x.yaml:1:4: error: 不支持 YAML 标签 !!python/object:os.system，请删除"),
    ("a: !custom 1\n", "content/x.yaml:1:4: error: 不支持 YAML 标签 !custom，请删除"),
    ("a: 1\n---\nb: 2\n", "content/x.yaml:2:1: error: 一个文件只能有一个 YAML 文档，请删除多余的“---”及其后内容"),
    ("%YAML 1.1\n---\na: 1\n", "content/x.yaml:1:1: error: 不支持 YAML 指令（以 % 开头的行），请删除这一行"),
    ("a: 1\na: 2\n", "content/x.yaml:2:1: error: 字段 a 重复出现，请删除其中一个"),
    ("name: 市场\u200b监管局\n", "content/x.yaml:1:9: error: 含有不可见或控制字符：零宽空格，请删除（常见于从网页或表格复制的文本）"),
    ("name: abc\u202edef\n", "content/x.yaml:1:10: error: 含有不可见或控制字符：从右到左覆盖符，请删除（常见于从网页或表格复制的文本）"),
    ("name: a\x00b\n", "content/x.yaml:1:8: error: 含有不可见或控制字符：空字符（NUL），请删除（常见于从网页或表格复制的文本）"),
    ("a: 'unclosed\n", "content/x.yaml:1:4: error: 这里的引号“'”没有闭合：请在这个值的末尾补上“'”（或删除这个引号）"),
    ("a: b: c\n", "content/x.yaml:1:5: error: 这里不能出现“键: 值”：请检查缩进，或给含冒号的文本加引号"),
    ("", "content/x.yaml:1:1: error: 文件是空的"),
])
def test_refusals_are_located(text, message):
    assert load(text)[1] == [message]


def test_alias_bomb_is_refused_quickly():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8))
    assert len(bomb.encode()) < 500
    tracemalloc.start()
    _, problems = load(bomb)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 8 * 2**20, "the aliases were expanded"
    assert problems[0] == "content/x.yaml:2:8: error: 不支持锚点和别名（& 与 *），请直接写出内容"


def test_deep_nesting_is_refused():
    _, problems = load("a: " + "[" * 60 + "]" * 60 + "\n")
    assert problems[0].endswith("error: 嵌套层数超过 40 层，请检查缩进")


def _file_problems(tree, monkeypatch, raw: bytes) -> list[str]:
    content = tree({"departments.yaml": raw})
    monkeypatch.chdir(content.parent)
    return [p.format() for p in check(content, TODAY)[0].all_problems()]


def test_gbk_file_gets_resave_advice(tree, monkeypatch):
    raw = "- id: shichang\n  name: 测试市市场监督管理局\n  region: 市本级\n".encode("gbk")
    assert _file_problems(tree, monkeypatch, raw) == [
        "content/departments.yaml:2:9: error: 文件不是 UTF-8 编码（第 24 字节无效），看起来是 GBK/GB18030 编码，请在编辑器中“另存为 UTF-8”后再提交"
    ]


def test_utf16_file_is_refused(tree, monkeypatch):
    raw = "- id: shichang\n".encode("utf-16")
    assert _file_problems(tree, monkeypatch, raw) == [
        "content/departments.yaml:1:1: error: 文件是 UTF-16 编码，请在编辑器中“另存为 UTF-8”后再提交"
    ]


def test_bom_is_accepted(tree, monkeypatch):
    raw = "\ufeff- id: shichang\n  name: 测试市市场监督管理局\n  region: 市本级\n".encode("utf-8")
    assert _file_problems(tree, monkeypatch, raw) == []


def test_plain_keys_and_scalar_values_are_read_without_a_call_each(monkeypatch):
    """A city's content is a million scalars: they are read by the collection holding them, the
    general path (depth, aliases, tags, flow checks) being taken only by collections and by what
    those checks concern. The values and problems are the same either way."""
    from generator.content import load as loading

    visited = []
    real = loading._Converter.value

    def value(self, node, *args):
        visited.append(node.__class__.__name__)
        return real(self, node, *args)

    monkeypatch.setattr(loading._Converter, "value", value)
    text = "- id: a\n  n: 0123\n  tags: [x, y]\n  who: !!str b\n- id: b\n  nested: {k: ~}\n"
    assert load(text) == ([{"id": "a", "n": 123, "tags": ["x", "y"], "who": None}, {"id": "b", "nested": {"k": None}}],
                          ["content/x.yaml:4:8: error: 不支持 YAML 标签 !!str，请删除"])
    assert visited == ["SequenceNode", "MappingNode", "SequenceNode", "ScalarNode", "MappingNode", "MappingNode"]
