"""Append-only audit trail whose rows are chained by digest, so tampering shows.

Events are numbered 1, 2, … (``seq``) along the chain. The head of the trail — the newest
event's number and digest — is signed into every receipt and written into a checkpoint with
every outcome, publication and export (``core/anchors.py``), so that a trail cut short or
rewritten after them no longer matches what they recorded.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy.orm import Mapped, mapped_column

from consult.core import clock, keys
from consult.core.actions import Action
from consult.core.anchors import Head, Statement, sign
from consult.core.database import DbSession, write_transaction
from consult.extensions import Model, db

log = logging.getLogger("consult.audit")
GENESIS = "0" * 64
#: PostgreSQL's advisory lock that serialises writers of the chain (for the transaction).
CHAIN_LOCK = 727001


class AuditEvent(Model):
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
    #: Position in the chain (1, 2, …): the number a recorded head names.
    seq: Mapped[int] = mapped_column(unique=True)
    at: Mapped[datetime] = mapped_column(default=clock.now)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(sa.String(60))
    consultation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("consultation.id"))
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"))
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    request_id: Mapped[str | None] = mapped_column(sa.String(40))
    prev_digest: Mapped[str] = mapped_column(sa.String(64))
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)

    @property
    def head(self) -> Head:
        """The head of the trail when this event was the newest."""
        return Head(self.seq, self.digest)


class AuditCheckpoint(Model):
    """A head of the trail recorded with an outcome, a publication, an export or on request,
    with its signed statement (append-only, like the trail)."""

    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=clock.now)
    seq: Mapped[int] = mapped_column(index=True)
    digest: Mapped[str] = mapped_column(sa.String(64))
    reason: Mapped[str] = mapped_column(sa.String(60))
    consultation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("consultation.id"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    key_id: Mapped[str] = mapped_column(sa.String(16))
    statement: Mapped[str] = mapped_column(sa.Text)

    @property
    def head(self) -> Head:
        return Head(self.seq, self.digest)


#: Actions whose event is followed, in the same transaction, by a checkpoint of the head.
ANCHORED = frozenset(
    {
        Action.OUTCOME_RECORDED,
        Action.CONSULTATION_PUBLISHED,
        Action.RESULTS_EXPORTED,
        Action.AUDIT_STATEMENT_ISSUED,
    }
)


def _digest(prev: str, fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{prev}\n{canonical}".encode()).hexdigest()


def _fields(event: Any) -> dict[str, Any]:
    """What the digest covers, from an event or a row of its columns."""
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
    session: DbSession,
    action: Action | str,
    *,
    actor_id: int | None = None,
    consultation_id: int | None = None,
    member_id: int | None = None,
    flush: bool = True,
    last: Head | None = None,
    **details: Any,
) -> AuditEvent:
    """Append an event inside the caller's transaction (it commits or rolls back with it).

    With ``flush`` False the row is written with the caller's next flush (its commit): one
    round trip fewer for a caller that changes other rows after it. Its number and digest are
    set at once either way; the caller must hold the transaction for writing (``BEGIN
    IMMEDIATE`` on SQLite, the advisory lock taken here on PostgreSQL) until it commits.

    ``last``: the head of the trail as the caller read it in this transaction
    (:func:`head_columns`) while holding the chain: after ``BEGIN IMMEDIATE`` on SQLite, in a
    statement after the one that took :func:`chain_lock` on PostgreSQL.

    ``action`` is one of :class:`Action` (a name outside it is a programming error)."""
    action = Action(action).value
    if last is None:
        if session.get_bind().dialect.name == "postgresql":
            # Serialise writers of the chain; SQLite already serialises with BEGIN IMMEDIATE.
            session.execute(sa.select(chain_lock()))
        row = session.execute(
            sa.select(AuditEvent.seq, AuditEvent.digest).order_by(AuditEvent.seq.desc()).limit(1)
        ).first()
        last = Head(row[0], row[1]) if row else Head(0, GENESIS)
    event = AuditEvent(
        **event_row(
            action,
            last=last,
            actor_id=actor_id,
            consultation_id=consultation_id,
            member_id=member_id,
            details=details,
        )
    )
    session.add(event)
    if flush or action in ANCHORED:
        session.flush()
    log.debug("audit %s actor=%s member=%s", action, actor_id, member_id)
    if action in ANCHORED:
        checkpoint(session, event)
    return event


def event_row(
    action: Action | str,
    *,
    last: Head,
    actor_id: int | None = None,
    consultation_id: int | None = None,
    member_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The columns of the event that follows ``last`` (its ``seq`` and ``digest`` included),
    for a caller that writes the row itself (:data:`INSERT`) under the same conditions as
    :func:`record`'s ``last``; the event's head is ``Head(row["seq"], row["digest"])``."""
    row: dict[str, Any] = {
        "seq": last.seq + 1,
        "at": clock.now(),
        "actor_id": actor_id,
        "action": Action(action).value,
        "consultation_id": consultation_id,
        "member_id": member_id,
        "details": details or {},
        "request_id": g.get("request_id") if has_request_context() else None,
        "prev_digest": last.digest,
    }
    row["digest"] = _digest(last.digest, _fields(SimpleNamespace(**row)))
    return row


#: A Core insert of an event's row (:func:`event_row`): no ORM object to flush. An action of
#: :data:`ANCHORED` is recorded with :func:`record`, which writes its checkpoint.
INSERT = sa.insert(cast(sa.Table, AuditEvent.__table__))


def chain_lock() -> sa.ColumnElement[Any]:
    """PostgreSQL: a column whose reading takes the chain's lock until the transaction ends
    (to read with another row; the head must then be read by a later statement)."""
    return sa.func.pg_advisory_xact_lock(CHAIN_LOCK)


def head_columns() -> tuple[sa.Label[int], sa.Label[str]]:
    """The number and digest of the newest event, as columns to read with another row (0 and
    the genesis digest on an empty trail), for :func:`record`'s ``last``."""
    newest = sa.select(sa.func.max(AuditEvent.seq)).scalar_subquery()
    return (
        sa.func.coalesce(newest, 0).label("audit_seq"),
        sa.func.coalesce(
            sa.select(AuditEvent.digest).where(AuditEvent.seq == newest).scalar_subquery(),
            GENESIS,
        ).label("audit_digest"),
    )


_consultation = sa.table("consultation", sa.column("id"), sa.column("slug"))


def checkpoint(session: DbSession, event: AuditEvent) -> AuditCheckpoint:
    """Record ``event``'s head as a checkpoint with its statement, signed with the current
    receipt key."""
    key = keys.signing_key()
    slug = ""
    if event.consultation_id is not None:
        slug = (
            session.scalar(
                sa.select(_consultation.c.slug).where(_consultation.c.id == event.consultation_id)
            )
            or ""
        )
    statement = Statement(
        time=event.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        reason=event.action,
        consultation=slug or "",
        head=event.head,
        key_id=key.id,
    )
    row = AuditCheckpoint(
        at=event.at,
        seq=event.seq,
        digest=event.digest,
        reason=event.action,
        consultation_id=event.consultation_id,
        actor_id=event.actor_id,
        key_id=key.id,
        statement=sign(statement, key.secret).text(),
    )
    session.add(row)
    session.flush()
    return row


def holds(session: DbSession, head: Head) -> bool:
    """Whether the trail still has ``head``'s event with that digest."""
    stored = session.scalar(sa.select(AuditEvent.digest).where(AuditEvent.seq == head.seq))
    return stored == head.digest


def latest_checkpoint(
    session: DbSession, consultation_id: int, reason: str
) -> AuditCheckpoint | None:
    """The newest checkpoint written for ``consultation_id`` by an action ``reason``."""
    return session.scalar(
        sa.select(AuditCheckpoint)
        .where(AuditCheckpoint.consultation_id == consultation_id, AuditCheckpoint.reason == reason)
        .order_by(AuditCheckpoint.id.desc())
        .limit(1)
    )


def issue_statement(actor_id: int | None = None) -> str:
    """Record a checkpoint of the head now (an ``audit_statement_issued`` event, in a
    transaction of its own) and return its signed statement, to file or e-mail."""
    with write_transaction(db.session) as session:
        text = statement_of(
            session, record(session, Action.AUDIT_STATEMENT_ISSUED, actor_id=actor_id)
        )
    return text


def statement_of(session: DbSession, event: AuditEvent) -> str:
    """The signed statement of the checkpoint ``event`` made (it must be an anchored one)."""
    return session.scalars(
        sa.select(AuditCheckpoint.statement).where(AuditCheckpoint.seq == event.seq)
    ).one()


#: Events read at a time when the whole trail is walked (memory stays flat in its length).
BATCH = 2000
_COLUMNS = (
    AuditEvent.id,
    AuditEvent.seq,
    AuditEvent.at,
    AuditEvent.actor_id,
    AuditEvent.action,
    AuditEvent.consultation_id,
    AuditEvent.member_id,
    AuditEvent.details,
    AuditEvent.request_id,
    AuditEvent.prev_digest,
    AuditEvent.digest,
)


def walk(session: DbSession) -> Iterator[Sequence[tuple[Any, bool]]]:
    """The trail in chain order, a batch at a time: each event row with whether it holds (its
    number follows the previous one, its link is the previous digest, its digest matches)."""
    prev, position = GENESIS, 0
    while True:
        rows = session.execute(
            sa.select(*_COLUMNS)
            .where(AuditEvent.seq > position)
            .order_by(AuditEvent.seq)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        batch = []
        for row in rows:
            holds = (
                row.seq == position + 1
                and row.prev_digest == prev
                and row.digest == _digest(prev, _fields(row))
            )
            batch.append((row, holds))
            prev, position = row.digest, row.seq
        yield batch


def verify(session: DbSession) -> list[int]:
    """Ids of audit rows whose number, digest or chain link does not match (empty when
    intact)."""
    return [row.id for batch in walk(session) for row, holds in batch if not holds]
