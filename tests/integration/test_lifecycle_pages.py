"""The cycle from the Administration's pages, and what delegates see at each step."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from consult.consultations import signals
from consult.consultations.lifecycle import Status
from consult.core import clock
from consult.core.audit import AuditEvent
from consult.core.text import Text
from consult.extensions import db
from tests.factories import MemberFactory, UserFactory, build_consultation
from tests.integration.builder_helpers import consultation, post, sign_in_admin, snapshot, text

BASE = "/admin/consultations/idm-2010"


@pytest.fixture
def people(client, auth):
    """A Mexican delegate (Spanish) and the Administration, signed in."""
    mexico = MemberFactory(code="MEX", name="Mexico", translations={"es": {"name": "México"}})
    UserFactory(email="mex@example.org", member=mexico, locale="es")
    sign_in_admin(auth)
    return auth


def as_delegate(client, auth):
    auth.logout()
    auth.login("mex@example.org")


@pytest.fixture
def sent():
    seen = []

    def receiver(sender, **kwargs):
        seen.append({k: v for k, v in kwargs.items() if k in ("notify", "reason", "actor_id")})

    for s in (signals.opened, signals.deadline_extended, signals.published):
        s.connect(receiver)
    yield seen
    for s in (signals.opened, signals.deadline_extended, signals.published):
        s.disconnect(receiver)


def flash_after(client, response) -> str:
    assert response.status_code == 303
    return text(client.get(response.headers["Location"]))


def test_open_now_with_or_without_notifying(client, people, sent):
    build_consultation(status="draft")
    page = flash_after(client, post(client, f"{BASE}/open", {"when": "now", "confirm": "yes"}))
    assert "The consultation is open." in page
    assert consultation().status is Status.OPEN
    assert sent == [{"notify": False, "actor_id": sent[0]["actor_id"]}]  # the box was not ticked


def test_schedule_opening_at_the_opening_time(client, people, sent):
    c = build_consultation(status="draft")
    c.opens_at = clock.now() + timedelta(days=2)
    db.session.commit()
    page = flash_after(
        client, post(client, f"{BASE}/open", {"when": "scheduled", "notify": "y", "confirm": "yes"})
    )
    assert "The consultation will open by itself at its opening time." in page
    assert "Scheduled" in text(client.get(BASE))
    assert sent[-1]["notify"] is True
    with clock.freeze(clock.now() + timedelta(days=3)):
        assert "Delegates may answer until" in text(client.get(BASE))


def test_closing_a_draft_is_refused_and_changes_nothing(client, people):
    build_consultation(status="draft")
    before = snapshot()
    page = flash_after(
        client,
        post(
            client, f"{BASE}/close", {"confirm": "yes", "reason-en": "The Council meets earlier."}
        ),
    )
    assert "The consultation has not been opened yet." in page
    assert snapshot() == before


def test_the_reason_for_closing_early_is_read_in_the_delegates_language(client, people):
    build_consultation()
    post(
        client,
        f"{BASE}/close",
        {
            "confirm": "yes",
            "reason-en": "The Council meets earlier.",
            "reason-es": "El Consejo se reúne antes.",
        },
    )
    assert "Reason: The Council meets earlier." in text(client.get(BASE))
    as_delegate(client, people)
    page = text(client.get("/consultations/idm-2010"))
    assert "Motivo: El Consejo se reúne antes." in page
    assert "The Council meets earlier." not in page


def test_closing_early_without_an_english_reason_changes_nothing(client, people):
    build_consultation()
    before = snapshot()
    response = post(
        client, f"{BASE}/close", {"confirm": "yes", "reason-fr": "Le Conseil se réunit plus tôt."}
    )
    assert response.status_code == 400
    assert "This field is required." in text(response)
    assert snapshot() == before


def test_close_then_record_outcome_then_publish(client, people, sent):
    build_consultation()
    page = flash_after(
        client,
        post(
            client, f"{BASE}/close", {"confirm": "yes", "reason-en": "The Council meets earlier."}
        ),
    )
    assert "The consultation is closed. Record its outcome next." in page
    response = post(
        client,
        f"{BASE}/outcome",
        {
            "outcome-en": "The membership has selected *Migration and Social Change*.",
            "outcome-fr": "Les membres ont retenu *Migration et changement social*.",
            "outcome-es": "Los miembros han elegido *Migración y cambio social*.",
            "rationale-en": "It received most first preferences.",
            "rationale-es": "Obtuvo la mayoría de las primeras preferencias.",
        },
    )
    assert "The outcome has been recorded." in flash_after(client, response)
    as_delegate(client, people)
    page = text(client.get("/consultations/idm-2010"))
    assert "Los miembros han elegido" not in page  # nothing before publication
    people.logout()
    sign_in_admin_again(people)
    page = flash_after(client, post(client, f"{BASE}/publish", {"notify": "y", "confirm": "yes"}))
    # The same browser kept the delegate's Spanish.
    assert "Se han publicado el resultado y los resultados detallados." in page
    assert consultation().status is Status.PUBLISHED
    assert sent[-1]["notify"] is True
    as_delegate(client, people)
    page = text(client.get("/consultations/idm-2010"))
    assert "Los miembros han elegido Migración y cambio social ." in page
    assert "Obtuvo la mayoría de las primeras preferencias." in page
    home = text(client.get("/"))
    assert "Resultado: Los miembros han elegido Migración y cambio social" in home


def sign_in_admin_again(auth):
    from tests.integration.builder_helpers import ADMIN

    auth.login(ADMIN)


def test_publishing_without_an_outcome_is_refused(client, people):
    build_consultation()
    post(client, f"{BASE}/close", {"confirm": "yes", "reason-en": "The Council meets earlier."})
    before = snapshot()
    page = flash_after(client, post(client, f"{BASE}/publish", {"notify": "y", "confirm": "yes"}))
    assert "Record the outcome (at least in English) before publishing." in page
    assert snapshot() == before


def test_outcome_needs_english_and_a_closed_consultation(client, people):
    build_consultation()
    before = snapshot()
    page = flash_after(client, post(client, f"{BASE}/outcome", {"outcome-en": "Too early"}))
    assert "The consultation must be closed first." in page
    post(client, f"{BASE}/close", {"confirm": "yes", "reason-en": "The Council meets earlier."})
    before = snapshot()
    response = post(client, f"{BASE}/outcome", {"outcome-fr": "Seulement en français"})
    assert response.status_code == 400
    assert "Outcome (English): This field is required." in text(response)
    assert snapshot() == before


def test_extend_the_deadline_with_a_reason_and_delegates_see_it(client, people, sent):
    c = build_consultation()
    new = (c.closes_at + timedelta(days=7)).astimezone(ZoneInfo("Europe/Zurich"))
    response = post(
        client,
        f"{BASE}/extend",
        {"closes_at": new.strftime("%Y-%m-%dT%H:%M"), "reason-en": "Asked by the regional groups"},
    )
    assert "The deadline has been extended." in flash_after(client, response)
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "deadline_extended")
    ).one()
    assert event.details["reason"] == "Asked by the regional groups"
    assert sent[-1]["reason"] == Text("Asked by the regional groups")
    assert sent[-1]["notify"] is False
    as_delegate(client, people)
    page = text(client.get("/consultations/idm-2010"))
    assert "Fecha límite prorrogada hasta el" in page
    assert "Fecha límite prorrogada hasta el" in text(client.get("/"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason-en": ""}, "Give the reason; it is recorded in the audit log."),
        ({"closes_at": "2001-01-01T10:00"}, "The new deadline must be later than the current one"),
        ({"closes_at": "2030-03-31T02:30"}, "This time does not exist in Europe/Zurich"),
        ({"reason-en": "x" * 1001}, "Keep it to 1000 characters."),
    ],
)
def test_bad_extensions_are_refused_and_nothing_saved(client, people, data, message):
    build_consultation()
    before = snapshot()
    form = {"closes_at": "2030-03-01T10:00", "reason-en": "More time", **data}
    response = post(client, f"{BASE}/extend", form)
    assert response.status_code == 400
    assert message in text(response)
    assert snapshot() == before


def test_reopen_a_closed_consultation(client, people, sent):
    build_consultation()
    post(client, f"{BASE}/close", {"confirm": "yes", "reason-en": "The Council meets earlier."})
    assert "Reopen the consultation" in text(client.get(BASE))
    response = post(
        client,
        f"{BASE}/reopen",
        {
            "closes_at": "2030-03-01T10:00",
            "reason-en": "Two missions could not connect",
            "notify": "y",
        },
    )
    page = flash_after(client, response)
    assert "The consultation is open again until the new deadline." in page
    assert consultation().phase().value == "open"
    assert sent[-1] == {
        "notify": True,
        "reason": Text("Two missions could not connect"),
        "actor_id": sent[-1]["actor_id"],
    }
    actions = list(db.session.scalars(sa.select(AuditEvent.action)))
    assert "consultation_reopened" in actions


def test_extending_a_closed_consultation_points_to_reopening(client, people):
    build_consultation()
    post(client, f"{BASE}/close", {"confirm": "yes", "reason-en": "The Council meets earlier."})
    response = client.get(f"{BASE}/extend")
    assert "The consultation is already closed; reopen it to set a new deadline." in flash_after(
        client, response
    )


def test_the_deadline_closes_the_consultation_without_anyone_pressing_a_button(client, people):
    build_consultation(closes_in_days=1)
    with clock.freeze(clock.now() + timedelta(days=2)):
        page = text(client.get(BASE))
        assert "Record the outcome" in page
        assert "Closed" in text(client.get("/"))


def test_delegates_see_when_a_scheduled_consultation_opens(client, people):
    c = build_consultation(status="draft")
    c.opens_at = clock.now() + timedelta(days=2)
    db.session.commit()
    post(client, f"{BASE}/open", {"when": "scheduled", "confirm": "yes"})
    as_delegate(client, people)
    page = text(client.get("/consultations/idm-2010"))
    assert "Esta consulta todavía no está abierta. Se abre el" in page
    assert "Enviar la respuesta" not in page
