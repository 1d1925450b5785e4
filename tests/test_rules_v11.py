"""Rules added in content model v1.1 and wrong results found by independent testers (issue 10):
each refused with an exact Chinese message at PATH:LINE:COLUMN, or no longer refused wrongly."""

from __future__ import annotations

import shutil
import textwrap
from datetime import date

import pytest

from conftest import MINIMAL, write_tree
from generator.cli import main
from generator.editing.lint import lint

DEPARTMENTS = """\
    - id: shichang
      name: 测试市市场监督管理局
      short_name: 市市场监管局
      region: 市本级
    - id: fagai
      name: 测试市发展和改革委员会
      short_name: 市发展改革委
      region: 市本级
    """


def validate(tree, monkeypatch, capsys, files: dict) -> list[str]:
    content = tree(files)
    monkeypatch.chdir(content.parent)
    code = main(["validate", "--content", "content", "--no-cache", "--today", "2026-11-23"])
    out = capsys.readouterr().out.splitlines()
    assert code == (1 if out else 0)
    return out


def policy(pid: str, *, issuers: str = "[shichang]", supersedes: str = "") -> str:
    return (f"id: {pid}\ntitle: 政策{pid}\nissuers: {issuers}\nissued: 2024-01-01\nstatus: 有效\nsummary: 概述\n"
            + (f"supersedes: {supersedes}\n" if supersedes else ""))


# --- 1. the parse cache: full key, paths from the tree being built -----------------------------

BAD_POWER = MINIMAL["powers/shichang.yaml"].replace("code: '0123'", "code: 0123")
UNQUOTED = "error: 职权编码 应为文本：未加引号的 0123 会被读成数字 123，请加引号写成 code: '0123'"


def test_identical_trees_at_long_paths_do_not_share_cache_entries(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    long = "各区县市场监督管理局权责清单" * 4  # 56 characters, 168 bytes: longer than any key prefix
    for name in ("甲", "乙"):
        write_tree(tmp_path / long / name / "content", {**MINIMAL, "powers/shichang.yaml": BAD_POWER})
    for name in ("甲", "乙", "甲"):
        assert main(["validate", "--content", f"{long}/{name}/content", "--cache", "cache"]) == 1
        # printed relative to each tree's repository root (issue 13), from the entry of that tree
        assert capsys.readouterr().out.splitlines() == [f"content/powers/shichang.yaml:2:9: {UNQUOTED}"]
    assert main(["build", "--content", f"{long}/乙/content", "-o", "site", "--cache", "cache", "--today",
                 "2026-11-23"]) == 1


def test_a_cached_parse_never_brings_the_path_of_another_tree(tmp_path, monkeypatch, capsys):
    """Same bytes, same printed path (each tree validated from its own folder): the file read
    and located is the one in the tree being built, even when the other tree is gone."""
    cache = tmp_path / "cache"
    for name in ("a", "b"):
        write_tree(tmp_path / name / "content", {**MINIMAL, "powers/shichang.yaml": BAD_POWER})
    monkeypatch.chdir(tmp_path / "a")
    assert main(["validate", "--content", "content", "--cache", str(cache)]) == 1
    capsys.readouterr()
    shutil.rmtree(tmp_path / "a")
    monkeypatch.chdir(tmp_path / "b")
    assert main(["validate", "--content", "content", "--cache", str(cache)]) == 1
    assert capsys.readouterr().out.splitlines() == [f"content/powers/shichang.yaml:2:9: {UNQUOTED}"]
    (tmp_path / "b/content/powers/shichang.yaml").write_text(textwrap.dedent(MINIMAL["powers/shichang.yaml"]), "utf-8")
    assert main(["build", "--content", "content", "-o", "site", "--cache", str(cache), "--today", "2026-11-23"]) == 0
    assert (tmp_path / "b/site/powers/sc-1/index.html").is_file()


# --- 3. supersedes: not itself, no cycle -----------------------------------------------------

def test_a_policy_that_supersedes_itself_is_refused(tree, monkeypatch, capsys):
    out = validate(tree, monkeypatch, capsys, {"policies/p1.yaml": policy("p1", supersedes="[p1]")})
    assert out == ["content/policies/p1.yaml:7:14: error: 政策 p1 的 supersedes 不能包含自身：这里应写被本政策替代的旧政策标识"]


def test_policies_that_supersede_each_other_are_refused_at_every_link(tree, monkeypatch, capsys):
    out = validate(tree, monkeypatch, capsys, {
        "policies/p1.yaml": policy("p1", supersedes="[p0, p2]"),
        "policies/p2.yaml": policy("p2", supersedes="[p3]"),
        "policies/p3.yaml": policy("p3", supersedes="[p1]"),
        "policies/p0.yaml": policy("p0"),
        "policies/q1.yaml": policy("q1", supersedes="[q2]"),
        "policies/q2.yaml": policy("q2", supersedes="[q1]"),
    })
    cycle = "政策替代关系形成循环：{}。被替代的旧政策不能反过来替代新政策，请删除其中错误的一处 supersedes"
    assert out == [
        "content/policies/p1.yaml:7:18: error: " + cycle.format("p1 → p2 → p3 → p1"),
        "content/policies/p2.yaml:7:14: error: " + cycle.format("p2 → p3 → p1 → p2"),
        "content/policies/p3.yaml:7:14: error: " + cycle.format("p3 → p1 → p2 → p3"),
        "content/policies/q1.yaml:7:14: error: " + cycle.format("q1 → q2 → q1"),
        "content/policies/q2.yaml:7:14: error: " + cycle.format("q2 → q1 → q2"),
    ]


def test_a_chain_of_supersedes_is_fine(tree, monkeypatch, capsys):
    assert validate(tree, monkeypatch, capsys, {
        "policies/p1.yaml": policy("p1", supersedes="[p2, p3]"),
        "policies/p2.yaml": policy("p2", supersedes="[p3]"),
        "policies/p3.yaml": policy("p3"),
    }) == []


# --- 4. ids that differ only in letter case --------------------------------------------------

def test_power_ids_differing_only_in_case_are_refused_naming_both_places(tree, monkeypatch, capsys):
    out = validate(tree, monkeypatch, capsys, {
        "departments.yaml": DEPARTMENTS,
        "powers/shichang.yaml": MINIMAL["powers/shichang.yaml"].replace("sc-1", "SC-XK-0001"),
        "powers/fagai.yaml": MINIMAL["powers/shichang.yaml"].replace("sc-1", "sc-xk-0001"),
    })
    assert out == ["content/powers/shichang.yaml:1:7: error: 权责事项标识 SC-XK-0001 与 content/powers/fagai.yaml:1:7 "
                   "的 sc-xk-0001 只差字母大小写：在不区分大小写的系统上两者是同一个网址，请改用不同的标识"]


BOARD = """\
    id: {id}
    title: 红黑榜
    publisher: shichang
    published: 2026-01-10
    entries:
      - id: {entry}
        board: red
        subject: 某某公司
        subject_kind: 企业
        facts: 事实
        status: 公示中
    """


def test_board_issue_ids_differing_only_in_case_are_refused(tree, monkeypatch, capsys):
    out = validate(tree, monkeypatch, capsys, {
        "boards/2026-A.yaml": BOARD.format(id="2026-A", entry="E-1"),
        "boards/2026-a.yaml": BOARD.format(id="2026-a", entry="e-1"),
    })
    assert out == [
        "content/boards/2026-a.yaml:1:5: error: 红黑榜标识 2026-a 与 content/boards/2026-A.yaml:1:5 的 2026-A "
        "只差字母大小写：在不区分大小写的系统上两者是同一个网址，请改用不同的标识",
    ]


def test_board_entry_ids_differing_only_in_case_are_refused(tree, monkeypatch, capsys):
    out = validate(tree, monkeypatch, capsys, {
        "boards/2026-A.yaml": BOARD.format(id="2026-A", entry="E-1"),
        "boards/2026-b.yaml": BOARD.format(id="2026-b", entry="e-1"),
    })
    assert out == [
        "content/boards/2026-b.yaml:6:9: error: 条目标识 e-1 与 content/boards/2026-A.yaml:6:9 的 E-1 "
        "只差字母大小写：在不区分大小写的系统上两者是同一个网址，请改用不同的标识",
    ]


def test_policy_ids_differing_only_in_case_are_refused(tree, monkeypatch, capsys):
    out = validate(tree, monkeypatch, capsys, {"policies/P1.yaml": policy("P1"), "policies/p1.yaml": policy("p1")})
    assert out == ["content/policies/p1.yaml:1:5: error: 政策标识 p1 与 content/policies/P1.yaml:1:5 的 P1 "
                   "只差字母大小写：在不区分大小写的系统上两者是同一个网址，请改用不同的标识"]


# --- 5. a registered department written by its name -----------------------------------------

def test_an_issuer_written_as_a_registered_name_is_refused_with_the_id_to_write(tree, monkeypatch, capsys):
    out = validate(tree, monkeypatch, capsys, {
        "departments.yaml": DEPARTMENTS,
        "policies/p1.yaml": policy("p1", issuers="[市发展改革委, 国务院办公厅]"),
        "policies/p2.yaml": policy("p2", issuers="[shichang, 测试市发展和改革委员会]"),
    })
    assert out == [
        "content/policies/p1.yaml:3:11: error: 发文机关“市发展改革委”是已登记部门“测试市发展和改革委员会”的简称："
        "登记册中的部门请写部门标识，改为 fagai",
        "content/policies/p2.yaml:3:21: error: 发文机关“测试市发展和改革委员会”是已登记部门的全称："
        "登记册中的部门请写部门标识，改为 fagai",
    ]


def test_board_publisher_and_measure_units_take_ids_too(tree, monkeypatch, capsys):
    out = validate(tree, monkeypatch, capsys, {
        "departments.yaml": DEPARTMENTS,
        "boards/2026-01.yaml": BOARD.format(id="2026-01", entry="e-1").replace("publisher: shichang",
                                                                               "publisher: 市市场监管局"),
        "measures/m1.yaml": """\
            id: m1
            title: 任务清单
            source: 会议
            published: 2026-01-10
            items:
              - id: m1-1
                text: 任务
                lead_units: [fagai, 测试市市场监督管理局]
                responsible_units: [各区人民政府, 市发展改革委, shichnag]
                status: 推进中
            """,
    })
    assert out == [
        "content/boards/2026-01.yaml:3:12: error: 发布机关“市市场监管局”是已登记部门“测试市市场监督管理局”的简称："
        "登记册中的部门请写部门标识，改为 shichang",
        "content/measures/m1.yaml:8:25: error: 牵头单位“测试市市场监督管理局”是已登记部门的全称："
        "登记册中的部门请写部门标识，改为 shichang",
        "content/measures/m1.yaml:9:33: error: 责任单位“市发展改革委”是已登记部门“测试市发展和改革委员会”的简称："
        "登记册中的部门请写部门标识，改为 fagai",
        "content/measures/m1.yaml:9:41: error: 引用了不存在的部门标识 shichnag：您是不是要写 shichang？",
    ]


# --- 7. lint: an item already marked 逾期 ------------------------------------------------------

def test_lint_does_not_ask_to_mark_an_overdue_item_overdue(content):
    path = content / "measures/yhzg-2024.yaml"
    path.write_text(path.read_text("utf-8").replace("status: 推进中", "status: 逾期", 1), "utf-8")
    warnings, errors = lint(content, date(2024, 12, 20))
    assert errors == 0
    assert [w.format() for w in warnings if "measures" in w.file] == []


# --- 8. dates written with full-width digits -------------------------------------------------

@pytest.mark.parametrize("written", ["２０２４-０３-０１", "２０２４－０３－０１", "'2024-０3-01'"])
def test_full_width_digits_in_a_date_are_named(tree, monkeypatch, capsys, written):
    power = textwrap.dedent(MINIMAL["powers/shichang.yaml"]) + f"  effective: {written}\n"
    out = validate(tree, monkeypatch, capsys, {"powers/shichang.yaml": power})
    shown = written.strip("'")
    assert out == [f"content/powers/shichang.yaml:9:14: error: 日期 {shown} 用了全角数字或符号，"
                   "请用半角（英文输入法）写成 2024-03-01"]


# --- 6. history reads old versions with the build's loader (YAML 1.2, as load.py) -------------

def test_history_reads_old_versions_as_the_build_does(tmp_path):
    from test_history import Repo, built, history_rows, soup

    power = textwrap.dedent(MINIMAL["powers/shichang.yaml"]) + "  level: {}\n"
    repo = Repo(tmp_path / "repo")
    repo.commit({**MINIMAL, "powers/shichang.yaml": power.format("NO")}, "2025-01-05T10:00:00+08:00")
    repo.commit({"powers/shichang.yaml": power.format("'NO'").replace("'0123'", '"0123"')},
                "2025-02-01T10:00:00+08:00", "只改了引号")
    repo.commit({"powers/shichang.yaml": power.format("市级")}, "2025-03-01T10:00:00+08:00")
    assert history_rows(soup(built(repo.content, tmp_path), "powers/sc-1")) == [
        ("2025-03-01", "调整", ["行使层级：原为NO→改为市级"]),
        ("2025-01-05", "新增", []),
    ]


def test_the_published_guide_states_the_v11_rules(example_site):
    from bs4 import BeautifulSoup

    page = BeautifulSoup((example_site / "guide/index.html").read_text("utf-8"), "html.parser")
    assert page.find("h2", id="rules").get_text() == "通用规则"
    rules = " ".join(li.get_text() for li in page.select("ul.rules li"))
    for rule in ("不区分字母大小写", "已登记的部门一律写部门标识", "不能互相替代形成循环", "'210200201024277'",
                 "不填手机号码", "身份证号码（15 位或 18 位）", "不要用全角数字"):
        assert rule in rules


def test_a_parent_department_written_by_name_gets_the_id_to_write(tree, monkeypatch, capsys):
    departments = textwrap.dedent(DEPARTMENTS) + "- id: jinpu-shichang\n  name: 金普新区市场监督管理局\n  region: 金普新区\n  parent: 市市场监管局\n"
    assert validate(tree, monkeypatch, capsys, {"departments.yaml": departments}) == [
        "content/departments.yaml:12:11: error: 上级部门“市市场监管局”是已登记部门“测试市市场监督管理局”的简称："
        "登记册中的部门请写部门标识，改为 shichang"]
