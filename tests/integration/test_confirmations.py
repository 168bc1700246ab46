"""Confirm before what cannot be undone: every such action shows a page (GET, no JavaScript
needed) stating its consequences in the reader's language, and acts only on that page's POST.
Closing early asks for a reason, notifies the delegates and keeps the original deadline."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from consult.auth.models import User
from consult.consultations.lifecycle import Status
from consult.core.audit import AuditEvent
from consult.core.templating import moment
from consult.extensions import db
from consult.mail import outbox
from consult.mail.models import MailKind, OutboxMessage, Reminder
from consult.members.models import Member
from tests.factories import AdminFactory, MemberFactory, UserFactory, build_consultation
from tests.integration.builder_helpers import ADMIN, consultation, post, snapshot, text
from tests.smtp import text_of

BASE = "/admin/consultations/idm-2010"


@pytest.fixture
def admin(client, auth):
    """The Administration signed in; a Mexican delegate who reads Spanish."""
    mexico = MemberFactory(code="MEX", name="Mexico", translations={"es": {"name": "México"}})
    UserFactory(email="mex@example.org", name="Delegada", member=mexico, locale="es")
    AdminFactory(email=ADMIN)
    auth.login(ADMIN)
    return client


def mail_and_reminders() -> tuple[int, int, list[tuple]]:
    db.session.rollback()
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)),
        db.session.scalar(sa.select(sa.func.count()).select_from(Reminder)),
        [(m.code, m.active) for m in db.session.scalars(sa.select(Member).order_by(Member.id))]
        + [(u.email, u.active) for u in db.session.scalars(sa.select(User).order_by(User.id))],
    )


def actions(c) -> list[tuple[str, dict, str, list[str]]]:
    """(path, fields, title, a consequence) of every irreversible action on ``c``."""
    q = c.questions[0]
    member = db.session.scalars(sa.select(Member).where(Member.code == "MEX")).one()
    user = db.session.scalars(sa.select(User).where(User.email == "mex@example.org")).one()
    return [
        (
            f"{BASE}/close",
            {"reason-en": "The Council meets earlier."},
            "Close the consultation before its deadline?",
            f"The deadline of {moment(c.closes_at)} stays in the record",
        ),
        (
            f"{BASE}/reminders/all",
            {},
            "Remind every member that has not submitted?",
            "1 member is reminded now: 1 delegates receive an e-mail",
        ),
        (
            f"/admin/members/{member.id}/deactivate",
            {},
            "Deactivate Mexico?",
            "The delegates of Mexico can no longer sign in; their open sessions end at once.",
        ),
        (
            f"/admin/users/{user.id}/deactivate",
            {},
            "Deactivate the account of Delegada?",
            "Delegada can no longer sign in; their open sessions end at once",
        ),
        (
            f"{BASE}/questions/{q.id}/remove",
            {},
            "Remove question 1?",
            "The question and its 3 options are removed for good.",
        ),
        (
            f"{BASE}/options/{q.options[0].id}/remove",
            {},
            "Remove the option “South-South Migration”?",
            "The option is removed for good from the question, with its translations.",
        ),
    ]


def test_every_irreversible_action_asks_first_and_a_post_without_confirming_changes_nothing(
    admin,
):
    c = build_consultation(closes_in_days=7)
    for path, fields, title, consequence in actions(consultation()):
        before = snapshot(), mail_and_reminders()
        page = admin.get(path)
        assert page.status_code == 200, path
        shown = text(page)
        assert title in shown, path
        assert consequence in shown, path
        assert 'name="confirm" value="yes"' in page.get_data(as_text=True)
        # the page's form, or an old one, posted without the confirmation: the page again
        response = post(admin, path.removesuffix("/all"), fields)
        assert response.status_code == 200, path
        assert title in text(response)
        assert (snapshot(), mail_and_reminders()) == before, path
    assert consultation().status is Status.OPEN
    assert consultation().questions[0].id == c.questions[0].id


def test_open_and_publish_ask_first(admin):
    build_consultation(status="draft")
    page = text(admin.get(f"{BASE}/open"))
    assert "Open the consultation?" in page
    assert "1 invited member can answer from the opening" in page
    before = snapshot()
    assert post(admin, f"{BASE}/open", {"when": "now"}).status_code == 200
    assert snapshot() == before
    assert post(admin, f"{BASE}/open", {"when": "now", "confirm": "yes"}).status_code == 303
    post(admin, f"{BASE}/close", {"confirm": "yes", "reason-en": "Early."})
    post(admin, f"{BASE}/outcome", {"outcome-en": "Decided."})
    page = text(admin.get(f"{BASE}/publish"))
    assert "Publish the outcome and the results?" in page
    assert "the outcome can only be corrected by an erratum" in page
    before = snapshot()
    assert post(admin, f"{BASE}/publish", {"notify": "y"}).status_code == 200
    assert snapshot() == before
    assert consultation().status is Status.CLOSED


def test_an_action_that_is_not_possible_is_refused_before_any_confirmation(admin):
    build_consultation(status="draft")
    before = snapshot()
    for path, message in (
        ("close", "The consultation has not been opened yet."),
        ("publish", "The consultation must be closed first."),
    ):
        response = admin.get(f"{BASE}/{path}")
        assert response.status_code == 303
        assert message in text(admin.get(response.headers["Location"]))
    assert snapshot() == before


def test_the_consequences_are_in_the_readers_language(client, auth):
    AdminFactory(email="admin-fr@example.org", locale="fr")
    auth.login("admin-fr@example.org")
    build_consultation()
    page = text(client.get(f"{BASE}/close"))
    # text() reads the no-break space before "?" as a space, as it collapses every space.
    assert "Clore la consultation avant son échéance ?" in page
    assert "Les délégués ne peuvent plus soumettre ni réviser de réponse" in page
    assert "Annuler et revenir" in page


def test_closing_early_needs_a_reason(admin):
    build_consultation()
    before = snapshot(), mail_and_reminders()
    response = post(admin, f"{BASE}/close", {"confirm": "yes", "reason-en": "  ", "notify": "y"})
    assert response.status_code == 400
    assert "This field is required." in text(response)
    assert (snapshot(), mail_and_reminders()) == before


def test_closing_early_keeps_the_deadline_notifies_and_is_audited(admin, auth, mailbox):
    build_consultation(closes_in_days=7)
    deadline = consultation().closes_at
    page = admin.get(f"{BASE}/close").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*name="notify"', page)  # ticked by default
    response = post(
        admin,
        f"{BASE}/close",
        {"confirm": "yes", "reason-en": "The Council meets earlier.", "notify": "y"},
    )
    assert response.status_code == 303
    c = consultation()
    assert c.status is Status.CLOSED
    assert c.original_closes_at == deadline
    assert c.closes_at < deadline
    assert c.close_reason == "The Council meets earlier."
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "consultation_closed")
    ).one()
    assert event.details["reason"] == "The Council meets earlier."
    assert event.details["deadline_was"] == deadline.isoformat()
    kinds = db.session.scalars(sa.select(OutboxMessage.kind)).all()
    assert kinds == [MailKind.NOTICE_CLOSED]
    outbox.deliver()
    message = mailbox.wait(1)[0]
    assert message["Subject"] == "Cerrada antes de su plazo: Tema del DIM 2010"
    assert "Motivo indicado por la Administración: The Council meets earlier." in text_of(message)
    shown = f"Closed early on {moment(c.closes_at)}; the deadline was {moment(deadline)}."
    assert shown in text(admin.get(BASE))
    auth.logout()
    auth.login("mex@example.org")
    assert "Cerrada anticipadamente el" in text(admin.get("/consultations/idm-2010"))
    assert "The Council meets earlier." in text(admin.get("/consultations/idm-2010"))


def test_remind_all_sends_only_from_its_confirmation_page(admin):
    build_consultation()
    page = admin.get(f"{BASE}/reminders")
    assert f'href="{BASE}/reminders/all"' in page.get_data(as_text=True)
    response = post(admin, f"{BASE}/reminders", {"confirm": "yes"})
    assert response.status_code == 302
    assert mail_and_reminders()[1] == 1
