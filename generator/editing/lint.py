"""`lint`: warnings about deadlines and completeness; they never fail a build.

Each rule looks at one validated record and yields (path inside the record, message);
the warnings are located to file, line and column like validation problems.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator

from generator.content.tree import Content, Source, display_path, load_content
from generator.editing.workdays import Calendar, load_calendar
from generator.errors import Pending, Problem

PUBLISH_WITHIN_WORKDAYS = 20  # 政府信息公开条例 第二十六条
BOARD_ENDING_DAYS = 14
STALE_YEARS = 2

Finding = tuple[tuple, str]
Rule = Callable[[Any, date, Calendar], Iterator[Finding]]


def _policy(policy, today: date, calendar: Calendar) -> Iterator[Finding]:
    if policy.status == "有效" and policy.interpretation is None:
        yield ("id",), "政策没有解读（interpretation）：按“三同步”要求，政策文件与解读材料应同步起草、同步审签、同步发布"
    if policy.published is not None and policy.published > policy.issued:
        days = calendar.workdays_between(policy.issued, policy.published)
        if days > PUBLISH_WITHIN_WORKDAYS:
            note = "" if calendar.covers(policy.issued) and calendar.covers(policy.published) else "（日历数据未覆盖该年份，按周一至周五计算）"
            yield ("published",), (
                f"发布日期 {policy.published.isoformat()} 距成文日期 {policy.issued.isoformat()} 已 {days} 个工作日{note}，"
                f"超过《政府信息公开条例》第二十六条规定的 {PUBLISH_WITHIN_WORKDAYS} 个工作日")


def _measures(measures, today: date, calendar: Calendar) -> Iterator[Finding]:
    for i, item in enumerate(measures.items):
        if item.deadline is not None and item.deadline < today and item.status not in ("已完成", "逾期"):
            yield ("items", i, "deadline"), (
                f"任务 {item.id} 已过完成时限 {item.deadline.isoformat()}，状态仍为“{item.status}”：请更新进度，或标为已完成、逾期")


def _boards(issue, today: date, calendar: Calendar) -> Iterator[Finding]:
    for i, entry in enumerate(issue.entries):
        until = entry.publish_until
        if entry.status == "公示中" and until is not None and today <= until <= today + timedelta(days=BOARD_ENDING_DAYS):
            left = (until - today).days
            yield ("entries", i, "publish_until"), (
                f"条目 {entry.id} 的公示期将于 {until.isoformat()} 结束（还剩 {left} 天），到期后将不再公开：如需延长请修改公示截止日期")


def _stale_since(today: date) -> date:
    try:
        return today.replace(year=today.year - STALE_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - STALE_YEARS, day=28)


def _powers(power, today: date, calendar: Calendar) -> Iterator[Finding]:
    if power.status != "有效":
        return
    dates = [d for d in [power.effective, *(c.date for c in power.changes or ())] if d is not None]
    if dates and max(dates) < _stale_since(today):
        yield ("id",), (
            f"权责事项 {power.id} 自 {max(dates).isoformat()} 以来超过 {STALE_YEARS} 年没有变更：请核对是否仍然准确，"
            "核对后可在 changes 中记一笔“调整”或更新 effective")


RULES: dict[str, Rule] = {"policies": _policy, "measures": _measures, "boards": _boards, "powers": _powers}


def lint_content(content: Content, today: date, calendar: Calendar | None = None) -> list[Problem]:
    calendar = calendar or load_calendar()
    warnings = []
    for kind, rule in RULES.items():
        for record, source in content.records.get(kind, ()):
            for path, message in rule(record, today, calendar):
                file, full = source.at(*path)
                pending = Pending(file, full, message, at_key=True, severity="warning")
                warnings.append(content.locator.resolve(pending, display_path(file)))
    warnings.extend(_duplicate_powers(content))
    return sorted(set(warnings))


def _duplicate_powers(content: Content) -> Iterator[Problem]:
    """The same power pasted again under a new id: same department (its file) and name, or same code."""
    seen: dict[tuple, tuple[str, Any]] = {}

    def where(source: Source) -> Problem:
        return content.locator.resolve(Pending(*source.at("id"), "", at_key=True), display_path(source.file))

    for power, source in content.records.get("powers", ()):
        keys: list[tuple[tuple, str]] = [(("name", source.file.stem, power.name.strip()), f"部门和名称“{power.name.strip()}”")]
        if power.code:
            keys.append((("code", power.code.strip()), f"编码“{power.code.strip()}”"))
        for key, what in keys:
            if key in seen and seen[key][0] != power.id:
                first_id, first_source = seen[key]
                here, first = where(source), where(first_source)
                yield Problem(here.file, here.line, here.column,
                              f"权责事项 {power.id} 与 {first.file}:{first.line}:{first.column} 的 {first_id} {what}相同："
                              "像是同一事项复制后换了标识，请删除重复的一条，或改正名称、编码", "warning")
                break
            seen.setdefault(key, (power.id, source))


def lint(content_dir: Path, today: date) -> tuple[list[Problem], int]:
    """(warnings, number of content errors that kept records out of the check)."""
    content = load_content(content_dir)
    return lint_content(content, today), len(content.errors())


def run_lint(content_dir: Path, today: date, style: str = "text") -> int:
    """The `lint` command: warnings only, so always 0."""
    import sys

    warnings, errors = lint(content_dir, today)
    for warning in warnings:
        print(warning.format(style))
    print(f"{len(warnings)} 条提示（按 {today.isoformat()} 判断）", file=sys.stderr)
    if errors:
        print(f"另有 {errors} 个内容错误，出错的记录没有检查：请运行 python -m generator validate", file=sys.stderr)
    return 0
