"""`fmt`: canonical form with comments kept; `--check` for CI; never changes the data."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from generator.cli import main
from generator.editing.fmt import format_text
from generator.editing.files import file_kinds, kind_of
from generator.content.load import load_file, load_text
from conftest import EDITING

REPO = Path(__file__).resolve().parent.parent
FIXTURE = EDITING
ROOTS = [root for root in (REPO / "content", FIXTURE) if (root / "site.yaml").is_file()]
POWERS = next(k for k in file_kinds() if k.name == "powers")
POLICIES = next(k for k in file_kinds() if k.name == "policies")

MESSY = textwrap.dedent("""\
    # 市场监管局权责清单（头部注释）
    # 第二行注释

    - name: 食品经营许可   # 名称后的注释
      status: 有效
      basis:
      - text: "第一款。\\n第二款。"
        law: 《中华人民共和国食品安全法》  # 法律
      category: 行政许可
      id: sc-1
      code: "0012"
      supervision_phone: 0411-1234567
      effective: '2024-01-02'
      process: [申请, 受理]
      changes:
        - {action: 新增, date: 2024-01-02}

    # 第二条之前的注释
    - id: sc-2
      name: 乙
      category: 行政检查
      basis: [{law: 某条例}]
      status: 有效
    """)

CANONICAL = textwrap.dedent("""\
    # 市场监管局权责清单（头部注释）
    # 第二行注释

    - id: sc-1
      code: '0012'
      name: 食品经营许可   # 名称后的注释
      category: 行政许可
      basis:
        - law: 《中华人民共和国食品安全法》 # 法律
          text: |-
            第一款。
            第二款。
      process:
        - 申请
        - 受理
      supervision_phone: '0411-1234567'
      status: 有效
      effective: 2024-01-02
      changes:
        - date: 2024-01-02
          action: 新增

    # 第二条之前的注释
    - id: sc-2
      name: 乙
      category: 行政检查
      basis:
        - law: 某条例
      status: 有效
    """)


def comments(text: str) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(r"#(.*)$", text, re.M)]


def test_canonical_form_orders_keys_quotes_codes_and_keeps_comments():
    assert format_text(MESSY, POWERS) == CANONICAL


def test_canonical_form_is_a_fixed_point():
    assert format_text(CANONICAL, POWERS) == CANONICAL


def test_formatting_keeps_the_data():
    assert load_text(MESSY, "a")[0] == load_text(CANONICAL, "b")[0]


def test_one_record_files_start_at_column_one_and_indent_nested_lists():
    text = "title: 标题\nid: p-1\nissuers: [fagai]\nsummary: 概述\nstatus: 有效\nissued: 2024-01-02\n"
    assert format_text(text, POLICIES) == (
        "id: p-1\ntitle: 标题\nissuers:\n  - fagai\nissued: 2024-01-02\nstatus: 有效\nsummary: 概述\n")


def test_folded_and_literal_blocks_stay_blocks():
    text = "id: p-1\nsummary: >-\n  第一行\n  第二行\nbody: |\n  ## 标题\n\n  正文\n"
    assert format_text(text, POLICIES) == text


def test_unknown_keys_are_kept_after_the_known_ones():
    text = "- nmae: 拼错\n  id: a\n"
    assert format_text(text, POWERS) == "- id: a\n  nmae: 拼错\n"


def test_an_unquoted_number_code_is_left_for_the_validator():
    # Quoting 123 would hide the leading zeros Excel or YAML already dropped.
    assert format_text("- id: a\n  code: 0123\n", POWERS) == "- id: a\n  code: 0123\n"


@pytest.mark.parametrize("root,path", [(r, p) for r in ROOTS for p in sorted(r.rglob("*.yaml"))],
                         ids=lambda x: x.name if isinstance(x, Path) else str(x))
def test_example_files_format_idempotently_without_changing_data_or_losing_comments(root, path):
    text = path.read_text("utf-8-sig")
    once = format_text(text, kind_of(path, root))
    assert format_text(once, kind_of(path, root)) == once
    assert load_text(once, "x")[0] == load_text(text, "x")[0]
    assert comments(once) == comments(text)



def test_check_lists_files_that_would_change_and_changes_nothing(content, capsys, monkeypatch):
    monkeypatch.chdir(content.parent)
    (content / "powers" / "shichang.yaml").write_text(MESSY.replace("sc-", "x-"), "utf-8")
    before = {p: p.read_bytes() for p in content.rglob("*.yaml")}
    assert main(["fmt", "--check"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert "content/powers/shichang.yaml:1:1: error: 格式不规范：请运行 python -m generator fmt content/powers/shichang.yaml" in out
    assert {p: p.read_bytes() for p in content.rglob("*.yaml")} == before

    assert main(["fmt"]) == 0
    assert (content / "powers" / "shichang.yaml").read_text("utf-8") == CANONICAL.replace("sc-", "x-")
    capsys.readouterr()
    assert main(["fmt", "--check"]) == 0
    assert capsys.readouterr().out == ""


def test_check_with_paths_and_github_format(content, capsys, monkeypatch):
    monkeypatch.chdir(content.parent)
    path = content / "policies" / "rencai-2024.yaml"
    assert main(["fmt", "--check", "--format", "github", str(path.relative_to(content.parent))]) == 1
    assert capsys.readouterr().out == (
        "::error file=content/policies/rencai-2024.yaml,line=1,col=1::"
        "格式不规范：请运行 python -m generator fmt content/policies/rencai-2024.yaml\n")


def test_broken_yaml_is_reported_and_left_alone(content, capsys, monkeypatch):
    monkeypatch.chdir(content.parent)
    path = content / "powers" / "shichang.yaml"
    path.write_text("- id: a\n  name: [未闭合\n", "utf-8")
    assert main(["fmt", str(path.relative_to(content.parent))]) == 1
    assert capsys.readouterr().out == (
        "content/powers/shichang.yaml:3:1: error: 方括号列表没有正确结束：缺少“,”或“]”\n")
    assert path.read_text("utf-8") == "- id: a\n  name: [未闭合\n"


def test_fmt_keeps_files_loadable_by_the_validator(content, monkeypatch):
    monkeypatch.chdir(content.parent)
    assert main(["fmt"]) == 0
    for path in content.rglob("*.yaml"):
        assert not load_file(path, str(path)).problems
    assert main(["validate", "--today", "2024-10-01"]) == 0
