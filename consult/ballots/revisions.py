"""Appending a submitted ballot to its response's chain of revisions, with its receipt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, cast

import sqlalchemy as sa

from consult.ballots import receipts
from consult.ballots.models import Revision
from consult.core import audit, keys
from consult.core.actions import Action
from consult.core.anchors import Head
from consult.core.database import DbSession


class Chain(NamedTuple):
    """The response a revision is appended to, as its caller read and locked it."""

    response_id: int
    consultation_id: int
    member_id: int
    #: The number of its latest revision (0 before the first) and that revision's digest.
    revision: int
    digest: str | None


@dataclass(frozen=True)
class Appended:
    id: int
    number: int
    receipt: str


def append(
    session: DbSession,
    chain: Chain,
    content: Any,
    *,
    user_id: int,
    now: datetime,
    last: Head | None = None,
    details: dict[str, Any] | None = None,
) -> Appended:
    """Write revision ``chain.revision + 1`` of ``content``: its digest chained to the
    previous revision's, the ``ballot_submitted`` audit event, and its receipt, signed with the
    current receipt key over the content and the audit head that event made. The caller's
    transaction commits or rolls back all of it, and points the response at the new revision.
    ``last``: the audit head when the caller read it (:func:`consult.core.audit.record`).
    ``details`` are added to the audit event (the provenance of an entry by the secretariat)."""
    number = chain.revision + 1
    previous = chain.digest
    if previous is None and chain.revision:
        previous = session.scalar(
            sa.select(Revision.digest).where(
                Revision.response_id == chain.response_id, Revision.number == chain.revision
            )
        )
    previous = previous or receipts.GENESIS
    digest = receipts.chain_digest(previous, chain.response_id, number, content)
    event = audit.record(
        session,
        Action.BALLOT_SUBMITTED,
        actor_id=user_id,
        consultation_id=chain.consultation_id,
        member_id=chain.member_id,
        revision=number,
        digest=digest,
        previous=previous,
        flush=False,
        last=last,
        **(details or {}),
    )
    key = keys.signing_key()
    head = event.head
    receipt = receipts.receipt_code(key.secret, chain.response_id, number, content, head)
    result = session.connection().execute(
        _INSERT,
        {
            "response_id": chain.response_id,
            "number": number,
            "content": content,
            "digest": digest,
            "receipt": receipt,
            "key_id": key.id,
            "audit_seq": head.seq,
            "audit_digest": head.digest,
            "created_at": now,
            "created_by_id": user_id,
        },
    )
    key_row = result.inserted_primary_key
    assert key_row is not None  # noqa: S101 - a single-row insert
    return Appended(key_row[0], number, receipt)


#: A Core insert of the revision's row: no ORM object to flush.
_INSERT = sa.insert(cast(sa.Table, Revision.__table__))
