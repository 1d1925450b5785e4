"""The statistics page: the figures government reports quote, and their charts as inline SVG.

`statistics(site)` counts; `bar_chart()` draws a horizontal bar chart at build time (no
script, no third-party library). Each chart is decorative for assistive technology
(`aria-hidden`): the same numbers are in a table next to it (templates/partials/chart.html).
Labels sit above their bars so long Chinese names need no measuring and the chart stays
legible when scaled down to a phone.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from html import escape

from markupsafe import Markup

from generator.site.model import Site
from generator.kinds.boards import BOARD_NAMES
from generator.kinds.policies import STATUSES as POLICY_STATUSES
from generator.kinds.powers import CATEGORIES
from generator.kinds.powers import STATUSES as POWER_STATUSES

WIDTH = 360  # drawn at about this many CSS pixels: legible on a phone without scaling down much
ROW = 42  # one label line and one bar
BAR = 14
# department kinds (departments.yaml `kind`) as the sentence "35 个市直部门公布了 3046 项…" names them, in report order
KIND_NOUNS = {"市直部门": "市直部门", "区县部门": "区县部门", "园区": "园区", "垂直管理": "垂直管理部门", "其他": "其他单位"}
LABEL_CHARS = 24  # longer labels are shortened in the chart (the table has them in full)
SERIES_BAR = 12


@dataclass
class Chart:
    """One figure: rows of (label, values…), the column headings and how many rows to draw."""

    id: str
    title: str
    headings: list[str]  # first is the label column
    rows: list[list]  # [label, value, …]; label may be (text, href)
    series: list[str] = field(default_factory=list)  # names of the plotted value columns (legend), one or two
    plot: list[int] = field(default_factory=lambda: [1])  # which value columns are drawn
    limit: int = 0  # draw only the first `limit` rows (0 = all); the table always has every row
    unit: str = "项"
    note: str = ""

    @property
    def truncated(self) -> bool:
        return bool(self.limit) and len(self.rows) > self.limit

    @property
    def svg(self) -> Markup:
        rows = self.rows[: self.limit] if self.limit else self.rows
        return bar_chart([(_text(r[0]), [r[c] for c in self.plot]) for r in rows], self.series, self.unit)


def _text(label) -> str:
    return label[0] if isinstance(label, tuple) else str(label)


def bar_chart(rows: list[tuple[str, list[int]]], series: list[str], unit: str) -> Markup:
    """SVG with a label line and one bar per value for every row; values written at the bar ends."""
    peak = max((v for _, values in rows for v in values), default=0) or 1
    per_row = ROW + (SERIES_BAR + 4) * (len(series) - 1 if len(series) > 1 else 0)
    height = max(per_row * len(rows), ROW)
    room = WIDTH - 80  # space left for the value text after the longest bar
    out = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
           f'aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">']
    for i, (label, values) in enumerate(rows):
        y = i * per_row
        short = label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1] + "…"
        out.append(f'<text class="chart-label" x="0" y="{y + 15}">{escape(short)}</text>')
        bar_h = BAR if len(values) == 1 else SERIES_BAR
        for s, value in enumerate(values):
            by = y + 21 + s * (SERIES_BAR + 4)
            width = round(room * value / peak, 1)
            name = f"{series[s]} " if len(values) > 1 else ""
            out.append(f'<rect class="chart-bar chart-bar--{s}" x="0" y="{by}" width="{max(width, 1)}" height="{bar_h}"/>')
            out.append(f'<text class="chart-value" x="{width + 6}" y="{by + bar_h - 2}">{escape(name)}{value:,}</text>')
    out.append("</svg>")
    return Markup("".join(out))


@dataclass
class Statistics:
    headline: list[tuple[str, int, int]]  # (department kind, departments publishing, current powers)
    departments: int
    current: int
    not_current: int
    charts: list[Chart]


def statistics(site: Site) -> Statistics:
    powers = site.records["powers"]
    current = [p for p in powers if p.current]
    by_dept = Counter(site.power_department[p.id].id for p in current)
    all_by_dept = Counter(site.power_department[p.id].id for p in powers)

    kinds: dict[str, list[int]] = {noun: [0, 0] for noun in KIND_NOUNS.values()}
    for dept in site.departments.values():
        if by_dept[dept.id]:
            entry = kinds[KIND_NOUNS.get(dept.kind or "其他", "其他单位")]
            entry[0] += 1
            entry[1] += by_dept[dept.id]
    headline = [(kind, n, m) for kind, (n, m) in kinds.items() if n]

    dept_rows = sorted(
        ([(d.name, site.url_for("departments", d.id)), d.region, by_dept[d.id], all_by_dept[d.id]]
         for d in site.departments.values() if all_by_dept[d.id]),
        key=lambda r: -r[2])
    regions: dict[str, list[int]] = {}
    for dept in site.departments.values():
        entry = regions.setdefault(dept.region, [0, 0])
        entry[0] += 1
        entry[1] += by_dept[dept.id]
    by_category = Counter(p.category for p in current)
    by_status = Counter(p.status for p in powers)

    policies = site.records["policies"]
    topics = Counter(t for p in policies for t in dict.fromkeys(p.topics or ()))
    validity = Counter(p.status for p in policies)
    boards = site.records["boards"]

    charts = [
        Chart("departments", "各部门现行权责事项", ["部门", "区域", "现行事项", "公布事项（含已取消、下放等）"],
              dept_rows, plot=[2], limit=15,
              note="图中为现行事项最多的 15 个部门；表中列出全部部门。" if len(dept_rows) > 15 else ""),
        Chart("categories", "按职权类型", ["职权类型", "现行事项"],
              [[c, by_category[c]] for c in CATEGORIES if by_category[c]]),
        Chart("regions", "按区域", ["区域", "部门数", "现行事项"],
              [[r, n, m] for r, (n, m) in sorted(regions.items(), key=lambda kv: (-kv[1][1], kv[0]))], plot=[2]),
        Chart("statuses", "权责事项按状态", ["事项状态", "事项数"],
              [[s, by_status[s]] for s in POWER_STATUSES if by_status[s]]),
        Chart("topics", "政策按主题", ["政策主题", "政策件数"],
              [[t, n] for t, n in sorted(topics.items(), key=lambda kv: (-kv[1], kv[0]))], unit="件", limit=15,
              note="图中为政策最多的 15 个主题；表中列出全部主题。" if len(topics) > 15 else ""),
        Chart("validity", "政策按效力状态", ["效力状态", "政策件数"],
              [[s, validity[s]] for s in POLICY_STATUSES if validity[s]], unit="件"),
        Chart("boards", "红黑榜各期条目", ["期次", BOARD_NAMES["red"], BOARD_NAMES["black"]],
              [[(b.title, site.url_for("boards", b.id)),
                sum(1 for e in b.entries if e.board == "red"),
                sum(1 for e in b.entries if e.board == "black")] for b in boards],
              series=[BOARD_NAMES["red"], BOARD_NAMES["black"]], plot=[1, 2], unit="条",
              note="只统计公示期内、未撤销的条目。"),
    ]
    return Statistics(headline, sum(1 for d in by_dept if by_dept[d]), len(current), len(powers) - len(current),
                      [c for c in charts if c.rows])
