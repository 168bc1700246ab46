"""The outbox page: failed messages are shown to administrators and can be sent again."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consult.consultations import signals
from consult.consultations.models import Consultation
from consult.core.database import write_transaction
from consult.extensions import db
from consult.mail import outbox
from consult.mail.models import OutboxMessage
from tests.conftest import csrf_token
from tests.factories import AdminFactory, MemberFactory, UserFactory, build_consultation


@pytest.fixture
def admin(client, auth):
    AdminFactory(email="admin@example.org")
    auth.login("admin@example.org")
    return client


def _notices(count=2):
    member = MemberFactory()
    for i in range(count):
        UserFactory(email=f"d{i}@example.org", member=member)
    consultation = build_consultation()
    with write_transaction(db.session) as session:
        c = session.get(Consultation, consultation.id)
        signals.opened.send(None, session=session, consultation=c, notify=True)


def test_failed_messages_are_reported_and_retried(admin, mailbox):
    _notices()
    mailbox.refuse = True
    outbox.deliver()
    page = admin.get("/admin/mail").get_data(as_text=True)
    assert "2 messages could not be sent yet." in page
    assert "451" in page
    assert "2 not sent" in page  # the badge in the administration menu
    mailbox.refuse = False
    response = admin.post(
        "/admin/mail/retry", data={"csrf_token": csrf_token(admin, "/")}, follow_redirects=True
    )
    assert "2 messages sent." in response.get_data(as_text=True)
    assert len(mailbox.wait(2)) == 2
    assert "could not be sent yet" not in admin.get("/admin/mail").get_data(as_text=True)


def test_one_message_can_be_sent_now(admin, mailbox):
    _notices(1)
    mailbox.refuse = True
    outbox.deliver()
    mailbox.refuse = False
    message_id = db.session.scalar(sa.select(OutboxMessage.id))
    response = admin.post(
        f"/admin/mail/{message_id}/retry",
        data={"csrf_token": csrf_token(admin, "/")},
        follow_redirects=True,
    )
    assert "1 message sent." in response.get_data(as_text=True)
    assert len(mailbox.wait(1)) == 1
    sent = admin.get("/admin/mail?show=sent").get_data(as_text=True)
    assert "d0@example.org" in sent


def test_filters_and_paging(admin, mailbox):
    _notices(3)
    outbox.deliver()
    assert "d2@example.org" in admin.get("/admin/mail?show=sent").get_data(as_text=True)
    assert "d2@example.org" not in admin.get("/admin/mail?show=failed").get_data(as_text=True)
    assert admin.get("/admin/mail?show=bogus&before=x").status_code == 200


def test_unknown_message_gives_404(admin):
    response = admin.post("/admin/mail/999/retry", data={"csrf_token": csrf_token(admin, "/")})
    assert response.status_code == 404
