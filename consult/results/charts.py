"""Horizontal bar charts drawn on the server as SVG, readable without JavaScript (pure).

Only geometry is computed here; the template draws it (escaped like any text) and the page
gives the same figures in a table beside the chart, the text equivalent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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
    width: float
    y: int
    highlight: bool


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: tuple[Bar, ...]
    label_width: int = LABEL_WIDTH
    plot_width: int = PLOT_WIDTH
    value_width: int = VALUE_WIDTH

    @property
    def width(self) -> int:
        return self.label_width + self.plot_width + self.value_width

    @property
    def height(self) -> int:
        return ROW * len(self.bars) + 4

    @property
    def bar_height(self) -> int:
        return BAR


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
                label=shorten(label),
                text=text,
                width=round(PLOT_WIDTH * max(value, 0) / top, 1),
                y=i * ROW,
                highlight=highlight,
            )
            for i, (label, value, text, highlight) in enumerate(items)
        ),
    )
