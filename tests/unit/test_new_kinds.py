"""Number, statement grid, conditions and single choice: the rules of each kind, no app."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consult import tally
from consult.ballots.rules import (
    BallotSpec,
    Code,
    Kind,
    OptionSpec,
    QuestionSpec,
    answer_rows,
    ballot_from_canonical,
    ballot_to_form,
    parse_ballot,
)
from consult.consultations import kinds
from consult.consultations.checks import Issue
from consult.consultations.kinds.base import Inputs
from consult.consultations.kinds.number import canonical, read_number
from consult.core.text import Text

NUMBER = QuestionSpec(
    1,
    Kind.NUMBER,
    "Experts",
    required=True,
    settings={"integer": True, "minimum": Decimal(0), "maximum": Decimal(50)},
)
AMOUNT = QuestionSpec(2, Kind.NUMBER, "Days", settings={"integer": False, "minimum": None})
GRID = QuestionSpec(
    3,
    Kind.GRID,
    "Statements",
    tuple(OptionSpec(i, f"S{i}") for i in (30, 31)),
    required=True,
    points=4,
    allow_no_opinion=True,
)


def parse(*questions, final=True, **form):
    return parse_ballot(
        BallotSpec(tuple(questions)), {k: [v] for k, v in form.items()}, final=final
    )


def codes(*questions, final=True, **form):
    return [e.code for e in parse(*questions, final=final, **form)[1]]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", "12"), ("12,50", "12.5"), ("-0.25", "-0.25"), ("+3", "3"), ("0.000", "0")],
)
def test_numbers_are_read_exactly(raw, expected):
    assert canonical(read_number(raw)) == expected


@pytest.mark.parametrize(
    "raw", ["1e3", "NaN", "inf", "1 000", "1.2.3", "٣", "²", "0x10", "1" * 16, "1.1234567", ""]
)
def test_what_is_not_a_number(raw):
    assert read_number(raw) is None


def test_number_bounds_whole_and_required():
    assert codes(NUMBER, **{"q1-number": "12"}) == []
    assert codes(NUMBER, **{"q1-number": "2.5"}) == [Code.NOT_WHOLE]
    assert codes(NUMBER, **{"q1-number": "-1"}) == [Code.BELOW_MINIMUM]
    assert codes(NUMBER, **{"q1-number": "51"}) == [Code.ABOVE_MAXIMUM]
    assert codes(NUMBER, **{"q1-number": "1e2"}) == [Code.NOT_A_NUMBER]
    assert codes(NUMBER) == [Code.REQUIRED]
    assert codes(NUMBER, final=False) == []


def test_a_decimal_number_round_trips_through_the_revision_and_the_form():
    ballot, errors = parse(AMOUNT, **{"q2-number": "1,50"})
    assert errors == []
    assert ballot.answers[0].number == "1.5"
    assert answer_rows(ballot) == [(2, None, None, False, None, "1.5")]
    assert ballot_from_canonical(ballot.canonical()) == ballot
    assert ballot_to_form(ballot) == {"q2-number": ["1.5"]}


def test_grid_every_statement_on_the_scale():
    ballot, errors = parse(GRID, **{"q3-value-30": "4", "q3-value-31": "none"})
    assert errors == []
    assert ballot.answers[0].values == {30: 4, 31: 0}
    assert sorted(answer_rows(ballot)) == [
        (3, 30, None, False, 4, None),
        (3, 31, None, False, 0, None),
    ]
    assert ballot_from_canonical(ballot.canonical()) == ballot
    assert codes(GRID, **{"q3-value-30": "5", "q3-value-31": "1"}) == [Code.NOT_ON_SCALE]
    assert codes(GRID, **{"q3-value-30": "1"}) == [Code.REQUIRED]
    assert codes(GRID, **{"q3-value-30": "0", "q3-value-31": "1"}) == [Code.NOT_ON_SCALE]


def test_earlier_revisions_keep_their_content():
    """A ballot without grid or number writes no new keys: receipts of old ballots hold."""
    ballot, _ = parse(QuestionSpec(4, Kind.TEXT, "T"), **{"q4-text": "x"})
    assert set(ballot.canonical()["questions"][0]) == {
        "question",
        "ranking",
        "selected",
        "value",
        "no_opinion",
        "text",
        "write_in",
        "comments",
    }


CHOICE = QuestionSpec(5, Kind.SINGLE, "Contribute?", (OptionSpec(50, "Yes"), OptionSpec(51, "No")))
FOLLOW = QuestionSpec(
    6,
    Kind.NUMBER,
    "How much?",
    required=True,
    settings={"show_if": {"question": 5, "options": [50]}},
)


def test_a_question_is_required_only_when_shown():
    assert codes(CHOICE, FOLLOW, **{"q5-choice": "51"}) == []
    assert codes(CHOICE, FOLLOW, **{"q5-choice": "50"}) == [Code.REQUIRED]


def test_answers_to_a_hidden_question_are_discarded_with_notice():
    ballot, errors = parse(CHOICE, FOLLOW, **{"q5-choice": "51", "q6-number": "12"})
    assert errors == []
    assert ballot.answers[1].is_blank
    assert ballot.discarded == (6,)
    shown, _ = parse(CHOICE, FOLLOW, **{"q5-choice": "50", "q6-number": "12"})
    assert shown.answers[1].number == "12"
    assert shown.discarded == ()


def test_single_choice_is_a_distribution_without_winner():
    q = SimpleNamespace(
        id=5, official_method="irv", options=[SimpleNamespace(id=50), SimpleNamespace(id=51)]
    )
    figures = kinds.get("single").summarise(q, Inputs(selections=[(50,), (51,)]))
    assert "official" not in figures
    assert figures["selections"].counts == {50: 1, 51: 1}
    chosen = kinds.get("choose").summarise(q, Inputs(selections=[(50,), (51,)]))
    assert chosen["official"].tie


def test_number_summary_is_exact():
    n = tally.numbers([Decimal("0.1"), Decimal("0.2"), Decimal("3")])
    assert n.total == Decimal("3.3")
    assert n.median == Decimal("0.2")
    assert n.mean == Decimal("1.1")
    assert n.distribution == ((Decimal("0.1"), 1), (Decimal("0.2"), 1), (Decimal("3"), 1))
    assert tally.numbers([]).mean is None


@given(st.lists(st.integers(-10_000, 10_000), min_size=1, max_size=40))
def test_number_summary_agrees_with_sorting(values):
    n = tally.numbers(Decimal(v) for v in values)
    ordered = sorted(values)
    assert n.total == sum(values)
    assert n.count == len(values)
    middle = (Decimal(ordered[(len(values) - 1) // 2]) + ordered[len(values) // 2]) / 2
    assert n.median == middle


def test_number_settings_checked():
    shape = kinds.QuestionShape(
        "number",
        "Experts",
        settings={"integer": True, "minimum": Decimal("1.5"), "maximum": Decimal(1)},
    )
    issues = [p.issue for p in kinds.check_question(shape)]
    assert issues == [Issue.NOT_WHOLE, Issue.BOUNDS_ORDER]


def test_grid_needs_statements_and_a_scale():
    shape = kinds.QuestionShape(
        "grid", "Grid", options=("A", "a"), settings={"scale": (Text("x"),)}
    )
    issues = [p.issue for p in kinds.check_question(shape, for_opening=True)]
    assert Issue.DUPLICATE_LABEL in issues
    assert Issue.SCALE_SIZE in issues
