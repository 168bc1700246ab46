"""Funding intentions end to end on the database (SQLite, and PostgreSQL with
TEST_DATABASE_URL): ballots, refusals, results page, published view and CSV report."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from textwrap import dedent

import pytest
import sqlalchemy as sa
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consult.ballots.models import Answer, Revision
from consult.consultations.kinds.fields import Pledge
from consult.consultations.kinds.funding import currencies as currencies_known
from consult.consultations.kinds.funding import read_amount
from consult.consultations.models import Consultation
from consult.core import clock
from consult.extensions import db
from consult.members.models import MemberKind
from tests.conftest import csrf_token
from tests.factories import AdminFactory, MemberFactory, UserFactory, build_consultation
from tests.integration.ballot_helpers import post_ballot, snapshot
from tests.strategies import NO_SURROGATES

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
    assert (
        "A conditional question: asked only of members who answered “Yes, we intend to "
        "contribute” to question 1." in members
    )
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
    assert "A conditional question: asked only of members who answered" in page
    c.results_attributed = True
    db.session.commit()
    page = client.get("/consultations/idm-2010/results").get_data(as_text=True)
    assert "Intentions by member" in page
    assert "State BBB" in page


EVERY_KIND = dedent(
    """\
    slug: idm-2011-every-kind
    title: Every kind
    status: draft
    closes_at: 2010-12-15T18:00:00+01:00
    questions:
      - kind: ranking
        prompt: Rank the themes
        options:
          - label: Theme A
          - label: Theme B
      - kind: choose
        prompt: Choose two workshops
        min_choices: 1
        max_choices: 2
        options:
          - label: {en: Workshop A, fr: Atelier A}
          - label: Workshop B
          - label: Workshop C
      - kind: single
        prompt: Do you intend to contribute?
        options:
          - label: Yes, we intend to contribute
          - label: "No"
      - kind: funding
        prompt: {en: Your funding intention, fr: Votre intention de financement}
        show_if: {question: 3, answers: [1]}
        whole_programme: true
        options_from: 2
      - kind: funding
        prompt: Funding of the side events
        whole_programme: false
        options:
          - label: Reception
          - label: Interpretation
      - kind: likert
        prompt: Useful?
        allow_no_opinion: true
        scale: [Not useful, Useful]
      - kind: grid
        prompt: Agree?
        scale: [Disagree, Agree]
        options:
          - label: Useful
          - label: Too long
      - kind: number
        prompt: How many experts?
        minimum: 0
        maximum: 40
      - kind: text
        prompt: Anything else?
    """
)


def test_yaml_dump_import_dump_is_stable_with_every_kind(runner, tmp_path):
    path = tmp_path / "every.yaml"
    path.write_text(EVERY_KIND, encoding="utf-8")
    result = runner.invoke(args=["consultations", "import", str(path)])
    assert result.exit_code == 0, result.output
    c = db.session.scalar(sa.select(Consultation).where(Consultation.slug == "idm-2011-every-kind"))
    funding, side = c.questions[3], c.questions[4]
    assert funding.settings["options_from"] == c.questions[1].id  # stored by id
    assert "whole_programme" not in funding.settings  # the default is not stored
    assert side.settings == {"whole_programme": False}
    first = runner.invoke(args=["consultations", "dump", "idm-2011-every-kind"]).output
    assert "  options_from: 2\n" in first
    assert "  whole_programme: false\n" in first
    assert {f"- kind: {k}" in first for k in kinds_names()} == {True}
    copy = first.replace("slug: idm-2011-every-kind", "slug: idm-2011-copy")
    path.write_text(copy, encoding="utf-8")
    result = runner.invoke(args=["consultations", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["consultations", "dump", "idm-2011-copy"]).output == copy


def kinds_names():
    from consult.consultations import kinds

    return kinds.names()


@pytest.mark.parametrize(
    ("change", "message", "line"),
    [
        (
            "options_from: 2",
            "options_from: 2\n    options:\n      - label: Own",
            ":28: questions[4].options_from: ",
        ),
        ("options_from: 2", "options_from: 5", ":28: questions[4].options_from: expected the"),
        ("options_from: 2", "options_from: 4", ":28: questions[4].options_from: expected the"),
        ("options_from: 2", "options_from: two", ":28: questions[4].options_from: expected a"),
        ("whole_programme: true", "whole_programme: nope", ":27: questions[4].whole_programme"),
    ],
)
def test_yaml_refuses_bad_references_with_the_line(runner, tmp_path, change, message, line):
    path = tmp_path / "bad.yaml"
    path.write_text(EVERY_KIND.replace(change, message), encoding="utf-8")
    result = runner.invoke(args=["consultations", "import", str(path)])
    assert result.exit_code != 0
    assert line in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consultation)) == 0


def test_intentions_earmarked_for_a_workshop_of_an_earlier_question(client, auth):
    UserFactory(email="fra@example.org", member=MemberFactory(code="FRA", name="France"))
    c = build_consultation("idm-2011-every-kind", questions=yaml.safe_load(EVERY_KIND)["questions"])
    workshops, intend, funding = c.questions[1], c.questions[2], c.questions[3]
    auth.login("fra@example.org")
    page = client.get("/consultations/idm-2011-every-kind").get_data(as_text=True)
    b = workshops.options[1].id
    assert f'name="q{funding.id}-fund-{b}-amount"' in page
    form = {
        f"q{intend.id}-choice": str(intend.options[0].id),
        f"q{funding.id}-fund-{b}-amount": "15000",
        f"q{funding.id}-fund-{b}-currency": "EUR",
    }
    response = post_ballot(client, "idm-2011-every-kind", form, action="draft")
    assert response.status_code == 303, response.get_data(as_text=True)
    rows = db.session.execute(
        sa.select(Answer.option_id, Answer.text).where(Answer.question_id == funding.id)
    ).all()
    assert rows == []  # a draft is kept as typed, not as answers
    again = client.get("/consultations/idm-2011-every-kind").get_data(as_text=True)
    assert 'value="15000"' in again
    form[f"q{c.questions[0].id}-rank-{c.questions[0].options[0].id}"] = "1"
    form[f"q{workshops.id}-choice"] = str(b)
    response = post_ballot(client, "idm-2011-every-kind", form)
    assert response.status_code == 303, response.get_data(as_text=True)
    rows = db.session.execute(
        sa.select(Answer.option_id, Answer.text).where(Answer.question_id == funding.id)
    ).all()
    assert rows == [(b, "15000 EUR indicative")]
    auth.logout()
    AdminFactory(email="admin@example.org")
    auth.login("admin@example.org")
    page = client.get("/admin/consultations/idm-2011-every-kind/results").get_data(as_text=True)
    totals = page.split(f'id="q{funding.id}-totals"')[1].split("</table>")[0]
    assert '<th scope="row">Workshop B</th><td>EUR</td>' in totals


def test_the_builder_adds_a_funding_question_on_the_workshops_and_keeps_it_consistent(client, auth):
    from tests.integration.builder_helpers import consultation, post, sign_in_admin, text
    from tests.integration.builder_helpers import snapshot as tables

    sign_in_admin(auth)
    build_consultation("idm-2011", status="draft", questions=[])
    path = "/admin/consultations/idm-2011/questions/new?kind="
    workshops = post(
        client, path + "choose", {"kind": "choose", "prompt-en": "Workshops", "options": "A\nB"}
    )
    assert workshops.status_code == 303, text(workshops)
    first = consultation("idm-2011").questions[0]
    form = client.get(path + "funding").get_data(as_text=True)
    assert f'<option value="{first.id}">Question 1: Workshops</option>' in form
    added = post(
        client,
        path + "funding",
        {
            "kind": "funding",
            "prompt-en": "Funding",
            "whole_programme": "y",
            "options_from": str(first.id),
        },
    )
    assert added.status_code == 303, text(added)
    funding = consultation("idm-2011").questions[1]
    assert funding.options == []  # no options of its own are needed
    assert funding.settings == {"options_from": first.id}
    page = client.get(f"/admin/consultations/idm-2011/questions/{funding.id}").get_data(
        as_text=True
    )
    assert f'<option selected value="{first.id}">Question 1: Workshops</option>' in page

    before = tables()
    moved = post(
        client,
        "/admin/consultations/idm-2011/questions/order",
        {f"position-{first.id}": "2", f"position-{funding.id}": "1"},
    )
    assert moved.status_code == 400
    assert "uses the options of this question: change it first." in text(moved)
    removed = post(
        client, f"/admin/consultations/idm-2011/questions/{first.id}/remove", {"confirm": "yes"}
    )
    assert removed.status_code == 303
    assert "uses the options of this question" in text(client.get(removed.headers["Location"]))
    assert tables() == before


def test_fuzzed_funding_fields_never_fail_and_stored_amounts_are_exact(client, consultation):
    """Whatever is typed: 303 with the amount stored exactly as read, or 400 with nothing
    stored for the question; never a 500 (SQLite, and PostgreSQL with TEST_DATABASE_URL)."""
    c = consultation
    amounts = st.one_of(
        st.sampled_from(
            [
                "",
                "0",
                "-1",
                "1e5",
                "1E5",
                "NaN",
                "nan",
                "Infinity",
                "-inf",
                "sNaN",
                "12 500",
                "12,5",
                "12.345",
                "٣",
                "0x1F",
                "1_000",
                "\x00",
                "9" * 16,
                "9" * 5000,
                " 7 ",
            ]
        ),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.text(alphabet="0123456789 ,.-+eE", max_size=24),
        st.text(alphabet=NO_SURROGATES, max_size=12),
    )
    currencies = st.one_of(
        st.sampled_from(["", "EUR", "JPY", "KWD", "XAU", "eur", "EURO", "€", "\x00"]),
        st.text(alphabet=NO_SURROGATES, max_size=4),
    )
    firmness = st.one_of(
        st.sampled_from(["", "firm", "indicative", "FIRM"]), st.text(NO_SURROGATES, max_size=4)
    )
    notes = st.one_of(st.text(alphabet=NO_SURROGATES, max_size=40), st.just("x" * 600))

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(amount=amounts, currency=currencies, firm=firmness, note=notes, other=amounts)
    def run(amount, currency, firm, note, other):
        form = ballot(
            c,
            line(c, None, amount, currency, firm=firm, note=note),
            line(c, 2, other, "CHF"),
        )
        response = post_ballot(client, "idm-2010", form)
        assert response.status_code in (303, 400), response.status_code
        stored = db.session.scalars(
            sa.select(Answer.text).where(Answer.question_id == c.questions[1].id)
        ).all()
        for text in stored:
            pledge = Pledge.from_stored(text)
            assert Decimal(pledge.amount) > 0
            assert pledge.currency in currencies_known()
        if response.status_code == 400:
            return
        programme = [t for t in stored if t.split(" ")[1] == currency]
        if amount.strip():
            read, refusal, _ = read_amount(amount, currency)
            assert refusal is None
            assert any(Decimal(t.split(" ")[0]) == read for t in programme)

    run()


def test_a_draft_drops_intentions_to_a_hidden_question_with_a_notice(client, consultation):
    c = consultation
    form = ballot(c, line(c, 1, "100", note="Perhaps"), intend=2)
    response = post_ballot(client, "idm-2010", form, action="draft")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your answers to question 2 were not kept" in page
    assert "Your draft has been saved" in page
    assert 'value="100"' not in page
    assert "Perhaps" not in page
    again = client.get("/consultations/idm-2010").get_data(as_text=True)
    assert f'value="{c.questions[0].options[1].id}" checked' in again  # the rest is kept


def test_a_hidden_question_sent_with_its_preset_choices_only_is_not_a_discarded_answer(
    client, consultation
):
    """Without JavaScript a hidden funding question still sends "indicative" (checked in
    advance) and an empty currency: that is no answer, so no notice."""
    c = consultation
    form = ballot(c, line(c, None, "", "", firm="indicative"), line(c, 1, "", ""), intend=2)
    response = post_ballot(client, "idm-2010", form)
    assert response.status_code == 303
    assert "were not kept" not in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_follow_up_copy_points_its_conditions_and_references_at_the_copies(client, auth):
    from consult.consultations.lifecycle import Status
    from tests.integration.builder_helpers import consultation as reload
    from tests.integration.builder_helpers import post, sign_in_admin

    sign_in_admin(auth)
    parent = build_consultation("idm-2011", questions=yaml.safe_load(EVERY_KIND)["questions"])
    parent.status = Status.PUBLISHED
    parent.published_at = clock.now()
    db.session.commit()
    form = {
        "slug": "idm-2011-again",
        "title-en": "Again",
        "closes_at": "2030-02-15T18:00",
        "start": "copy",
        "kind": "choose",
        "prompt-en": "Unused",
    }
    response = post(client, "/admin/consultations/idm-2011/follow-up", form)
    assert response.status_code == 303, response.get_data(as_text=True)
    child = reload("idm-2011-again")
    workshops, intend, funding = child.questions[1], child.questions[2], child.questions[3]
    assert funding.settings["options_from"] == workshops.id
    assert funding.settings["show_if"] == {"question": intend.id, "options": [intend.options[0].id]}
