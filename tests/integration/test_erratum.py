"""A correction after publication: only by an erratum (reason, new text in three languages), the
earlier text kept and shown as corrected, delegates told in their language, audited; the
published figures never change."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from consult.consultations import cycle
from consult.consultations.builder import Invalid
from consult.consultations.lifecycle import Refusal, Refused, Status
from consult.consultations.models import Erratum
from consult.core.audit import AuditEvent
from consult.core.text import Text
from consult.extensions import db
from consult.mail import outbox
from consult.mail.models import MailKind, OutboxMessage
from tests.factories import MemberFactory, UserFactory, build_consultation, official_winners
from tests.integration.builder_helpers import consultation, post, sign_in_admin, snapshot, text
from tests.integration.results_helpers import cast
from tests.smtp import text_of

BASE = "/admin/consultations/idm-2010"
FIRST = "The membership has selected *South-South Migration*."
CORRECTED = "The membership has selected *Migration and Social Change*."


def figures(client) -> str:
    """The published results as the delegates read them, outcome section left out."""
    page = client.get("/consultations/idm-2010/results").get_data(as_text=True)
    page = re.sub(r"<input[^>]*>", "", page)  # the session's form tokens
    return re.sub(r'<section aria-labelledby="outcome".*?</section>', "", page, flags=re.S)


@pytest.fixture
def published(client, auth):
    """Two member states answered; the outcome was published with a slip in the option named.
    A Spanish-speaking delegate of Mexico."""
    mexico = MemberFactory(code="MEX", name="Mexico", translations={"es": {"name": "México"}})
    other = MemberFactory(code="PER")
    UserFactory(email="mex@example.org", name="Delegada", member=mexico, locale="es")
    c = build_consultation()
    cast(c, mexico, ranking=[2, 1])
    cast(c, other, ranking=[2])
    sign_in_admin(auth)
    post(client, f"{BASE}/close", {"confirm": "yes", "reason-en": "The Council meets earlier."})
    post(
        client,
        f"{BASE}/outcome",
        {
            "outcome-en": FIRST,
            "outcome-es": "Los miembros han elegido *Migración Sur-Sur*.",
            "selected": [str(i) for i in official_winners(c.id)],
        },
    )
    post(client, f"{BASE}/publish", {"confirm": "yes"})
    assert consultation().status is Status.PUBLISHED
    return c


def erratum_form(**fields) -> dict:
    return {
        "outcome-en": CORRECTED,
        "outcome-es": "Los miembros han elegido *Migración y cambio social*.",
        "reason-en": "The option was misnamed.",
        "reason-es": "La opción estaba mal nombrada.",
        "notify": "y",
        **fields,
    }


def test_an_erratum_keeps_the_earlier_text_tells_the_delegates_and_is_audited(
    client, auth, published, mailbox
):
    auth.logout()
    auth.login("mex@example.org")
    figures_before = figures(client)
    assert "<table" in figures_before
    auth.logout()
    sign_in_admin_again(auth)

    page = client.get(f"{BASE}/erratum").get_data(as_text=True)
    assert FIRST in page  # the form starts from the published text
    response = post(client, f"{BASE}/erratum", erratum_form())
    assert response.status_code == 303

    c = consultation()
    assert c.outcome == CORRECTED
    erratum = db.session.scalars(sa.select(Erratum)).one()
    assert erratum.number == 1
    assert erratum.before["en"] == FIRST
    assert erratum.after["es"] == "Los miembros han elegido *Migración y cambio social*."
    assert erratum.reason == {
        "en": "The option was misnamed.",
        "es": "La opción estaba mal nombrada.",
    }
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "outcome_corrected")
    ).one()
    assert event.details["before"] == FIRST
    assert event.details["reason"] == "The option was misnamed."
    # one notice per delegate of the invited members (Mexico has two, Peru one)
    kinds = db.session.scalars(sa.select(OutboxMessage.kind)).all()
    assert kinds.count(MailKind.NOTICE_CORRECTED) == 3
    outbox.deliver()
    mailbox.wait(3)
    message = next(m for m in mailbox.to("mex@example.org") if "corregida" in m["Subject"])
    assert message["Subject"] == "Decisión corregida: Tema del DIM 2010"
    assert "Motivo indicado por la Administración: La opción estaba mal nombrada." in text_of(
        message
    )

    # The same browser kept the delegate's Spanish: the reason in Spanish beside the date.
    page = text(client.get(BASE))
    assert re.search(r"Corregido el [^.]+\. Motivo: La opción estaba mal nombrada\.", page)
    auth.logout()
    auth.login("mex@example.org")
    page = text(client.get("/consultations/idm-2010"))
    assert "Los miembros han elegido Migración y cambio social ." in page
    assert "Texto anterior: Los miembros han elegido Migración Sur-Sur ." in page
    assert "Corregido el" in page
    # the figures are what was published
    assert figures(client) == figures_before


def sign_in_admin_again(auth):
    from tests.integration.builder_helpers import ADMIN

    auth.login(ADMIN)


def test_an_erratum_needs_a_reason_and_a_changed_text(client, published):
    before = snapshot()
    response = post(client, f"{BASE}/erratum", erratum_form(**{"reason-en": "", "reason-es": ""}))
    assert response.status_code == 400
    assert "This field is required." in text(response)
    response = post(
        client,
        f"{BASE}/erratum",
        erratum_form(
            **{"outcome-en": FIRST, "outcome-es": "Los miembros han elegido *Migración Sur-Sur*."}
        ),
    )
    assert response.status_code == 400
    assert "The corrected text is the same as the published one: change it." in text(response)
    response = post(client, f"{BASE}/erratum", erratum_form(**{"outcome-en": ""}))
    assert response.status_code == 400
    assert snapshot() == before


def test_no_erratum_before_publication(client, auth):
    build_consultation()
    sign_in_admin(auth)
    before = snapshot()
    response = post(client, f"{BASE}/erratum", erratum_form())
    assert response.status_code == 303
    assert "An erratum corrects a published outcome" in text(
        client.get(response.headers["Location"])
    )
    assert client.get(f"{BASE}/erratum").status_code == 303
    assert snapshot() == before
    admin_id = db.session.scalar(sa.select(AuditEvent.actor_id).where(AuditEvent.actor_id > 0))
    with pytest.raises(Refused) as refused:
        cycle.correct_outcome(
            consultation().id,
            Text("New."),
            Text("Why."),
            actor_id=admin_id or 1,
            notify=False,
        )
    assert refused.value.code is Refusal.NOT_PUBLISHED
    assert snapshot() == before


def test_the_service_refuses_an_erratum_without_a_reason(client, published):
    before = snapshot()
    with pytest.raises(Invalid):
        cycle.correct_outcome(consultation().id, Text(CORRECTED), Text(), actor_id=1, notify=True)
    assert snapshot() == before


def test_delegates_cannot_correct(client, auth, published):
    auth.logout()
    auth.login("mex@example.org")
    assert client.get(f"{BASE}/erratum").status_code in (403, 404)


def test_the_outcome_summary_gives_documents_the_selection_reason_and_corrections(
    client, published
):
    from consult.consultations.outcomes import summary

    post(client, f"{BASE}/erratum", erratum_form(**{"reason-fr": "L’option était mal nommée."}))
    found = summary(consultation(), "fr")
    assert found.text == CORRECTED  # no French text: the English one
    assert not found.departs
    first = found.selected[0]
    assert (first.number, first.options, first.official) == (
        1,
        ["Migration et changement social"],
        ["Migration et changement social"],
    )
    assert [(c.number, c.reason, c.before) for c in found.corrections] == [
        (1, "L’option était mal nommée.", FIRST)
    ]
