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
