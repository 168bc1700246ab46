"""Choose-N, single-choice and Likert tallies, hand-worked."""

from __future__ import annotations

import pytest

from consult.tally import likert, selections

W1, W2, W3, W4 = 21, 22, 23, 24
BALLOTS = [(W1, W2), (W1, W3), (W2, W3), (W1,), ()]


def test_selections_count_every_option_and_share_of_respondents():
    result = selections([W1, W2, W3, W4], BALLOTS, n=1)
    assert result.respondents == 4  # the empty ballot did not answer
    assert result.counts == {W1: 3, W2: 2, W3: 2, W4: 0}
    assert result.shares == {W1: 0.75, W2: 0.5, W3: 0.5, W4: 0.0}
    assert result.leaders == (W1,)
    assert result.top == (W1,)
    assert not result.tie_at_cutoff


def test_top_n_keeps_every_option_tied_at_the_cutoff():
    result = selections([W1, W2, W3, W4], BALLOTS, n=2)
    assert result.top == (W1, W2, W3)
    assert result.tie_at_cutoff


@pytest.mark.parametrize("n", [3, 4])
def test_top_n_never_includes_options_nobody_selected(n):
    result = selections([W1, W2, W3, W4], BALLOTS, n=n)
    assert result.top == (W1, W2, W3)
    assert not result.tie_at_cutoff


def test_top_n_is_ordered_by_count_then_ballot_order():
    result = selections([W1, W2, W3], [(W3,), (W3,), (W2,), (W1,)], n=3)
    assert result.top == (W3, W1, W2)
    assert result.leaders == (W3,)


def test_no_respondents():
    result = selections([W1, W2], [(), ()], n=2)
    assert result.respondents == 0
    assert result.shares == {W1: 0.0, W2: 0.0}
    assert result.leaders == ()
    assert result.top == ()
    assert not result.tie_at_cutoff


@pytest.mark.parametrize(
    ("ballot", "message"), [((W1, W1), "selected twice"), ((W1, 99), "not on the ballot")]
)
def test_selections_refuse_a_repeated_or_unknown_option(ballot, message):
    with pytest.raises(ValueError, match=message):
        selections([W1, W2], [ballot])


def test_selections_need_n_of_at_least_one():
    with pytest.raises(ValueError, match="at least 1"):
        selections([W1], [], n=0)


def test_likert_distribution_mean_and_median_leave_no_opinion_out():
    result = likert(5, [1, 2, 2, 5], no_opinion=3)
    assert result.distribution == {1: 1, 2: 2, 3: 0, 4: 0, 5: 1}
    assert result.answers == 4
    assert result.no_opinion == 3
    assert result.mean == 2.5
    assert result.median == 2.0


@pytest.mark.parametrize(
    ("values", "median"),
    [([4, 1, 5], 4.0), ([1, 2, 4, 5], 3.0), ([3], 3.0), ([5, 5, 1, 1], 3.0)],
)
def test_likert_median_is_the_middle_answer_or_the_mean_of_the_two(values, median):
    assert likert(5, values).median == median


def test_likert_without_answers():
    result = likert(4, [], no_opinion=2)
    assert result.distribution == {1: 0, 2: 0, 3: 0, 4: 0}
    assert result.answers == 0
    assert result.mean is None
    assert result.median is None


@pytest.mark.parametrize("value", [0, 6, -1])
def test_likert_refuses_a_value_off_the_scale(value):
    with pytest.raises(ValueError, match="not on a scale"):
        likert(5, [3, value])
