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
from tests.conftest import session_csrf_token
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
        "/admin/mail/retry", data={"csrf_token": session_csrf_token(admin)}, follow_redirects=True
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
        data={"csrf_token": session_csrf_token(admin)},
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
    response = admin.post("/admin/mail/999/retry", data={"csrf_token": session_csrf_token(admin)})
    assert response.status_code == 404


def test_a_message_opens_with_its_delivery_and_text(admin, mailbox):
    _notices(1)
    mailbox.refuse = True
    outbox.deliver()
    message = db.session.scalar(sa.select(OutboxMessage))
    listing = admin.get("/admin/mail").get_data(as_text=True)
    assert f'href="/admin/mail/{message.id}"' in listing
    page = admin.get(f"/admin/mail/{message.id}").get_data(as_text=True)
    assert "d0@example.org" in page
    assert message.subject in page
    assert "Not sent after 1 attempt" in page
    assert "451" in page  # the server's refusal, as recorded
    assert message.body_text.splitlines()[0] in page


def test_a_message_with_a_single_use_link_keeps_its_text_hidden(admin):
    from consult.mail.models import MailKind
    from consult.mail.render import Message

    user = UserFactory(email="someone@example.org")
    with write_transaction(db.session) as session:
        outbox.enqueue(
            session,
            session.merge(user),
            MailKind.PASSWORD_RESET,
            Message(
                subject="Choose a new password",
                text="Open https://consult.example.org/reset/SECRET-TOKEN within two hours.",
                html="<p>SECRET-TOKEN</p>",
            ),
            secret=True,
        )
    message = db.session.scalar(sa.select(OutboxMessage))
    page = admin.get(f"/admin/mail/{message.id}").get_data(as_text=True)
    assert "Choose a new password" in page
    assert "SECRET-TOKEN" not in page
    assert "its text is not shown here" in page


def test_message_page_is_for_administrators_only(client, auth):
    _notices(1)
    message_id = db.session.scalar(sa.select(OutboxMessage.id))
    UserFactory(email="delegate@example.org")
    auth.login("delegate@example.org")
    assert client.get(f"/admin/mail/{message_id}").status_code == 403
    assert client.get("/admin/mail/99999").status_code in (403, 404)


def test_results_page_shows_the_badge_read_with_its_own_row(admin, mailbox):
    """The results page counts the messages not sent with its consultation's row: the badge
    is right, and no statement of the page reads the outbox alone."""
    _notices()
    path = "/admin/consultations/idm-2010/results"
    assert "not sent" not in admin.get(path).get_data(as_text=True)
    mailbox.refuse = True
    outbox.deliver()
    seen: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        page = admin.get(path).get_data(as_text=True)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
    assert "2 not sent" in page
    alone = [s for s in seen if s.startswith("SELECT count(*)") and "FROM mail_outbox" in s]
    assert alone == []
