"""Chart geometry (pure): the stacked bars of a statement grid."""

from __future__ import annotations

from consult.results.charts import PLOT_WIDTH, shade, stacked_chart


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
