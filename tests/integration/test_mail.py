"""The outbox: messages written with the action, delivered over real SMTP, kept when it fails."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from consult.consultations import signals
from consult.core.database import write_transaction
from consult.extensions import db
from consult.mail import outbox
from consult.mail.models import OutboxMessage
from tests.factories import MemberFactory, UserFactory, build_consultation
from tests.smtp import html_of, links, text_of


def _open_notice(consultation, notify=True):
    with write_transaction(db.session) as session:
        c = session.get(type(consultation), consultation.id)
        signals.opened.send(None, session=session, consultation=c, actor_id=None, notify=notify)


def _rows():
    db.session.expire_all()
    return db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_message_is_multipart_plain_and_html_from_configured_sender(app, mailbox):
    UserFactory(email="d@example.org", name="Ana Delegate")
    consultation = build_consultation()
    _open_notice(consultation)
    assert outbox.deliver().sent == 1
    (message,) = mailbox.wait(1)
    assert message.get_content_type() == "multipart/alternative"
    assert message["To"] == "d@example.org"
    assert message["From"].addresses[0].addr_spec == "no-reply@localhost"
    assert "Dear Ana Delegate," in text_of(message)
    assert "Dear Ana Delegate," in html_of(message)
    assert links(message) == ["https://consult.example.org/consultations/idm-2010"]
    assert _rows()[0].sent_at is not None


def test_failed_send_stays_in_outbox_with_error_and_is_retried(app, mailbox):
    UserFactory(email="d@example.org")
    _open_notice(build_consultation())
    mailbox.refuse = True
    outcome = outbox.deliver()
    assert (outcome.sent, outcome.failed) == (0, 1)
    (row,) = _rows()
    assert row.sent_at is None
    assert row.attempts == 1
    assert "451" in row.last_error
    assert row.next_attempt_at > row.last_attempt_at  # not hammered: the next try waits
    assert outbox.deliver().sent == 0  # not due yet
    mailbox.refuse = False
    assert outbox.deliver([row.id], force=True).sent == 1
    (row,) = _rows()
    assert (row.sent_at is not None, row.attempts, row.last_error) == (True, 2, None)
    assert len(mailbox.wait(1)) == 1


def test_unreachable_server_loses_nothing(app, mailbox):
    from tests.smtp import free_port

    UserFactory(email="d@example.org")
    _open_notice(build_consultation())
    app.config["MAIL_PORT"] = free_port()  # nobody listens there
    outcome = outbox.deliver()
    assert outcome.failed == 1
    assert "Connection" in outcome.errors[0] or "refused" in outcome.errors[0].lower()
    assert _rows()[0].sent_at is None


def test_a_message_is_delivered_once_even_when_passes_overlap(app, mailbox):
    UserFactory(email="d@example.org")
    _open_notice(build_consultation())
    assert outbox.deliver().sent == 1
    assert outbox.deliver().sent == 0
    assert outbox.deliver(force=True).sent == 0
    assert len(mailbox.wait(1)) == 1


def test_rolled_back_action_leaves_no_message(app, mailbox):
    UserFactory(email="d@example.org")
    consultation = build_consultation()
    try:
        with write_transaction(db.session) as session:
            c = session.get(type(consultation), consultation.id)
            signals.opened.send(None, session=session, consultation=c, notify=True)
            raise RuntimeError("the action failed after the notice was queued")
    except RuntimeError:
        pass
    assert _rows() == []
    assert outbox.deliver().sent == 0


def test_without_mail_server_messages_are_printed_to_the_console(app, caplog):
    assert app.config["MAIL_SERVER"] is None
    UserFactory(email="d@example.org", name="Console Reader")
    _open_notice(build_consultation())
    with caplog.at_level(logging.INFO, logger="consult.mail"):
        assert outbox.deliver().sent == 1
    assert "To: d@example.org" in caplog.text
    assert "Dear Console Reader," in caplog.text


def test_production_without_mail_server_keeps_messages_waiting(app):
    UserFactory(email="d@example.org")
    _open_notice(build_consultation())
    app.config["MAIL_CONSOLE_ALLOWED"] = False
    try:
        outcome = outbox.deliver()
    finally:
        app.config["MAIL_CONSOLE_ALLOWED"] = True
    assert outcome.failed == 1
    assert "MAIL_SERVER is not configured" in _rows()[0].last_error


def test_cli_mail_send_delivers_and_reports(app, mailbox, runner):
    member = MemberFactory()
    UserFactory(email="a@example.org", member=member)
    UserFactory(email="b@example.org", member=member)
    _open_notice(build_consultation())
    mailbox.refuse = True
    outbox.deliver()
    result = runner.invoke(args=["mail", "send"])
    assert "0 sent" in result.output  # failed ones wait for their retry time
    mailbox.refuse = False
    result = runner.invoke(args=["mail", "send", "--retry-failed"])
    assert result.exit_code == 0, result.output
    assert "2 sent, 0 not sent" in result.output
    assert sorted(str(m["To"]) for m in mailbox.wait(2)) == ["a@example.org", "b@example.org"]
