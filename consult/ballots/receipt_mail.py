"""The receipt by e-mail: after every submission, each active delegate of the member is told the
receipt code, who submitted and when, with the link to the check page; never the answers.

The submission queues one outbox message per delegate in one statement, naming its revision
(:data:`QUEUE`); the messages are written in each recipient's language outside the
request, by :func:`write_receipts` (the mail worker's pass, or after the request in
development), and only then delivered."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from consult.auth.delegates import delegates_select
from consult.auth.models import User
from consult.ballots import entries
from consult.ballots.models import Entry, Response, Revision
from consult.consultations.models import Consultation
from consult.core.database import write_transaction
from consult.extensions import db
from consult.mail.links import external_url
from consult.mail.models import MailKind
from consult.mail.outbox import (
    pending_added,
    pending_insert,
    pending_messages,
    pending_params,
    write_pending,
)
from consult.mail.render import Message, render_message
from consult.members.models import Member

#: The name the receipts' writer is registered under (``outbox.register_writer``).
WRITER = "receipts"


def queue_params(*, consultation_id: int, member_id: int, revision_id: int) -> dict[str, Any]:
    """The parameters of :data:`QUEUE`, for a submission that runs it with its other writes
    (then :func:`queued`)."""
    return pending_params(revision_id, consultation_id=consultation_id, member_id=member_id)


def queued(revision_id: int) -> None:
    """The receipts of ``revision_id`` were queued (:data:`QUEUE`): in a request, they are
    written after it."""
    pending_added(WRITER, revision_id)


#: Built once: the member's delegates are the bound parameter ``member_id``; the statement's
#: other parameters are ``item_id`` (the revision), ``consultation_id``, ``now`` and
#: ``languages`` (:func:`queue_params`).
QUEUE = pending_insert(MailKind.RECEIPT, delegates_select(sa.bindparam("member_id")))


def write_receipts(revision_ids: Iterable[int] | None = None) -> list[int]:
    """Write the queued receipts of ``revision_ids`` (or every waiting one, a batch at a time):
    each in its recipient's language, with who submitted (or the secretariat's mark of an
    entry on the member's behalf). The outbox ids written."""
    with write_transaction(db.session) as session:
        waiting = pending_messages(session, MailKind.RECEIPT, revision_ids)
        if not waiting:
            return []
        wanted = {m.item_id for m in waiting}
        creator = sa.orm.aliased(User)
        revisions = {
            row[0].id: row
            for row in session.execute(
                sa.select(Revision, Response, Consultation, Member, creator.name)
                .join(Response, Response.id == Revision.response_id)
                .join(Consultation, Consultation.id == Response.consultation_id)
                .join(Member, Member.id == Response.member_id)
                .outerjoin(creator, creator.id == Revision.created_by_id)
                .where(Revision.id.in_(wanted))
            )
        }
        users = {
            u.id: u
            for u in session.scalars(
                sa.select(User).where(User.id.in_({m.user_id for m in waiting}))
            )
        }
        marks = {
            (entry.response_id, entry.revision): entries.mark_of(entry, name)
            for entry, name in session.execute(
                sa.select(Entry, User.name)
                .outerjoin(User, User.id == Entry.entered_by_id)
                .join(
                    Revision,
                    sa.and_(
                        Revision.response_id == Entry.response_id,
                        Revision.number == Entry.revision,
                    ),
                )
                .where(Revision.id.in_(wanted))
            )
        }
        written: dict[int, Message] = {}
        for message in waiting:
            revision = revisions.get(message.item_id)
            user = users.get(message.user_id)
            if revision is None or user is None:
                continue  # left pending: nothing to write it from
            written[message.id] = _receipt(revision, user, message.locale, marks)
        return write_pending(session, written)


def _receipt(found: sa.Row, user: User, locale: str, marks: dict) -> Message:
    revision, response, consultation, member, submitter = found
    return render_message(
        MailKind.RECEIPT.value,
        locale,
        user=user,
        member=member,
        consultation=consultation,
        submitter=submitter or "",
        revision=revision.number,
        receipt=revision.receipt,
        at=revision.created_at,
        link=external_url("ballots.receipt", slug=consultation.slug, code=revision.receipt),
        head=revision.audit_head,
        mark=marks.get((response.id, revision.number)),
    )
