"""Funding intentions end to end on the database (SQLite, and PostgreSQL with
TEST_DATABASE_URL): ballots, refusals, results page, published view and CSV report."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from consult.ballots.models import Answer, Revision
from consult.consultations.models import Consultation
from consult.core import clock
from consult.extensions import db
from consult.members.models import MemberKind
from tests.conftest import csrf_token
from tests.factories import AdminFactory, MemberFactory, UserFactory, build_consultation
from tests.integration.ballot_helpers import post_ballot, snapshot

QUESTIONS = [
    {
        "kind": "single",
        "prompt": "Do you intend to contribute?",
        "options": [{"label": "Yes, we intend to contribute"}, {"label": "No"}],
    },
    {
        "kind": "funding",
        "prompt": {"en": "Your funding intention", "fr": "Votre intention de financement"},
        "show_if": {"question": 1, "answers": [1]},
        "options": [
            {"label": {"en": "Integration workshop", "fr": "Atelier intégration"}},
            {"label": {"en": "Diasporas workshop", "fr": "Atelier diasporas"}},
        ],
    },
]


def line(c: Consultation, target: int | None, amount: str, currency: str = "EUR", **more):
    """The fields of one intention: ``target`` None for the whole programme, else the
    option's position."""
    q = c.questions[1]
    key = "all" if target is None else str(q.options[target - 1].id)
    prefix = f"q{q.id}-fund-{key}"
    fields = {f"{prefix}-amount": amount, f"{prefix}-currency": currency}
    fields.update({f"{prefix}-{part}": value for part, value in more.items()})
    return fields


def ballot(c: Consultation, *lines: dict[str, str], intend: int = 1) -> dict[str, str]:
    q = c.questions[0]
    form = {f"q{q.id}-choice": str(q.options[intend - 1].id)}
    for fields in lines:
        form.update(fields)
    return form


@pytest.fixture
def consultation(client, auth):
    UserFactory(email="fra@example.org", member=MemberFactory(code="FRA", name="France"))
    c = build_consultation(questions=QUESTIONS)
    auth.login("fra@example.org")
    return c


def test_a_delegate_states_intentions_for_the_programme_and_one_workshop(client, consultation):
    c = consultation
    page = client.get("/consultations/idm-2010").get_data(as_text=True)
    assert "Whole programme" in page
    assert "CHF — Swiss Franc" in page
    form = ballot(
        c,
        line(c, None, "10 000", "EUR", firm="firm"),
        line(c, 1, "2500,50", "CHF", note="Subject to parliament's approval"),
    )
    response = post_ballot(client, "idm-2010", form)
    assert response.status_code == 303, response.get_data(as_text=True)
    content = db.session.scalars(sa.select(Revision)).one().content
    funding = {q["question"]: q for q in content["questions"]}[c.questions[1].id]["funding"]
    workshop = str(c.questions[1].options[0].id)
    assert funding == {
        "0": {"amount": "10000", "currency": "EUR", "firm": True, "note": ""},
        workshop: {
            "amount": "2500.5",
            "currency": "CHF",
            "firm": False,
            "note": "Subject to parliament's approval",
        },
    }
    rows = db.session.execute(
        sa.select(Answer.option_id, Answer.text).where(Answer.question_id == c.questions[1].id)
    ).all()
    assert sorted(rows, key=lambda r: r[0] or 0) == [
        (None, "10000 EUR firm"),
        (int(workshop), "2500.5 CHF indicative\nSubject to parliament's approval"),
    ]
    again = client.get("/consultations/idm-2010").get_data(as_text=True)
    assert 'value="2500.5"' in again
    assert '<option value="CHF" selected>' in again


@pytest.mark.parametrize(
    ("amount", "currency", "message"),
    [
        ("-100", "EUR", "an amount cannot be negative"),
        ("1e5", "EUR", "write the amount in digits"),
        ("NaN", "EUR", "write the amount in digits"),
        ("Infinity", "EUR", "write the amount in digits"),
        ("inf", "EUR", "write the amount in digits"),
        ("12,500.00", "EUR", "write the amount in digits"),
        ("٣٠٠", "EUR", "write the amount in digits"),
        ("0", "EUR", "write an amount above zero"),
        ("9" * 16, "EUR", "the amount is too large"),
        ("9" * 400, "EUR", "the amount is too large"),
        ("12.345", "EUR", "amounts in EUR have at most 2 decimals"),
        ("100.5", "JPY", "amounts in JPY have no decimals"),
        ("100", "", "choose the currency of the amount"),
        ("100", "ZZZ", "choose a currency from the list"),
        ("100", "XAU", "choose a currency from the list"),
        ("100", "eur", "choose a currency from the list"),
    ],
)
def test_bad_amounts_and_currencies_are_refused_on_the_field(
    client, consultation, amount, currency, message
):
    before = snapshot()
    response = post_ballot(
        client, "idm-2010", ballot(consultation, line(consultation, 2, amount, currency))
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "Question 2, Diasporas workshop" in page  # the field is named in the summary
    assert 'aria-invalid="true"' in page
    assert snapshot() == before


def test_a_note_without_amount_and_an_unknown_firmness_are_refused(client, consultation):
    c = consultation
    before = snapshot()
    refused = post_ballot(client, "idm-2010", ballot(c, line(c, None, "", note="Later")))
    assert refused.status_code == 400
    assert "write the amount this note is about" in refused.get_data(as_text=True)
    refused = post_ballot(client, "idm-2010", ballot(c, line(c, None, "5", firm="maybe")))
    assert refused.status_code == 400
    assert "choose firm or indicative" in refused.get_data(as_text=True)
    assert snapshot() == before


def test_bad_amount_in_french(client, consultation):
    client.post(
        "/language", data={"lang": "fr", "csrf_token": csrf_token(client, "/"), "next": "/"}
    )
    c = consultation
    response = post_ballot(client, "idm-2010", ballot(c, line(c, 1, "-5")))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Question 2, Atelier intégration\u00a0: un montant ne peut pas être négatif." in page
    assert "CHF — franc suisse" in page


def test_intentions_to_a_hidden_question_are_dropped(client, consultation):
    c = consultation
    response = post_ballot(client, "idm-2010", ballot(c, line(c, None, "100"), intend=2))
    assert response.status_code == 303
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(Answer.question_id == c.questions[1].id))
        == 0
    )


ANSWERS = (
    ("AAA", MemberKind.MEMBER_STATE, [(None, "10000", "EUR", "firm"), (1, "2500.50", "CHF", "")]),
    ("BBB", MemberKind.MEMBER_STATE, [(1, "1000", "CHF", "firm"), (1, "", "", "")]),
    ("CCC", MemberKind.MEMBER_STATE, [(1, "499.5", "EUR", ""), (2, "300", "USD", "")]),
    ("ORG", MemberKind.OBSERVER_ORG, [(None, "7000", "USD", "firm")]),
)


def answered(client, auth, *, attributed: bool = False) -> Consultation:
    for code, kind, _lines in ANSWERS:
        member = MemberFactory(code=code, name=f"State {code}", kind=kind)
        UserFactory(email=f"{code.lower()}@example.org", member=member)
    c = build_consultation(questions=QUESTIONS)
    for code, _kind, lines in ANSWERS:
        auth.login(f"{code.lower()}@example.org")
        form = ballot(c, *(line(c, t, a, cur, firm=f) for t, a, cur, f in lines[:1]))
        for t, a, cur, f in lines[1:]:
            form.update(line(c, t, a, cur, firm=f) if a else {})
        response = post_ballot(client, "idm-2010", form)
        assert response.status_code == 303, response.get_data(as_text=True)
        auth.logout()
    if attributed:
        c.results_attributed = True
        db.session.commit()
    AdminFactory(email="admin@example.org")
    auth.login("admin@example.org")
    return c


def test_results_give_totals_per_workshop_and_currency_observers_apart(client, auth):
    answered(client, auth)
    page = client.get("/admin/consultations/idm-2010/results").get_data(as_text=True)
    page = page.replace("\xa0", " ")
    section = page.split('id="question-')[2]
    members, observers = section.split("Observers (not counted above)")
    assert "3 members intend to contribute." in members
    totals = members.split('class="table funding-totals"')[1].split("</table>")[0]
    # Integration workshop: CHF 2,500.50 + 1,000 (firm), EUR 499.50; never added together.
    assert '<th scope="row">Integration workshop</th><td>CHF</td>' in totals
    assert 'CHF1,000.00</td><td class="num">CHF2,500.50</td><td class="num">CHF3,500.50' in totals
    assert "€499.50" in totals
    assert "$300.00" in totals
    assert "$7,000.00" not in members  # the organisation is an observer: apart
    assert "1 member intends to contribute." in observers
    assert "$7,000.00" in observers
    assert "State AAA" in members  # administrators see who intends what

    token = csrf_token(client, "/admin/consultations/idm-2010/results")
    data = client.post(
        "/admin/consultations/idm-2010/export/results.csv", data={"csrf_token": token}
    ).data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8")[1:], newline="")))
    funding = [r for r in rows if r["question_number"] == "2"]
    table = {(r["option"], r["currency"], r["observers"]): r for r in funding}
    chf = table["Integration workshop", "CHF", ""]
    assert (chf["total"], chf["firm_total"], chf["indicative_total"], chf["members"]) == (
        "3500.5",
        "1000",
        "2500.5",
        "2",
    )
    assert table["Whole programme", "EUR", ""]["total"] == "10000"
    assert table["All together", "EUR", ""]["total"] == "10499.5"
    assert table["Whole programme", "USD", "yes"]["total"] == "7000"
    assert table["All together", "USD", ""]["total"] == "300"

    responses = client.post(
        "/admin/consultations/idm-2010/export/responses.csv", data={"csrf_token": token}
    ).data.decode("utf-8")[1:]
    by_member = {r["member_code"]: r for r in csv.DictReader(io.StringIO(responses, newline=""))}
    aaa = by_member["AAA"]
    assert aaa["Q2 amount: Integration workshop"] == "2500.5"
    assert aaa["Q2 currency: Integration workshop"] == "CHF"
    assert aaa["Q2 firm or indicative: Integration workshop"] == "indicative"
    assert aaa["Q2 amount"] == "10000"
    assert aaa["Q2 firm or indicative"] == "firm"


def test_published_view_lists_members_only_when_attributed(client, auth):
    c = answered(client, auth)
    c.status = "published"
    c.published_at = clock.now()
    db.session.commit()
    auth.logout()
    auth.login("aaa@example.org")
    page = client.get("/consultations/idm-2010/results").get_data(as_text=True)
    page = page.replace("\xa0", " ")
    assert "3 members intend to contribute." in page
    assert "CHF3,500.50" in page
    assert "Intentions by member" not in page
    c.results_attributed = True
    db.session.commit()
    page = client.get("/consultations/idm-2010/results").get_data(as_text=True)
    assert "Intentions by member" in page
    assert "State BBB" in page
