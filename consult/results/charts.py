"""Horizontal bar charts, readable without JavaScript (pure): the one home of their geometry.

Only geometry is computed here: which bars, their labels, their lengths, which one is the
official result (highlighted), and for the documents the same chart placed at a fixed size
(:func:`layout`). The page's template writes each label and value as text (so it keeps the
page's type size, 12 px or more, at any screen width, and wraps on a phone) and draws each bar
as a small SVG stretched to the width left for it; the page gives the same figures in a table
beside the chart, the text equivalent. :mod:`consult.results.chartdraw` and the PDF renderer
only draw what :func:`layout` and :func:`stacked_chart` place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: Geometry of the stacked charts (drawn whole as SVG, scaled to the page).
LABEL_WIDTH = 220
PLOT_WIDTH = 340
VALUE_WIDTH = 80
ROW = 26
BAR = 16
LABEL_CHARS = 34


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    #: Length of the bar in percent of the longest possible (the largest value is 100).
    width: float
    highlight: bool


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: tuple[Bar, ...]


def shorten(label: str, limit: int = LABEL_CHARS) -> str:
    """The label cut at a word boundary with an ellipsis when longer than ``limit``."""
    if len(label) <= limit:
        return label
    cut = label[: limit - 1].rsplit(" ", 1)[0] or label[: limit - 1]
    return cut.rstrip(" ,;:") + "…"


def bar_chart(title: str, items: Sequence[tuple[str, float, str, bool]]) -> BarChart:
    """A chart of ``(label, value, value as text, highlighted)`` rows, scaled to the largest."""
    top = max((value for _, value, _, _ in items), default=0) or 1
    return BarChart(
        title,
        tuple(
            Bar(
                label=label,
                text=text,
                width=round(100 * max(value, 0) / top, 1),
                highlight=highlight,
            )
            for label, value, text, highlight in items
        ),
    )


@dataclass(frozen=True)
class PlacedBar:
    """A bar placed in points: its label (shortened), value text, length and row."""

    label: str
    text: str
    #: Length of the bar in points.
    width: float
    y: int
    highlight: bool


@dataclass(frozen=True)
class PlacedChart:
    """A bar chart laid out at a fixed size for a document (the page lays itself out in CSS):
    labels in the first ``label_width`` points, then the bars, then their values."""

    title: str
    bars: tuple[PlacedBar, ...]
    width: int = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR

    @property
    def height(self) -> int:
        return max(len(self.bars), 1) * ROW


def layout(chart: BarChart) -> PlacedChart:
    """The chart's bars placed in points: one row each, lengths scaled to the plot width."""
    return PlacedChart(
        chart.title,
        tuple(
            PlacedBar(
                label=shorten(bar.label),
                text=bar.text,
                width=round(PLOT_WIDTH * bar.width / 100, 1),
                y=i * ROW,
                highlight=bar.highlight,
            )
            for i, bar in enumerate(chart.bars)
        ),
    )


#: A stacked chart's legend: one row of this height below the bars.
LEGEND_ROW = 22
#: Width of one legend entry (a swatch and a short label).
LEGEND_ENTRY = 150


@dataclass(frozen=True)
class Segment:
    """One point of the scale in a statement's bar: ``shade`` from light to dark (0 for "no
    opinion", drawn grey)."""

    x: float
    width: float
    shade: float
    count: int


@dataclass(frozen=True)
class StackedRow:
    label: str
    y: int
    segments: tuple[Segment, ...]
    text: str


@dataclass(frozen=True)
class LegendEntry:
    label: str
    x: int
    y: int
    shade: float


@dataclass(frozen=True)
class StackedChart:
    """A bar per statement, split by the share of each point of the scale (a grid)."""

    title: str
    rows: tuple[StackedRow, ...]
    legend: tuple[LegendEntry, ...]
    label_width: int = LABEL_WIDTH
    plot_width: int = PLOT_WIDTH
    value_width: int = VALUE_WIDTH

    @property
    def width(self) -> int:
        return self.label_width + self.plot_width + self.value_width

    @property
    def legend_top(self) -> int:
        return ROW * len(self.rows) + 8

    @property
    def height(self) -> int:
        return self.legend_top + LEGEND_ROW * _legend_lines(len(self.legend), self.width) + 4

    @property
    def bar_height(self) -> int:
        return BAR


def _legend_lines(entries: int, width: int) -> int:
    per_line = max(1, width // LEGEND_ENTRY)
    return -(-entries // per_line) if entries else 0


def shade(point: int, points: int) -> float:
    """How dark a point of a scale of ``points`` is drawn: from 0.25 (lowest) to 1."""
    if points <= 1:
        return 1.0
    return round(0.25 + 0.75 * (point - 1) / (points - 1), 3)


def stacked_chart(
    title: str,
    scale: Sequence[str],
    no_opinion: str,
    rows: Sequence[tuple[str, Sequence[int], int, str]],
) -> StackedChart:
    """A chart of ``(statement, counts per point lowest first, no opinion count, text)``
    rows: each bar is the whole of the statement's answers, split by point ("no opinion"
    last, grey); a legend names the points."""
    points = len(scale)
    out: list[StackedRow] = []
    for i, (label, counts, none, text) in enumerate(rows):
        total = sum(counts) + none
        x = 0.0
        segments: list[Segment] = []
        parts = [(c, shade(p, points)) for p, c in enumerate(counts, start=1)] + [(none, 0.0)]
        for count, tone in parts:
            width = round(PLOT_WIDTH * count / total, 1) if total else 0.0
            if width:
                segments.append(Segment(round(x, 1), width, tone, count))
            x += width
        out.append(StackedRow(shorten(label), i * ROW, tuple(segments), text))
    width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
    per_line = max(1, width // LEGEND_ENTRY)
    top = ROW * len(out) + 8
    names = [*((p, shade(i, points)) for i, p in enumerate(scale, start=1)), (no_opinion, 0.0)]
    legend = tuple(
        LegendEntry(
            shorten(name, 20),
            (i % per_line) * LEGEND_ENTRY,
            top + (i // per_line) * LEGEND_ROW,
            tone,
        )
        for i, (name, tone) in enumerate(names)
    )
    return StackedChart(title, tuple(out), legend)
