"""The outcome follows the count, or says why not: prefilled from the official result, the
selected options kept as data, a reason required (on the server) when the outcome departs."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from consult.consultations.lifecycle import Status
from consult.core.audit import AuditEvent
from consult.extensions import db
from tests.factories import MemberFactory, UserFactory, build_consultation
from tests.integration.builder_helpers import consultation, post, sign_in_admin, snapshot, text
from tests.integration.results_helpers import cast

BASE = "/admin/consultations/idm-2010"


@pytest.fixture
def counted(client, auth):
    """Three member states answered: question 1 (ranking) is won by "Migration and Social
    Change"; question 2 (choose two) selects Workshops 1 and 2. Closed, the Administration
    signed in; a delegate of one of them."""
    members = [MemberFactory(code=code) for code in ("CIV", "SEN", "PER")]
    UserFactory(email="civ@example.org", member=members[0], locale="en")
    c = build_consultation()
    cast(c, members[0], ranking=[2, 1], choice=[1, 2])
    cast(c, members[1], ranking=[2], choice=[1, 2])
    cast(c, members[2], ranking=[1], choice=[1, 3])
    sign_in_admin(auth)
    post(client, f"{BASE}/close", {"confirm": "yes", "reason-en": "The Council meets earlier."})
    assert consultation().status is Status.CLOSED
    return c


def option_ids(question: int) -> list[int]:
    return [o.id for o in consultation().questions[question - 1].options]


def field(page: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, name
    return html.unescape(match.group(1)).strip()


def ticked(page: str) -> set[int]:
    return {int(v) for v in re.findall(r'name="selected" value="(\d+)"[^>]*checked', page)}


def test_the_form_starts_from_the_official_result_in_three_languages(client, counted):
    page = client.get(f"{BASE}/outcome").get_data(as_text=True)
    english = field(page, "outcome-en")
    assert "Question 1: the membership has selected *Migration and Social Change*." in english
    assert "Question 2: the membership has selected *Workshop 1* and *Workshop 2*." in english
    assert "*Migration et changement social*" in field(page, "outcome-fr")
    assert "*Migración y cambio social*" in field(page, "outcome-es")
    assert " et *Workshop 2*" in field(page, "outcome-fr")
    assert ticked(page) == {option_ids(1)[1], *option_ids(2)[:2]}
    assert "Official result: Migration and Social Change." in text(client.get(f"{BASE}/outcome"))


def outcome_form(selected, reason: str = "") -> dict:
    return {
        "outcome-en": "The membership has selected *Migration and Health*.",
        "outcome-fr": "Les membres ont retenu *Migration et santé*.",
        "selected": [str(i) for i in selected],
        "reason-en": reason,
    }


def test_an_outcome_naming_another_option_needs_a_reason(client, auth, counted):
    other = [option_ids(1)[2], *option_ids(2)[:2]]
    before = snapshot()
    response = post(client, f"{BASE}/outcome", outcome_form(other))
    assert response.status_code == 400
    assert (
        "The options selected differ from the official result of question 1 (or its result is "
        "a tie): give the reason, at least in English." in text(response)
    )
    assert snapshot() == before
    # the page kept what was typed and ticked
    assert ticked(response.get_data(as_text=True)) == set(other)

    response = post(
        client, f"{BASE}/outcome", outcome_form(other, "Health was chosen to follow WHA 62.")
    )
    assert response.status_code == 303
    c = consultation()
    assert {o.label for o in c.selected_options} == {
        "Migration and Health",
        "Workshop 1",
        "Workshop 2",
    }
    assert c.outcome_reason == "Health was chosen to follow WHA 62."
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "outcome_recorded")
    ).one()
    assert event.details["departs_in_questions"] == [1]
    assert event.details["selected"] == sorted(other)

    # shown with the outcome: overview, results page, then the delegates' pages once published
    reason = "Why the outcome departs from the official result: Health was chosen to follow WHA 62."
    assert reason in text(client.get(BASE))
    assert reason in text(client.get(f"{BASE}/results"))
    post(client, f"{BASE}/publish", {"confirm": "yes"})
    assert consultation().status is Status.PUBLISHED
    auth.logout()
    auth.login("civ@example.org")
    assert reason in text(client.get("/consultations/idm-2010/results"))
    assert "Options selected by the Administration: Migration and Health" in text(
        client.get("/consultations/idm-2010")
    )


def test_the_official_result_needs_no_reason(client, counted):
    response = post(client, f"{BASE}/outcome", outcome_form([option_ids(1)[1], *option_ids(2)[:2]]))
    assert response.status_code == 303
    assert consultation().outcome_reason == ""


def test_leaving_out_the_winner_needs_a_reason(client, counted):
    before = snapshot()
    response = post(client, f"{BASE}/outcome", outcome_form(option_ids(2)[:2]))
    assert response.status_code == 400
    assert "official result of question 1 " in text(response)
    assert snapshot() == before


def test_an_option_of_another_consultation_is_refused(client, counted):
    build_consultation("other-one")
    stranger = consultation("other-one").questions[0].options[0].id
    before = snapshot()
    for selected in ([stranger], ["x"], ["99999999999999999999"]):
        response = post(client, f"{BASE}/outcome", outcome_form([*selected], "A reason is given."))
        assert response.status_code == 400
        assert "Select only options of the questions listed." in text(response)
    assert snapshot() == before


def test_a_tie_needs_a_reason_whichever_option_is_selected(client, auth):
    members = [MemberFactory(code=code) for code in ("CIV", "SEN")]
    c = build_consultation()
    cast(c, members[0], ranking=[1], choice=[1, 2])
    cast(c, members[1], ranking=[1], choice=[1, 3])  # workshops 2 and 3 tie for the second place
    sign_in_admin(auth)
    post(client, f"{BASE}/close", {"confirm": "yes", "reason-en": "The Council meets earlier."})
    page = client.get(f"{BASE}/outcome").get_data(as_text=True)
    assert "Question 2" not in field(page, "outcome-en")  # a tie is not prefilled as decided
    assert ticked(page) == {option_ids(1)[0]}
    assert "Official result: a tie between Workshop 1, Workshop 2, Workshop 3." in text(
        client.get(f"{BASE}/outcome")
    )
    chosen = [option_ids(1)[0], *option_ids(2)[:2]]
    response = post(client, f"{BASE}/outcome", outcome_form(chosen))
    assert response.status_code == 400
    assert "official result of question 2 " in text(response)
    response = post(client, f"{BASE}/outcome", outcome_form(chosen, "Workshop 2 was drawn by lot."))
    assert response.status_code == 303


def test_publishing_an_outcome_the_count_no_longer_supports_is_refused(client, auth):
    members = [MemberFactory(code=code) for code in ("CIV", "SEN")]
    c = build_consultation()
    sign_in_admin(auth)
    post(client, f"{BASE}/close", {"confirm": "yes", "reason-en": "The Council meets earlier."})
    # recorded before anyone answered: nothing to select, no reason needed
    assert post(client, f"{BASE}/outcome", outcome_form([])).status_code == 303
    post(
        client,
        f"{BASE}/reopen",
        {"closes_at": "2099-01-01T12:00", "reason-en": "Late answers expected."},
    )
    cast(c, members[0], ranking=[2])
    cast(c, members[1], ranking=[2])
    post(client, f"{BASE}/close", {"confirm": "yes", "reason-en": "The Council meets earlier."})
    before = snapshot()
    # Refused up front: no confirmation page, but the outcome's form with its reason marked.
    for response in (client.get(f"{BASE}/publish"), post(client, f"{BASE}/publish", {})):
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"{BASE}/outcome")
    response = post(client, f"{BASE}/publish", {"confirm": "yes"})
    assert response.headers["Location"].endswith(f"{BASE}/outcome")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "edit the outcome and give the reason before publishing" in html.unescape(page)
    assert 'aria-invalid="true" id="reason-en"' in page
    assert re.search(
        r'id="reason-en-errors"><li>The options selected differ from the official result of '
        r"question 1 ",
        page,
    ), page
    assert snapshot() == before
