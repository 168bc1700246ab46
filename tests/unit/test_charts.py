"""Chart geometry (pure): the stacked bars of a statement grid."""

from __future__ import annotations

from consult.results.charts import (
    LABEL_WIDTH,
    PLOT_WIDTH,
    ROW,
    bar_chart,
    layout,
    shade,
    stacked_chart,
)


def test_each_statement_bar_is_split_by_its_share_of_each_point():
    chart = stacked_chart(
        "Answers",
        ["1 · Disagree", "2 · Neutral", "3 · Agree"],
        "No opinion",
        [("Useful", [1, 0, 2], 1, "4"), ("Too long", [0, 0, 0], 0, "0")],
    )
    useful, long = chart.rows
    assert [(s.width, s.count) for s in useful.segments] == [
        (PLOT_WIDTH / 4, 1),
        (PLOT_WIDTH / 2, 2),
        (PLOT_WIDTH / 4, 1),
    ]
    assert [s.x for s in useful.segments] == [0, PLOT_WIDTH / 4, PLOT_WIDTH * 3 / 4]
    assert [s.shade for s in useful.segments] == [0.25, 1.0, 0.0]  # "no opinion" is grey
    assert long.segments == ()  # nobody answered: no bar, the text says 0
    assert [e.label for e in chart.legend] == [
        "1 · Disagree",
        "2 · Neutral",
        "3 · Agree",
        "No opinion",
    ]
    assert chart.height > chart.legend_top > long.y


def test_the_legend_wraps_within_the_chart_and_labels_are_shortened():
    chart = stacked_chart(
        "A", [f"{i} · a rather long label for point {i}" for i in range(1, 12)], "-", []
    )
    assert max(e.x for e in chart.legend) + 150 <= chart.width
    assert all(len(e.label) <= 20 for e in chart.legend)
    assert [shade(p, 11) for p in (1, 11)] == [0.25, 1.0]


def test_the_documents_place_the_pages_bars_at_a_fixed_size():
    """One geometry: the page's bars (lengths in percent of the largest, the official result
    highlighted) placed in points for the PDF and DOCX, long labels shortened."""
    long = "Migration, development and the effects of remittances on origin communities"
    chart = bar_chart(
        "First preferences",
        [
            ("South-South Migration", 3, "3 · 50%", True),
            (long, 1.5, "1.5", False),
            ("None", 0, "0", False),
        ],
    )
    assert [b.width for b in chart.bars] == [100, 50, 0]
    placed = layout(chart)
    assert placed.title == "First preferences"
    assert [(b.width, b.y, b.highlight) for b in placed.bars] == [
        (PLOT_WIDTH, 0, True),
        (PLOT_WIDTH / 2, ROW, False),
        (0, 2 * ROW, False),
    ]
    assert placed.bars[1].label.endswith("…")
    assert len(placed.bars[1].label) <= 34
    assert placed.bars[0].text == "3 · 50%"
    assert placed.label_width == LABEL_WIDTH
    assert placed.height == 3 * ROW
    assert layout(bar_chart("Empty", [])).height == ROW
