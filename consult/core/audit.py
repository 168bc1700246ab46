"""Append-only audit trail whose rows are chained by digest, so tampering shows."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy.orm import Mapped, Session, mapped_column

from consult.core import clock
from consult.extensions import db

log = logging.getLogger("consult.audit")
GENESIS = "0" * 64


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    # The audit page filters by each of these and pages by id, newest first: with an index
    # per filter ending in the id, a page costs the same at a thousand events or a million.
    __table_args__ = (
        sa.Index("ix_audit_event_action_id", "action", "id"),
        sa.Index("ix_audit_event_actor_id_id", "actor_id", "id"),
        sa.Index("ix_audit_event_consultation_id_id", "consultation_id", "id"),
        sa.Index("ix_audit_event_member_id_id", "member_id", "id"),
        sa.Index("ix_audit_event_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=clock.now)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(sa.String(60))
    consultation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("consultation.id"))
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"))
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    request_id: Mapped[str | None] = mapped_column(sa.String(40))
    prev_digest: Mapped[str] = mapped_column(sa.String(64))
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)


def _digest(prev: str, fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{prev}\n{canonical}".encode()).hexdigest()


def _fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "actor": event.actor_id,
        "action": event.action,
        "consultation": event.consultation_id,
        "member": event.member_id,
        "details": event.details,
        "request": event.request_id,
    }


def record(
    session: Session,
    action: str,
    *,
    actor_id: int | None = None,
    consultation_id: int | None = None,
    member_id: int | None = None,
    **details: Any,
) -> AuditEvent:
    """Append an event inside the caller's transaction (it commits or rolls back with it)."""
    if session.get_bind().dialect.name == "postgresql":
        # Serialise writers of the chain; SQLite already serialises with BEGIN IMMEDIATE.
        session.execute(sa.text("SELECT pg_advisory_xact_lock(727001)"))
    prev = (
        session.scalar(sa.select(AuditEvent.digest).order_by(AuditEvent.id.desc()).limit(1))
        or GENESIS
    )
    event = AuditEvent(
        at=clock.now(),
        actor_id=actor_id,
        action=action,
        consultation_id=consultation_id,
        member_id=member_id,
        details=details,
        request_id=g.get("request_id") if has_request_context() else None,
        prev_digest=prev,
    )
    event.digest = _digest(prev, _fields(event))
    session.add(event)
    session.flush()
    log.debug("audit %s actor=%s member=%s", action, actor_id, member_id)
    return event


def verify(session: Session) -> list[int]:
    """Ids of audit rows whose digest or chain link does not match (empty when intact)."""
    broken: list[int] = []
    prev = GENESIS
    for event in session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)):
        if event.prev_digest != prev or event.digest != _digest(prev, _fields(event)):
            broken.append(event.id)
        prev = event.digest
    return broken
