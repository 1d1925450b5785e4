"""The statistics page: the figures government reports quote, and their charts as inline SVG.

`statistics(site)` counts; `bar_chart()` draws a horizontal bar chart at build time (no
script, no third-party library). Each chart is decorative for assistive technology
(`aria-hidden`): the same numbers are in a table next to it (generator/templates/partials/chart.html).
Labels sit above their bars so long Chinese names need no measuring and the chart stays
legible when scaled down to a phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from generator.kinds import KINDS
from generator.kinds.base import ChartSpec
from generator.site.model import Site

WIDTH = 360  # drawn at about this many CSS pixels: legible on a phone without scaling down much
ROW = 42  # one label line and one bar
BAR = 14
LABEL_CHARS = 24  # longer labels are shortened in the chart (the table has them in full)
SERIES_BAR = 12


@dataclass
class Chart(ChartSpec):
    """One figure as the page shows it: a kind's ChartSpec, drawn."""

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
    figures: dict[str, dict]  # kind name -> the figures its sentences quote (Kind.statistics)
    charts: list[Chart]


def statistics(site: Site) -> Statistics:
    """Every kind's figures and charts, in the kinds' order; charts with no rows left out."""
    figures: dict[str, dict] = {}
    charts: list[Chart] = []
    for kind in KINDS.values():
        if kind.statistics is None:
            continue
        part = kind.statistics(site)
        figures[kind.name] = part.figures
        charts += [Chart(**vars(spec)) for spec in part.charts if spec.rows]
    return Statistics(figures, charts)
