"""The outbox: messages are written with the action that triggers them and delivered after
commit; a failed delivery stays, with its error, until a later pass succeeds."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, cast

import sqlalchemy as sa
from flask import current_app, g, has_app_context, has_request_context

from consult.core import clock
from consult.core.database import DbSession, write_transaction
from consult.extensions import db
from consult.mail.models import MailKind, OutboxMessage
from consult.mail.render import Message, recipient_locale
from consult.mail.sending import build_email, transport

log = logging.getLogger("consult.mail")

#: How long a delivery pass holds the messages it took, so that two passes never send one twice.
LEASE = timedelta(minutes=5)
#: Messages that are due again are retried in passes of at most this many.
BATCH = 200


class Recipient(Protocol):
    """Whom a message goes to: an account as the outbox keeps it (``auth.models.User`` is one)."""

    @property
    def id(self) -> int: ...

    @property
    def email(self) -> str: ...

    @property
    def locale(self) -> str | None: ...


#: Writes messages into the outbox for work kept out of the request, given the ids of the
#: items a request deferred (None: every waiting one); returns the outbox ids it wrote.
#: Registered by name when the app starts (``password_reset``: auth answers the deferred reset
#: requests, whose timing must not say whether an account exists).
Writer = Callable[[Iterable[int] | None], list[int]]
_writers: dict[str, Writer] = {}
#: The writers whose waiting items are pending messages of the outbox (:func:`pending_insert`).
_pending_writers: set[str] = set()


def register_writer(name: str, write: Writer, *, pending: bool = False) -> None:
    """``pending``: the writer writes pending outbox messages, which every full delivery pass
    writes first (:func:`deliver`)."""
    _writers[name] = write
    if pending:
        _pending_writers.add(name)


def write_pending_messages() -> list[int]:
    """Write every pending outbox message (their writers, on all they wait for); their ids."""
    written: list[int] = []
    for name in sorted(_pending_writers):
        written += _writers[name](None)
    return written


def defer(name: str, item_id: int) -> None:
    """Leave item ``item_id`` to the writer ``name``: after this request (development, tests)
    or at the mail worker's next pass (production)."""
    g.setdefault("mail_deferred", {}).setdefault(name, []).append(item_id)


def write_deferred(deferred: dict[str, list[int]] | None = None) -> list[int]:
    """Run the writers on what a request deferred (None: on everything waiting); the outbox
    ids they wrote."""
    written: list[int] = []
    for name, write in _writers.items():
        if deferred is None:
            written += write(None)
        elif name in deferred:
            written += write(deferred[name])
    return written


@dataclass
class Delivery:
    """What one delivery pass did."""

    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def enqueue(
    session: DbSession,
    user: Recipient,
    kind: MailKind,
    message: Message,
    *,
    secret: bool = False,
    consultation_id: int | None = None,
    member_id: int | None = None,
) -> int:
    """Add a message to the outbox inside the caller's transaction; its id."""
    values = outbox_values(
        user, kind, message, secret=secret, consultation_id=consultation_id, member_id=member_id
    )
    return enqueue_all(session, [values])[0]


def outbox_values(
    user: Recipient,
    kind: MailKind,
    message: Message,
    *,
    secret: bool = False,
    consultation_id: int | None = None,
    member_id: int | None = None,
) -> dict[str, Any]:
    """The row of one message, for :func:`enqueue_all`."""
    return {
        "kind": kind,
        "user_id": user.id,
        "recipient": user.email,
        "locale": recipient_locale(user.locale),
        "subject": message.subject,
        "body_text": message.text,
        "body_html": message.html,
        "secret": secret,
        "consultation_id": consultation_id,
        "member_id": member_id,
        "next_attempt_at": clock.now(),
    }


def enqueue_all(session: DbSession, rows: list[dict[str, Any]]) -> list[int]:
    """Add messages to the outbox inside the caller's transaction, in one batched insert
    (a few statements whatever the number of messages); their ids, in no particular order."""
    if not rows:
        return []
    table = OutboxMessage.__table__  # a Core insert of plain rows: no ORM bulk processing
    insert = sa.insert(cast(sa.Table, table)).returning(table.c.id)
    ids = list(session.connection().execute(insert, rows).scalars())
    if has_app_context():
        g.setdefault("mail_queued", []).extend(ids)
    return ids


def pending_insert(kind: MailKind, recipients: sa.Select[int, str, str | None]) -> sa.Insert:
    """The statement that adds a message of ``kind`` to each of ``recipients`` (a select of
    their ``id``, ``email`` and ``locale``), left pending for its writer: build it once and
    run it with :func:`enqueue_pending`. Its parameters: ``item_id``, ``consultation_id``,
    ``member_id``, ``now``, ``languages`` and those of ``recipients``."""
    wanted = recipients.subquery()
    table = cast(sa.Table, OutboxMessage.__table__)
    now = sa.bindparam("now", type_=table.c.created_at.type)
    languages: sa.BindParameter[list[str]] = sa.bindparam("languages", expanding=True)
    columns = {
        "kind": sa.literal(kind.value),
        "user_id": wanted.c.id,
        "recipient": wanted.c.email,
        "locale": sa.case((wanted.c.locale.in_(languages), wanted.c.locale), else_="en"),
        "subject": sa.literal(""),
        "body_text": sa.literal(""),
        "body_html": sa.literal(""),
        "secret": sa.false(),
        "consultation_id": sa.bindparam("consultation_id", type_=sa.Integer),
        "member_id": sa.bindparam("member_id", type_=sa.Integer),
        "created_at": now,
        "next_attempt_at": now,
        "attempts": sa.literal(0),
        "pending": sa.true(),
        "item_id": sa.bindparam("item_id", type_=sa.Integer),
    }
    return sa.insert(table).from_select(list(columns), sa.select(*columns.values()))


def enqueue_pending(
    session: DbSession,
    statement: sa.Insert,
    *,
    writer: str,
    item_id: int,
    consultation_id: int | None = None,
    member_id: int | None = None,
) -> None:
    """Run ``statement`` (:func:`pending_insert`) inside the caller's transaction: one
    statement, whatever the number of recipients, to be written by the writer ``writer`` from
    item ``item_id`` outside the request (:func:`defer`); the request neither reads the
    recipients nor renders the messages."""
    params = pending_params(item_id, consultation_id=consultation_id, member_id=member_id)
    session.connection().execute(statement, params)
    pending_added(writer, item_id)


def pending_params(
    item_id: int, *, consultation_id: int | None = None, member_id: int | None = None
) -> dict[str, Any]:
    """The parameters of a :func:`pending_insert` statement, for a caller that runs it with
    other statements (then :func:`pending_added`) rather than with :func:`enqueue_pending`."""
    return {
        "item_id": item_id,
        "consultation_id": consultation_id,
        "member_id": member_id,
        "now": clock.now(),
        "languages": list(current_app.config["LANGUAGES"]),
    }


def pending_added(writer: str, item_id: int) -> None:
    """Messages of item ``item_id`` were added, pending for ``writer``: in a request, the
    writer runs on them after it (:func:`defer`)."""
    if has_request_context():
        defer(writer, item_id)


def pending_messages(
    session: DbSession, kind: MailKind, item_ids: Iterable[int] | None
) -> list[sa.Row[Any]]:
    """Messages of ``kind`` waiting for their writer (of items ``item_ids``, or all), taken
    for this transaction (a parallel pass skips them): ``id``, ``user_id``, ``locale``,
    ``item_id``; at most :data:`BATCH`."""
    query = (
        sa.select(
            OutboxMessage.id, OutboxMessage.user_id, OutboxMessage.locale, OutboxMessage.item_id
        )
        .where(OutboxMessage.pending, OutboxMessage.kind == kind)
        .order_by(OutboxMessage.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    if item_ids is not None:
        query = query.where(OutboxMessage.item_id.in_(list(item_ids)))
    return list(session.execute(query))


def write_pending(session: DbSession, messages: dict[int, Message]) -> list[int]:
    """Give the pending messages ``messages`` (by id) their subject and bodies: they can be
    delivered now. Their ids."""
    if messages:
        session.execute(
            sa.update(OutboxMessage),
            [
                {
                    "id": message_id,
                    "subject": m.subject,
                    "body_text": m.text,
                    "body_html": m.html,
                    "pending": False,
                }
                for message_id, m in messages.items()
            ],
        )
    return list(messages)


def backoff(attempts: int) -> timedelta:
    """Wait 1, 2, 4 … minutes after each failure, at most 6 hours."""
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 6 * 3600))


def _claim(ids: Iterable[int] | None, *, include_due: bool, force: bool, now: datetime):
    """Take unsent messages for this pass (a lease, so that a parallel pass skips them)."""
    below_limit = OutboxMessage.attempts < current_app.config["MAIL_MAX_ATTEMPTS"]
    wanted = []
    if ids is not None:
        named = OutboxMessage.id.in_(list(ids))
        wanted.append(named if force else sa.and_(named, below_limit))
    if ids is None or include_due:
        wanted.append(sa.and_(OutboxMessage.next_attempt_at <= now, below_limit))
    with write_transaction(db.session) as session:
        rows = session.scalars(
            sa.select(OutboxMessage)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.pending.is_(False),
                sa.or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
                sa.or_(*wanted),
            )
            .order_by(OutboxMessage.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            row.claimed_until = now + LEASE
        return [(r.id, r.recipient, r.subject, r.body_text, r.body_html, r.locale) for r in rows]


def deliver(
    ids: Iterable[int] | None = None, *, include_due: bool = False, force: bool = False
) -> Delivery:
    """Deliver the messages ``ids`` (and, with ``include_due``, every message due for a retry);
    without ``ids``, every due message. ``force`` retries even messages that were given up on.
    Without ``ids``, with ``include_due`` or ``force``, the pending messages are written first
    (:func:`write_pending_messages`), so that they go with the pass.

    Each outcome is recorded: ``sent_at`` on success; on failure the error, one more attempt
    and the time of the next automatic try.
    """
    outcome = Delivery()
    if ids is None or include_due or force:
        write_pending_messages()
    if ids is None:
        _deliver_batch(None, include_due=True, force=force, outcome=outcome)
        return outcome
    wanted = list(ids)
    # Every message asked for, BATCH at a time (a "remind all" can queue thousands); the
    # messages due for a retry ride along with the first batch.
    for start in range(0, max(len(wanted), 1), BATCH):
        _deliver_batch(
            wanted[start : start + BATCH],
            include_due=include_due and start == 0,
            force=force,
            outcome=outcome,
        )
    return outcome


def _deliver_batch(
    ids: list[int] | None, *, include_due: bool, force: bool, outcome: Delivery
) -> None:
    config = current_app.config
    now = clock.now()
    taken = _claim(ids, include_due=include_due, force=force, now=now)
    if not taken:
        return
    results: dict[int, str | None] = {}
    try:
        with transport(config) as sender:
            for message_id, recipient, subject, text, html, locale in taken:
                email = build_email(
                    config, to=recipient, subject=subject, text=text, html=html, locale=locale
                )
                try:
                    sender.send(email)
                    results[message_id] = None
                except Exception as error:  # recorded on the message, retried later
                    results[message_id] = _describe(error)
    except Exception as error:  # no connection: every message waits for the next pass
        reason = _describe(error)
        for message_id, *_rest in taken:
            results.setdefault(message_id, reason)
    _record(results, now)
    for failure in results.values():
        if failure is None:
            outcome.sent += 1
        else:
            outcome.failed += 1
            outcome.errors.append(failure)
    if outcome.failed:
        log.warning("%d message(s) not delivered: %s", outcome.failed, outcome.errors[0])


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:500]


def _record(results: dict[int, str | None], now: datetime) -> None:
    with write_transaction(db.session) as session:
        rows = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.id.in_(results)))
        for row in rows:
            error = results[row.id]
            row.attempts += 1
            row.last_attempt_at = now
            row.claimed_until = None
            if error is None:
                row.sent_at = clock.now()
                row.last_error = None
                if row.secret:
                    row.body_text = row.body_html = ""
            else:
                row.last_error = error
                row.next_attempt_at = now + backoff(row.attempts)


#: A message that waits after a failed attempt.
FAILED = sa.and_(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts > 0)
#: What the outbox page may show: every message, or those failed, waiting or sent.
SHOWN = {
    "all": sa.true(),
    "failed": FAILED,
    "waiting": OutboxMessage.sent_at.is_(None),
    "sent": OutboxMessage.sent_at.is_not(None),
}


@functools.cache
def _failed_count() -> sa.Select[int]:
    return sa.select(sa.func.count()).select_from(OutboxMessage).where(FAILED)


def failed_count() -> int:
    """How many messages are waiting after a failed attempt (a statement built once, run on
    the request's connection: every administration page shows the figure)."""
    return int(db.session.connection().execute(_failed_count()).scalar() or 0)


def failed_count_column() -> sa.ScalarSelect[int]:
    """:func:`failed_count` as a column, for a page that reads it with its own statement and
    gives it to the request (:func:`failures_counted`) rather than pay a statement for it."""
    return _failed_count().scalar_subquery()


#: Where the request keeps its figure of :func:`failed_count` (in ``g``).
_G_FAILURES = "mail_failures"


def failures_counted(count: int) -> None:
    """The request's figure of :func:`failed_count`, read with another statement: the
    layout's badge (:func:`request_failures`) takes it from here."""
    setattr(g, _G_FAILURES, count)


def request_failures() -> int:
    """:func:`failed_count` once per request (the layout shows it in its row of links and
    again in its folded menu), unless a page gave it already (:func:`failures_counted`)."""
    if _G_FAILURES not in g:
        failures_counted(failed_count())
    return int(getattr(g, _G_FAILURES))


def failed_ids() -> list[int]:
    """The messages waiting after a failed attempt."""
    return list(db.session.scalars(sa.select(OutboxMessage.id).where(FAILED)))


def listing(show: str, before: int | None, size: int) -> tuple[list[OutboxMessage], int | None]:
    """A page of messages, newest first, of those ``show`` names (a key of :data:`SHOWN`)
    older than the message ``before``; and the id to start the next page from, if any."""
    query = sa.select(OutboxMessage).where(SHOWN[show]).order_by(OutboxMessage.id.desc())
    if before is not None:
        query = query.where(OutboxMessage.id < before)
    rows = list(db.session.scalars(query.limit(size + 1)))
    more = len(rows) > size
    rows = rows[:size]
    return rows, rows[-1].id if more and rows else None
