"""Reminders to the delegates of invited members that have not submitted.

A member counts as not submitted while it has no response or only a draft. A member may be
reminded again only once ``REMINDER_INTERVAL`` has passed since its last reminder for the same
consultation; "remind all" skips those reminded too recently and those without an active
delegate, and says so.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
from flask import current_app

from consult.auth.delegates import delegates_of
from consult.auth.models import User
from consult.ballots.models import Response, ResponseStatus
from consult.consultations import builder
from consult.consultations.lifecycle import Phase, Status
from consult.consultations.models import Consultation
from consult.core import audit, clock
from consult.core.actions import Action
from consult.core.database import DbSession, write_transaction
from consult.core.paging import Page, page_of
from consult.extensions import db
from consult.mail.links import external_url
from consult.mail.models import MailKind, Reminder
from consult.mail.outbox import enqueue_all, outbox_values
from consult.mail.render import Message, render_message
from consult.members.models import Member
from consult.results import loaders


class NotOpen(ValueError):
    """Reminders go out only while the consultation accepts answers."""


class TooSoon(ValueError):
    """The member was reminded less than the interval ago."""

    def __init__(self, member: Member, last: datetime, allowed_at: datetime) -> None:
        super().__init__(member.code)
        self.member = member
        self.last = last
        self.allowed_at = allowed_at


@dataclass(frozen=True)
class Pending:
    """An invited member that has not submitted, with what a reminder needs."""

    member: Member
    response: Response | None  # None, or a draft
    delegates: list[User]
    last_reminded: datetime | None
    allowed_at: datetime | None  # when a new reminder is allowed, if not now

    @property
    def has_draft(self) -> bool:
        return self.response is not None


@dataclass
class Participation:
    """How many invited members submitted, and those that have not (all, or one page of them)."""

    invited: int = 0
    submitted: int = 0
    pending: list[Pending] = field(default_factory=list)
    page: Page[Pending] | None = None

    @property
    def waiting(self) -> int:
        return self.invited - self.submitted


@dataclass
class Outcome:
    members: list[Member] = field(default_factory=list)
    recipients: int = 0
    too_soon: list[Member] = field(default_factory=list)
    no_delegate: list[Member] = field(default_factory=list)


def open_consultations() -> list[Consultation]:
    """The consultations open now, the nearest deadline first: those reminders are for."""
    return [
        c
        for c in db.session.scalars(
            sa.select(Consultation)
            .where(Consultation.status == Status.OPEN)
            .order_by(Consultation.closes_at)
        )
        if c.phase() is Phase.OPEN
    ]


def consultation(slug: str) -> Consultation | None:
    """The consultation whose reminders a page shows."""
    return db.session.scalar(sa.select(Consultation).where(Consultation.slug == slug))


def participation(
    session: DbSession,
    consultation: Consultation,
    now: datetime | None = None,
    *,
    page: int | None = None,
    member_ids: Collection[int] | None = None,
) -> Participation:
    """Who has not submitted, their delegates and when each was last reminded: every such
    member, those of ``member_ids``, or the page ``page`` of them (by code). The statements
    do not grow with the members; a page reads only its own members' delegates."""
    now = now or clock.now()
    interval = current_app.config["REMINDER_INTERVAL"]
    invited = loaders.invited_with_response(consultation.id, Member, Response).where(Member.active)
    submitted = Response.status == ResponseStatus.SUBMITTED
    total, done = session.execute(
        invited.with_only_columns(sa.func.count(), sa.func.count().filter(submitted)).order_by(None)
    ).one()
    waiting = invited.where(sa.or_(Response.id.is_(None), ~submitted)).order_by(
        Member.code, Member.id
    )
    if member_ids is not None:
        waiting = waiting.where(Member.id.in_(list(member_ids)))
    if page is None:
        rows = [tuple(row) for row in session.execute(waiting)]
        shown = None
    else:
        shown = page_of(session, waiting, page)
        rows = list(shown.items)
    ids = [member.id for member, _ in rows]
    latest = sa.select(Reminder.member_id, sa.func.max(Reminder.sent_at)).where(
        Reminder.consultation_id == consultation.id
    )
    if page is not None or member_ids is not None:
        # Only these members' (for all of them, no list of thousands of ids in the statement).
        latest = latest.where(Reminder.member_id.in_(ids))
    last = dict(session.execute(latest.group_by(Reminder.member_id)).all())
    delegates = delegates_of(session, ids)
    result = Participation(invited=total, submitted=done)
    for member, response in rows:
        reminded = last.get(member.id)
        allowed_at = reminded + interval if reminded is not None else None
        result.pending.append(
            Pending(
                member=member,
                response=response,
                delegates=delegates.get(member.id, []),
                last_reminded=reminded,
                allowed_at=allowed_at if allowed_at is not None and allowed_at > now else None,
            )
        )
    if shown is not None:
        result.page = Page(result.pending, shown.number, shown.size, shown.total)
    return result


class Addressee(Protocol):
    """Whom a reminder is written to: a delegate, or the preview's stand-in."""

    @property
    def name(self) -> str: ...

    @property
    def locale(self) -> str | None: ...


def message_for(
    consultation: Consultation, user: Addressee, member: Member, draft: bool
) -> Message:
    """The reminder ``user`` receives, in their language."""
    return render_message(
        MailKind.REMINDER.value,
        user.locale,
        user=user,
        member=member,
        consultation=consultation,
        draft=draft,
        link=external_url("ballots.answer", slug=consultation.slug),
    )


def send(actor_id: int, consultation_id: int, member_ids: Iterable[int] | None = None) -> Outcome:
    """Remind the delegates of the given members (all not-submitted members when None).

    Raises :class:`NotOpen` outside the open phase, and :class:`TooSoon` when a single member
    asked for was reminded too recently. Each reminder is recorded and audited, and its messages
    are written to the outbox, in one transaction.
    """
    chosen = None if member_ids is None else set(member_ids)
    with write_transaction(db.session) as session:
        consultation = builder.hold(session, consultation_id)
        if consultation is None:
            raise LookupError(consultation_id)
        now = clock.now()
        if consultation.phase(now) is not Phase.OPEN:
            raise NotOpen(consultation.slug)
        pending = participation(session, consultation, now, member_ids=chosen).pending
        if chosen is not None:
            allowed_at = pending[0].allowed_at if len(pending) == 1 else None
            if len(chosen) == 1 and allowed_at is not None:
                raise TooSoon(pending[0].member, pending[0].last_reminded or now, allowed_at)
        outcome = Outcome()
        messages: list[dict[str, Any]] = []
        reminders: list[dict[str, Any]] = []
        for p in pending:
            if p.allowed_at is not None:
                outcome.too_soon.append(p.member)
                continue
            if not p.delegates:
                outcome.no_delegate.append(p.member)
                continue
            messages += [
                outbox_values(
                    user,
                    MailKind.REMINDER,
                    message_for(consultation, user, p.member, p.has_draft),
                    consultation_id=consultation.id,
                    member_id=p.member.id,
                )
                for user in p.delegates
            ]
            reminders.append(
                {
                    "consultation_id": consultation.id,
                    "member_id": p.member.id,
                    "sent_at": now,
                    "sent_by_id": actor_id,
                    "recipients": len(p.delegates),
                }
            )
            outcome.members.append(p.member)
            outcome.recipients += len(p.delegates)
        # Batched writes: the statements do not grow with the number of members.
        enqueue_all(session, messages)
        if reminders:
            session.execute(sa.insert(Reminder), reminders)
        if outcome.members:
            audit.record(
                session,
                Action.REMINDERS_SENT,
                actor_id=actor_id,
                consultation_id=consultation.id,
                member_id=outcome.members[0].id if len(outcome.members) == 1 else None,
                members=[m.code for m in outcome.members],
                recipients=outcome.recipients,
            )
    return outcome
