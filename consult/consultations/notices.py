"""Notices to invited delegates when a consultation opens, its deadline moves, it closes early,
its outcome is published or corrected: written to the outbox in the transaction that made the
change."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from consult.auth.models import Role, User
from consult.consultations import signals
from consult.consultations.models import Consultation, invitation
from consult.core import audit
from consult.core.actions import Action
from consult.core.database import DbSession
from consult.core.text import Text
from consult.mail.links import external_url
from consult.mail.models import MailKind
from consult.mail.outbox import enqueue_all, outbox_values
from consult.mail.render import render_message
from consult.members.models import Member


def delegates_of_invited(session: DbSession, consultation_id: int) -> list[User]:
    """Active delegates of every active member invited to the consultation (one query)."""
    return list(
        session.scalars(
            sa.select(User)
            .join(Member, Member.id == User.member_id)
            .join(invitation, invitation.c.member_id == Member.id)
            .where(
                invitation.c.consultation_id == consultation_id,
                User.role == Role.DELEGATE,
                User.active,
                Member.active,
            )
            .order_by(Member.code, User.email)
        )
    )


def queue_notices(
    session: DbSession,
    consultation: Consultation,
    kind: MailKind,
    *,
    actor_id: int | None = None,
    reason: Text | None = None,
) -> int:
    """Queue one notice per recipient, in their language (the reason too, where the
    Administration gave it in that language); the number queued."""
    reason = reason or Text()
    recipients = delegates_of_invited(session, consultation.id)
    published = kind in (MailKind.NOTICE_PUBLISHED, MailKind.NOTICE_CORRECTED)
    endpoint = "results.published" if published else "ballots.answer"
    link = external_url(endpoint, slug=consultation.slug)
    rows = [
        outbox_values(
            user,
            kind,
            render_message(
                kind.value,
                user.locale,
                user=user,
                member=user.member,
                consultation=consultation,
                link=link,
                reason=reason.get(user.locale or "en"),
            ),
            consultation_id=consultation.id,
            member_id=user.member_id,
        )
        for user in recipients
    ]
    enqueue_all(session, rows)
    audit.record(
        session,
        Action.NOTICES_QUEUED,
        actor_id=actor_id,
        consultation_id=consultation.id,
        kind=kind.value,
        recipients=len(recipients),
    )
    return len(recipients)


def _receiver(kind: MailKind):
    def receive(
        _sender: Any,
        *,
        session: DbSession,
        consultation: Consultation,
        actor_id: int | None = None,
        notify: bool = True,
        reason: Text | None = None,
        **_extra: Any,
    ) -> None:
        if notify:
            queue_notices(session, consultation, kind, actor_id=actor_id, reason=reason)

    receive.__name__ = f"notify_{kind.value}"
    return receive


_RECEIVERS = {
    signals.opened: _receiver(MailKind.NOTICE_OPENED),
    signals.deadline_extended: _receiver(MailKind.NOTICE_EXTENDED),
    signals.published: _receiver(MailKind.NOTICE_PUBLISHED),
    signals.closed: _receiver(MailKind.NOTICE_CLOSED),
    signals.corrected: _receiver(MailKind.NOTICE_CORRECTED),
}


def connect() -> None:
    """Connect the receivers to the consultation signals (connecting twice changes nothing)."""
    for signal, receiver in _RECEIVERS.items():
        signal.connect(receiver, weak=False)
