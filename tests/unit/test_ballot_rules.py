"""Ballot rules, hand-worked cases and properties (no app, no database)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from consult.ballots.rules import (
    BallotSpec,
    Code,
    Kind,
    OptionSpec,
    QuestionSpec,
    ballot_from_canonical,
    ballot_to_form,
    parse_ballot,
)
from tests.strategies import text

RANKING = QuestionSpec(
    1,
    Kind.RANKING,
    "Themes",
    tuple(OptionSpec(i, f"T{i}") for i in (10, 11, 12)),
    required=True,
    allow_write_in=True,
)
CHOOSE = QuestionSpec(
    2,
    Kind.CHOOSE,
    "Workshops",
    tuple(OptionSpec(i, f"W{i}") for i in (20, 21, 22, 23)),
    min_choices=2,
    max_choices=2,
)
LIKERT = QuestionSpec(3, Kind.LIKERT, "Useful", allow_no_opinion=True)
SPEC = BallotSpec((RANKING, CHOOSE, LIKERT))


def codes(form, final=True):
    return [e.code for e in parse_ballot(SPEC, form, final=final)[1]]


def test_partial_ranking_is_accepted_in_rank_order():
    ballot, errors = parse_ballot(SPEC, {"q1-rank-11": ["1"], "q1-rank-12": ["2"]}, final=True)
    assert errors == []
    assert ballot.answers[0].ranking == (11, 12)


def test_duplicate_gap_and_range():
    assert codes({"q1-rank-10": ["1"], "q1-rank-11": ["1"]}) == [Code.RANK_DUPLICATE] * 2
    assert codes({"q1-rank-10": ["1"], "q1-rank-11": ["3"]}) == [Code.RANK_GAP]
    assert codes({"q1-rank-10": ["4"]}) == [Code.RANK_OUT_OF_RANGE, Code.RANK_NONE]
    assert codes({"q1-rank-10": ["²"]}) == [Code.RANK_NOT_A_NUMBER, Code.RANK_NONE]


def test_draft_may_have_gap_but_not_duplicates():
    assert codes({"q1-rank-10": ["1"], "q1-rank-11": ["3"]}, final=False) == []
    assert (
        codes({"q1-rank-10": ["2"], "q1-rank-11": ["2"]}, final=False) == [Code.RANK_DUPLICATE] * 2
    )


def test_full_ranking_required_when_partial_not_allowed():
    q = QuestionSpec(
        1, Kind.RANKING, "x", (OptionSpec(1, "a"), OptionSpec(2, "b")), allow_partial=False
    )
    _, errors = parse_ballot(BallotSpec((q,)), {"q1-rank-1": ["1"]}, final=True)
    assert [e.code for e in errors] == [Code.RANK_INCOMPLETE]


def test_write_in_satisfies_required_ranking():
    assert codes({"q1-writein": ["Migration and health"]}) == []


def test_choose_bounds_and_foreign_options():
    assert codes({"q1-rank-10": ["1"], "q2-choice": ["20"]}) == [Code.TOO_FEW_CHOICES]
    assert codes({"q1-rank-10": ["1"], "q2-choice": ["20", "21", "22"]}) == [Code.TOO_MANY_CHOICES]
    assert codes({"q1-rank-10": ["1"], "q2-choice": ["20", "10"]}) == [Code.UNKNOWN_OPTION]


def test_likert_scale_and_no_opinion():
    ballot, errors = parse_ballot(SPEC, {"q1-rank-10": ["1"], "q3-value": ["none"]}, final=True)
    assert errors == []
    assert ballot.answers[2].no_opinion
    assert codes({"q1-rank-10": ["1"], "q3-value": ["6"]}) == [Code.NOT_ON_SCALE]


def test_control_characters_and_length():
    assert codes({"q1-rank-10": ["1"], "comment": ["a\x00b"]}) == [Code.CONTROL_CHARACTER]
    assert codes({"q1-rank-10": ["1"], "comment": ["x" * 4001]}) == [Code.TEXT_TOO_LONG]
    ballot, errors = parse_ballot(
        SPEC, {"q1-rank-10": ["1"], "comment": [" a\r\nb\tc "]}, final=True
    )
    assert errors == []
    assert ballot.comment == "a\nb\tc"


def test_duplicated_parameter_is_refused():
    assert codes({"q1-rank-10": ["1", "2"]}) == [Code.DUPLICATED_FIELD]


def test_observer_may_not_rank():
    q = QuestionSpec(1, Kind.RANKING, "x", (OptionSpec(1, "a"),), may_vote=False)
    _, errors = parse_ballot(BallotSpec((q,)), {"q1-rank-1": ["1"]}, final=True)
    assert [e.code for e in errors] == [Code.OBSERVERS_MAY_NOT_VOTE]


@given(
    st.permutations([10, 11, 12]),
    st.integers(0, 3),
    text(max_size=50).filter(lambda s: "\x00" not in s),
)
def test_valid_ballot_round_trips(order, length, comment):
    form = {f"q1-rank-{o}": [str(i)] for i, o in enumerate(order[:length], start=1)}
    form["q2-choice"] = ["21", "23"]
    form["comment"] = [comment]
    ballot, errors = parse_ballot(SPEC, form, final=False)
    if errors:
        return
    assert ballot_from_canonical(ballot.canonical()) == ballot
    again, _ = parse_ballot(SPEC, ballot_to_form(ballot), final=False)
    assert again == ballot
