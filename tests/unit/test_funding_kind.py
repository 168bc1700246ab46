"""The funding kind's rules, without an application: amounts, currencies, ballot fields,
stored rows and totals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from consult.ballots.rules import Ballot, BallotSpec, ballot_from_canonical, parse_ballot
from consult.consultations import kinds
from consult.consultations.enums import QuestionKind
from consult.consultations.kinds.base import QuestionShape
from consult.consultations.kinds.fields import (
    PROGRAMME,
    Code,
    OptionSpec,
    Pledge,
    QuestionSpec,
    Reader,
)
from consult.consultations.kinds.funding import (
    FundingCode,
    Intention,
    currencies,
    currency_choices,
    read_amount,
    tally_funding,
)

FUNDING = kinds.get("funding")
Q = QuestionSpec(
    id=7,
    kind=QuestionKind.FUNDING,
    label="Funding",
    options=(OptionSpec(11, "Workshop A"), OptionSpec(12, "Workshop B")),
    settings={"whole_programme": True},
)


@pytest.mark.parametrize(
    ("raw", "currency", "expected"),
    [
        ("12500", "EUR", Decimal("12500")),
        ("12 500", "EUR", Decimal("12500")),
        ("12\u202f500,50", "EUR", Decimal("12500.50")),
        ("1\u00a0000\u00a0000.5", "EUR", Decimal("1000000.5")),
        ("0.01", "USD", Decimal("0.01")),
        ("1000.125", "JOD", Decimal("1000.125")),
        ("5000", "JPY", Decimal("5000")),
        ("9" * 15, "CHF", Decimal("9" * 15)),
        ("000000000000000001", "CHF", Decimal(1)),
    ],
)
def test_amounts_are_read_exactly(raw, currency, expected):
    amount, refusal, _ = read_amount(raw, currency)
    assert refusal is None
    assert amount == expected
    assert isinstance(amount, Decimal)


@pytest.mark.parametrize(
    ("raw", "currency", "code"),
    [
        ("-5", "EUR", FundingCode.AMOUNT_NEGATIVE),
        ("+5", "EUR", FundingCode.AMOUNT_NOT_A_NUMBER),
        ("1e5", "EUR", FundingCode.AMOUNT_NOT_A_NUMBER),
        ("1E5", "EUR", FundingCode.AMOUNT_NOT_A_NUMBER),
        ("NaN", "EUR", FundingCode.AMOUNT_NOT_A_NUMBER),
        ("Infinity", "EUR", FundingCode.AMOUNT_NOT_A_NUMBER),
        ("-inf", "EUR", FundingCode.AMOUNT_NOT_A_NUMBER),
        ("12,500.00", "EUR", FundingCode.AMOUNT_NOT_A_NUMBER),
        ("1.234.567", "EUR", FundingCode.AMOUNT_NOT_A_NUMBER),
        ("12 50", "EUR", FundingCode.AMOUNT_NOT_A_NUMBER),
        ("٣", "EUR", FundingCode.AMOUNT_NOT_A_NUMBER),
        ("0x10", "EUR", FundingCode.AMOUNT_NOT_A_NUMBER),
        ("1_000", "EUR", FundingCode.AMOUNT_NOT_A_NUMBER),
        ("0", "EUR", FundingCode.AMOUNT_ZERO),
        ("0.00", "EUR", FundingCode.AMOUNT_ZERO),
        ("-0", "EUR", FundingCode.AMOUNT_ZERO),
        ("1" + "0" * 15, "EUR", FundingCode.AMOUNT_TOO_LARGE),
        ("12,500", "EUR", FundingCode.AMOUNT_PLACES),  # not read as twelve and a half
        ("12.5", "JPY", FundingCode.AMOUNT_WHOLE),
        ("1.0001", "KWD", FundingCode.AMOUNT_PLACES),
    ],
)
def test_bad_amounts_are_refused_with_a_reason(raw, currency, code):
    amount, refusal, _ = read_amount(raw, currency)
    assert amount is None
    assert refusal == code


def test_currencies_are_iso_4217_money_with_names_in_the_readers_language():
    codes = currencies()
    assert {"EUR", "CHF", "USD", "JPY", "XOF", "XDR"} <= codes
    assert not {"XAU", "XTS", "XXX", "CHE", "USN"} & codes
    french = dict(currency_choices("fr"))
    assert french["CHF"] == "CHF — franc suisse"
    assert dict(currency_choices("es"))["EUR"] == "EUR — euro"
    assert [c for c, _ in currency_choices("en")] == sorted(codes)


def parse(form: dict[str, str], final: bool = True, q: QuestionSpec = Q):
    reader = Reader({k: [v] for k, v in form.items()})
    return FUNDING.parse(q, reader, final), reader.errors


def test_a_ballot_gives_one_pledge_per_target_with_an_amount():
    answer, errors = parse(
        {
            "q7-fund-all-amount": "10 000",
            "q7-fund-all-currency": "EUR",
            "q7-fund-all-firm": "firm",
            "q7-fund-11-amount": "2500,5",
            "q7-fund-11-currency": "CHF",
            "q7-fund-11-note": "  subject to approval ",
            "q7-fund-12-amount": "",
            "q7-fund-12-currency": "USD",
        }
    )
    assert errors == []
    assert answer.funding == {
        PROGRAMME: Pledge("10000", "EUR", True, ""),
        11: Pledge("2500.5", "CHF", False, "subject to approval"),
    }
    assert sorted(answer.rows(), key=lambda r: r[1] or 0) == [
        (7, None, None, False, None, "10000 EUR firm"),
        (7, 11, None, False, None, "2500.5 CHF indicative\nsubject to approval"),
    ]


def test_the_canonical_form_keeps_the_pledges_exactly():
    answer, _ = parse({"q7-fund-12-amount": "0.10", "q7-fund-12-currency": "EUR"})
    ballot = Ballot((answer,))
    again = ballot_from_canonical(ballot.canonical())
    assert again.answers[0].funding == {12: Pledge("0.1", "EUR", False, "")}
    assert again.canonical() == ballot.canonical()


def test_a_pledge_is_stored_and_read_back_whatever_its_note():
    for note in ("", "one line", "two\nlines", "  spaced "):
        pledge = Pledge("1.5", "EUR", True, note)
        assert Pledge.from_stored(pledge.stored()) == pledge


def test_every_field_error_names_its_field_and_nothing_is_kept():
    answer, errors = parse(
        {
            "q7-fund-all-amount": "1e5",
            "q7-fund-all-currency": "EUR",
            "q7-fund-11-amount": "5",
            "q7-fund-11-currency": "GOLD",
            "q7-fund-12-amount": "5",
            "q7-fund-12-currency": "EUR",
            "q7-fund-12-firm": "perhaps",
        }
    )
    assert {(e.field, e.code) for e in errors} == {
        ("q7-fund-all-amount", FundingCode.AMOUNT_NOT_A_NUMBER),
        ("q7-fund-11-currency", FundingCode.CURRENCY_UNKNOWN),
        ("q7-fund-12-firm", FundingCode.FIRMNESS_UNKNOWN),
    }
    assert answer.funding == {}


def test_required_means_one_intention_on_submission_only():
    required = QuestionSpec(**{**Q.__dict__, "required": True})
    _, errors = parse({}, final=True, q=required)
    assert [(e.field, e.code) for e in errors] == [("q7-fund-all-amount", Code.REQUIRED)]
    assert parse({}, final=False, q=required)[1] == []


def test_without_the_whole_programme_only_options_are_read():
    q = QuestionSpec(**{**Q.__dict__, "settings": {"whole_programme": False}})
    assert "q7-fund-all-amount" not in FUNDING.field_names(q)
    spec = BallotSpec((q,))
    _, errors = parse_ballot(
        spec, {"q7-fund-all-amount": ["5"], "q7-fund-all-currency": ["EUR"]}, final=True
    )
    assert [e.code for e in errors] == [Code.UNKNOWN_FIELD]


def test_a_question_with_nothing_to_fund_cannot_open():
    shape = QuestionShape("funding", "Funding?", (), {"whole_programme": False})
    assert [p.issue for p in kinds.check_question(shape, for_opening=True)] == ["too_few_options"]
    assert kinds.check_question(shape, for_opening=False) == []
    programme = QuestionShape("funding", "Funding?", (), {"whole_programme": True})
    assert kinds.check_question(programme, for_opening=True) == []


class Member:
    def __init__(self, id_: int, name: str) -> None:
        self.id, self.name = id_, name


def test_totals_per_target_and_currency_are_never_summed_across_currencies():
    a, b, c = Member(1, "Austria"), Member(2, "Benin"), Member(3, "Chile")
    funding = tally_funding(
        [PROGRAMME, 11, 12],
        [
            Intention(b, 11, Pledge("1000", "CHF", True)),
            Intention(a, PROGRAMME, Pledge("0.10", "EUR", False)),
            Intention(a, 11, Pledge("2500.5", "CHF", False)),
            Intention(c, 11, Pledge("0.20", "EUR", True)),
            Intention(c, 99, Pledge("5", "EUR", True)),  # an option no longer offered
        ],
    )
    assert funding.members == 3
    workshop = {t.currency: t for t in funding.of(11)}
    assert set(workshop) == {"CHF", "EUR"}
    assert (workshop["CHF"].firm, workshop["CHF"].indicative) == (Decimal(1000), Decimal("2500.5"))
    assert workshop["CHF"].members == 2
    assert workshop["EUR"].total == Decimal("0.20")
    assert funding.of(12) == ()
    overall = {t.currency: t.total for t in funding.overall}
    assert overall == {"CHF": Decimal("3500.5"), "EUR": Decimal("0.30")}  # exact: no float
    assert [(i.member.name, i.target) for i in funding.intentions] == [
        ("Austria", PROGRAMME),
        ("Austria", 11),
        ("Benin", 11),
        ("Chile", 11),
    ]
