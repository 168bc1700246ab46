"""Notices to invited delegates when a consultation opens, is extended, or is published."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from consult.consultations import cycle, signals
from consult.consultations.models import Consultation, invitation
from consult.core.audit import AuditEvent
from consult.core.database import write_transaction
from consult.core.templating import moment
from consult.core.text import Text
from consult.extensions import db
from consult.mail import outbox
from consult.mail.models import OutboxMessage
from tests.factories import AdminFactory, MemberFactory, UserFactory, build_consultation
from tests.smtp import html_of, links, text_of


def send(signal, consultation, **kwargs):
    with write_transaction(db.session) as session:
        c = session.get(Consultation, consultation.id)
        signal.send(None, session=session, consultation=c, actor_id=None, **kwargs)
    outbox.deliver()


def test_opening_notice_in_english_and_french(app, mailbox):
    en = MemberFactory(code="GBR", name="United Kingdom")
    fr = MemberFactory(code="FRA", name="France", translations={"fr": {"name": "France"}})
    UserFactory(email="en@example.org", member=en, name="Emma")
    UserFactory(email="fr@example.org", member=fr, name="Fanny", locale="fr")
    consultation = build_consultation()
    send(signals.opened, consultation, notify=True)
    messages = mailbox.wait(2)
    english = mailbox.to("en@example.org")[0]
    assert english["Subject"] == "Consultation open: IDM 2010 theme"
    assert "Dear Emma," in text_of(english)
    assert "United Kingdom may answer until" in text_of(english)
    assert "Reference: IC/2009/1" in text_of(english)
    assert links(english) == ["https://consult.example.org/consultations/idm-2010"]
    french = mailbox.to("fr@example.org")[0]
    assert french["Subject"] == "Consultation ouverte\u00a0: Thème du DIM 2010"
    assert "Bonjour Fanny," in text_of(french)
    assert "France peut y répondre jusqu’au" in text_of(french)
    assert "Cote\u00a0: IC/2009/1" in html_of(french)
    assert len(messages) == 2


def test_administrator_can_untick_the_notice(app, mailbox):
    UserFactory(email="d@example.org")
    send(signals.opened, build_consultation(), notify=False)
    assert outbox.deliver().sent == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert mailbox.messages == []


def test_only_active_delegates_of_invited_active_members(app, mailbox):
    invited = MemberFactory()
    UserFactory(email="yes@example.org", member=invited)
    UserFactory(email="inactive@example.org", member=invited, active=False)
    retired = MemberFactory(active=False)
    UserFactory(email="retired@example.org", member=retired)
    consultation = build_consultation()  # invites the active members only
    uninvited = MemberFactory()
    UserFactory(email="uninvited@example.org", member=uninvited)
    db.session.execute(
        sa.delete(invitation).where(invitation.c.member_id == uninvited.id)
    )  # not invited
    db.session.commit()
    send(signals.opened, consultation, notify=True)
    assert [str(m["To"]) for m in mailbox.wait(1)] == ["yes@example.org"]


def test_deadline_extended_notice_gives_the_reason(app, mailbox):
    UserFactory(email="d@example.org", name="Dan")
    send(
        signals.deadline_extended,
        build_consultation(),
        notify=True,
        reason=Text("Several missions asked for more time."),
    )
    (message,) = mailbox.wait(1)
    assert message["Subject"] == "New deadline: IDM 2010 theme"
    assert "Reason given by the Administration: Several missions asked for more time." in (
        text_of(message)
    )


def test_closing_notice_gives_the_reason_in_each_delegates_language(app, mailbox):
    """The Administration writes the reason in English and French: the French delegate reads
    the French one, the Spanish delegate (no Spanish given) the English one."""
    admin = AdminFactory()
    UserFactory(email="fr@example.org", name="Dominique", locale="fr")
    UserFactory(email="es@example.org", name="Dolores", locale="es")
    consultation = build_consultation()
    reason = Text("The Council meets earlier.", "Le Conseil se réunit plus tôt.")
    cycle.close_consultation(consultation.id, actor_id=admin.id, reason=reason, notify=True)
    outbox.deliver()
    texts = {str(m["To"]): text_of(m) for m in mailbox.wait(2)}
    assert "Le Conseil se réunit plus tôt." in texts["fr@example.org"]
    assert "The Council meets earlier." not in texts["fr@example.org"]
    assert "The Council meets earlier." in texts["es@example.org"]


def test_published_notice_in_french(app, mailbox):
    UserFactory(email="d@example.org", name="Dominique", locale="fr")
    send(signals.published, build_consultation(), notify=True)
    (message,) = mailbox.wait(1)
    assert message["Subject"] == "Résultat publié\u00a0: Thème du DIM 2010"
    assert "L’Administration a publié le résultat de la consultation" in text_of(message)
    assert links(message) == ["https://consult.example.org/consultations/idm-2010/results"]


def test_notices_are_audited_with_their_count(app, mailbox):
    member = MemberFactory()
    UserFactory(member=member)
    UserFactory(member=member)
    send(signals.opened, build_consultation(), notify=True)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "notices_queued"))
    assert event.details == {"kind": "notice_opened", "recipients": 2}


def test_names_in_notices_are_escaped_in_html(app, mailbox):
    member = MemberFactory(name="<b>Bold</b> & Co")
    UserFactory(email="d@example.org", member=member, name="<script>x</script>")
    send(signals.opened, build_consultation(), notify=True)
    (message,) = mailbox.wait(1)
    html = html_of(message)
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;" in html
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in html
    assert "<b>Bold</b> & Co" in text_of(message)  # plain text is plain


def test_extending_through_the_lifecycle_service_notifies_with_the_new_deadline(app, mailbox):
    """The whole chain: the cycle service sends the signal, the notice rides its transaction."""
    admin = AdminFactory()
    UserFactory(email="d@example.org", name="Dan")
    consultation = build_consultation()
    later = consultation.closes_at + timedelta(days=3)
    cycle.extend_deadline(
        consultation.id, later, Text("More time for capitals."), actor_id=admin.id, notify=True
    )
    outbox.deliver()
    (message,) = mailbox.wait(1)
    text = text_of(message)
    assert "Reason given by the Administration: More time for capitals." in text
    with app.test_request_context():
        assert moment(later) in text
    cycle.extend_deadline(
        consultation.id, later + timedelta(days=1), Text("Silent."), actor_id=admin.id, notify=False
    )
    assert outbox.deliver().sent == 0
