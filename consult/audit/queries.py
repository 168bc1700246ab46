"""What the audit pages read: a page of events, newest first (keyset on the id, so that a
page costs the same however long the log), and what their filters offer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from consult.auth.models import User
from consult.consultations.models import Consultation
from consult.core.audit import AuditEvent
from consult.core.security_log import SecurityEvent, SecurityKind
from consult.extensions import db
from consult.members.models import Member

PAGE_SIZE = 50


@dataclass(frozen=True)
class Events:
    """One page of events, newest first; ``more`` when older ones follow."""

    rows: Sequence[Any]
    more: bool

    @property
    def oldest_id(self) -> int | None:
        return self.rows[-1][0].id if self.more and self.rows else None


def local_midnight(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone))


def _page(
    query: sa.Select[*tuple[Any, ...]], model: Any, filters: dict[str, Any], zone: str
) -> Events:
    """The days ``since``/``until`` (in the organisation's time zone) and the keyset ``before``
    applied to ``query`` of ``model`` events, then one page of it."""
    if filters["since"]:
        query = query.where(model.at >= local_midnight(filters["since"], zone))
    if filters["until"]:
        query = query.where(model.at < local_midnight(filters["until"] + timedelta(days=1), zone))
    if filters["before"] is not None:
        query = query.where(model.id < filters["before"])
    rows = db.session.execute(query.order_by(model.id.desc()).limit(PAGE_SIZE + 1)).all()
    return Events(rows[:PAGE_SIZE], len(rows) > PAGE_SIZE)


def audit_events(filters: dict[str, Any], zone: str) -> Events:
    """Audit events with who did them and what they concern, filtered by action,
    consultation, member, actor and days."""
    actor = sa.orm.aliased(User)
    query = (
        sa.select(
            AuditEvent,
            actor.name,
            actor.email,
            Consultation.slug,
            Consultation.title,
            Member.code,
            Member.name,
        )
        .outerjoin(actor, actor.id == AuditEvent.actor_id)
        .outerjoin(Consultation, Consultation.id == AuditEvent.consultation_id)
        .outerjoin(Member, Member.id == AuditEvent.member_id)
    )
    if filters["action"]:
        query = query.where(AuditEvent.action == filters["action"])
    for name, column in (
        ("consultation", AuditEvent.consultation_id),
        ("member", AuditEvent.member_id),
        ("actor", AuditEvent.actor_id),
    ):
        if filters[name] is not None:
            query = query.where(column == filters[name])
    return _page(query, AuditEvent, filters, zone)


def security_events(filters: dict[str, Any], zone: str) -> Events:
    """Security events with the account and member they concern, filtered by kind, account
    and days."""
    query = (
        sa.select(SecurityEvent, User.name, User.email, Member.code, Member.name)
        .outerjoin(User, User.id == SecurityEvent.user_id)
        .outerjoin(Member, Member.id == SecurityEvent.member_id)
    )
    if filters["kind"]:
        query = query.where(SecurityEvent.kind == SecurityKind(filters["kind"]))
    if filters["user"] is not None:
        query = query.where(SecurityEvent.user_id == filters["user"])
    return _page(query, SecurityEvent, filters, zone)


def actions_present() -> list[str]:
    """The actions in the log, by skipping through the (action, id) index from one action to
    the next (a recursive query): as many index look-ups as actions, never a scan."""
    found = sa.select(sa.func.min(AuditEvent.action).label("action")).cte("found", recursive=True)
    found = found.union_all(
        sa.select(
            sa.select(sa.func.min(AuditEvent.action))
            .where(AuditEvent.action > found.c.action)
            .scalar_subquery()
        ).where(found.c.action.is_not(None))
    )
    return list(db.session.scalars(sa.select(found.c.action).where(found.c.action.is_not(None))))


def audit_choices() -> dict[str, Sequence[Any]]:
    """What the audit page's filters offer: consultations, members, and the people who did
    something."""
    return {
        "consultations": db.session.execute(
            sa.select(Consultation.id, Consultation.slug).order_by(Consultation.slug)
        ).all(),
        "members": db.session.execute(
            sa.select(Member.id, Member.code, Member.name).order_by(Member.code)
        ).all(),
        "actors": _people(AuditEvent.actor_id),
    }


def security_people() -> Sequence[Any]:
    """The accounts that security events concern, for the security page's filter."""
    return _people(SecurityEvent.user_id)


def _people(column: Any) -> Sequence[Any]:
    return db.session.execute(
        sa.select(User.id, User.name, User.email)
        .where(sa.select(column).where(column == User.id).exists())
        .order_by(User.name)
    ).all()
