"""`lint`: located warnings on deadlines and completeness; working days by the official calendar."""

from __future__ import annotations

import textwrap
from datetime import date, timedelta
from pathlib import Path

import pytest

from generator.cli import main
from generator.editing.lint import lint
from generator.editing.workdays import load_calendar




def messages(content: Path, today: date) -> list[str]:
    warnings, errors = lint(content, today)
    assert errors == 0
    return [w.format() for w in warnings]


def test_every_rule_on_the_fixture(content, capsys):
    assert main(["lint", "--today", "2024-12-20"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "content/boards/2024-01.yaml:17:5: warning: 条目 2024-01-b1 的公示期将于 2024-12-31 结束（还剩 11 天），"
        "到期后将不再公开：如需延长请修改公示截止日期",
        "content/measures/yhzg-2024.yaml:9:5: warning: 任务 yhzg-2024-1 已过完成时限 2024-06-30，状态仍为“推进中”："
        "请更新进度，或标为已完成、逾期",
        "content/policies/rongzi-2024.yaml:2:1: warning: 政策没有解读（interpretation）：按“三同步”要求，"
        "政策文件与解读材料应同步起草、同步审签、同步发布",
        "content/policies/rongzi-2024.yaml:7:1: warning: 发布日期 2024-03-20 距成文日期 2024-01-10 已 47 个工作日，"
        "超过《政府信息公开条例》第二十六条规定的 20 个工作日",
        "content/powers/shichang.yaml:2:3: warning: 权责事项 sc-xk-001 自 2020-01-01 以来超过 2 年没有变更："
        "请核对是否仍然准确，核对后可在 changes 中记一笔“调整”或更新 effective",
    ]


def test_github_format(content, capsys):
    assert main(["lint", "--today", "2024-12-20", "--format", "github"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("::warning file=content/boards/2024-01.yaml,line=17,col=5::条目 2024-01-b1")


def policy(issued: str, published: str) -> str:
    return textwrap.dedent(f"""\
        id: p
        title: 政策
        issuers: [fagai]
        issued: {issued}
        published: {published}
        status: 有效
        summary: 概述
        interpretation:
          by: fagai
        """)


def test_twenty_working_days_counts_holidays_and_adjusted_working_days(content):
    # 2024-09-20 (Fri) + 20 working days: 国庆 1–7 Oct are off, Sun 29 Sep and Sat 12 Oct are worked.
    calendar = load_calendar()
    assert calendar.add_workdays(date(2024, 9, 20), 20) == date(2024, 10, 23)
    path = content / "policies" / "p.yaml"
    path.write_text(policy("2024-09-20", "2024-10-23"), "utf-8")
    assert not [m for m in messages(content, date(2024, 12, 1)) if m.startswith("content/policies/p.yaml")]
    path.write_text(policy("2024-09-20", "2024-10-24"), "utf-8")
    assert [m for m in messages(content, date(2024, 12, 1)) if m.startswith("content/policies/p.yaml")] == [
        "content/policies/p.yaml:5:1: warning: 发布日期 2024-10-24 距成文日期 2024-09-20 已 21 个工作日，"
        "超过《政府信息公开条例》第二十六条规定的 20 个工作日"]


def test_outside_the_calendar_weekdays_count_and_the_warning_says_so(content):
    (content / "policies" / "p.yaml").write_text(policy("2031-01-01", "2031-03-03"), "utf-8")
    found = [m for m in messages(content, date(2031, 3, 3)) if m.startswith("content/policies/p.yaml")]
    assert found == ["content/policies/p.yaml:5:1: warning: 发布日期 2031-03-03 距成文日期 2031-01-01 已 43 个工作日"
                     "（日历数据未覆盖该年份，按周一至周五计算），超过《政府信息公开条例》第二十六条规定的 20 个工作日"]


def test_board_warning_window_is_fourteen_days(content):
    until = date(2024, 12, 31)
    board = [m for m in messages(content, until - timedelta(days=14)) if "公示期" in m]
    assert len(board) == 1 and "还剩 14 天" in board[0]
    assert not [m for m in messages(content, until - timedelta(days=15)) if "公示期" in m]
    assert "还剩 0 天" in [m for m in messages(content, until) if "公示期" in m][0]
    assert not [m for m in messages(content, until + timedelta(days=1)) if "公示期" in m]  # withheld by the build


def test_measures_done_or_not_yet_due_are_quiet(content):
    assert not [m for m in messages(content, date(2024, 6, 30)) if "完成时限" in m]
    assert [m.split(": warning: ")[1][:20] for m in messages(content, date(2024, 10, 1)) if "完成时限" in m] == [
        "任务 yhzg-2024-1 已过完成时"]


def test_power_is_stale_only_after_two_full_years(content):
    stale = [m for m in messages(content, date(2022, 1, 1)) if "没有变更" in m]
    assert stale == []
    stale = [m for m in messages(content, date(2022, 1, 2)) if "没有变更" in m]
    assert [m.split(": warning: ")[1].split(" 自")[0] for m in stale] == ["权责事项 sc-xk-001"]
    # sc-jc-003 is 已下放 (not current): never stale; sc-cf-002 changed 2024-05-01.
    assert [m.split(": warning: ")[1].split(" 自")[0] for m in messages(content, date(2030, 1, 1)) if "没有变更" in m] == [
        "权责事项 sc-xk-001", "权责事项 sc-cf-002"]


def test_lint_reports_warnings_even_when_some_content_has_errors(content, capsys):
    (content / "powers" / "shichang.yaml").write_text("- id: x\n", "utf-8")
    assert main(["lint", "--today", "2024-12-20"]) == 0
    err = capsys.readouterr().err
    assert "另有 4 个内容错误，出错的记录没有检查：请运行 python -m generator validate" in err


def test_calendar_data_matches_the_official_calendar_package():
    chinese_calendar = pytest.importorskip("chinese_calendar")
    calendar = load_calendar()
    assert (calendar.first_year, calendar.last_year) == (2020, 2026)
    day = date(2020, 1, 1)
    while day <= date(2026, 12, 31):
        assert calendar.is_workday(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


@pytest.mark.parametrize("day,workday", [
    (date(2024, 10, 1), False),  # 国庆节
    (date(2024, 9, 29), True),   # Sunday worked for 国庆
    (date(2024, 10, 12), True),  # Saturday worked for 国庆
    (date(2025, 1, 28), False),  # 春节 (除夕 is a holiday from 2025)
    (date(2026, 2, 14), True),   # Saturday worked for 春节
    (date(2026, 3, 2), True),
    (date(2026, 3, 1), False),
])
def test_known_days(day, workday):
    assert load_calendar().is_workday(day) is workday
