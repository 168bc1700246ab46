"""The next revision of a response's chain, with its receipt and its audit event."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple, cast

import sqlalchemy as sa

from consult.ballots import receipts
from consult.ballots.models import Revision
from consult.core import audit, keys
from consult.core.actions import Action
from consult.core.anchors import Head


class Chain(NamedTuple):
    """The response a revision is appended to, as its caller read and locked it."""

    response_id: int
    consultation_id: int
    member_id: int
    #: The number of its latest revision (0 before the first) and that revision's digest.
    revision: int
    digest: str | None


class Next(NamedTuple):
    """The rows that append a revision: the revision's and its ``ballot_submitted`` event's."""

    number: int
    receipt: str
    #: The columns of the revision's row (:data:`INSERT`), its ``id`` left to the caller.
    revision: dict[str, Any]
    #: The columns of the audit event's row (:data:`consult.core.audit.INSERT`).
    event: dict[str, Any]


def next_revision(
    chain: Chain,
    content: Any,
    *,
    user_id: int,
    now: datetime,
    last: Head,
    details: dict[str, Any] | None = None,
) -> Next:
    """Revision ``chain.revision + 1`` of ``content``: its digest chained to the previous
    revision's (``chain.digest``, read with the response), the ``ballot_submitted`` audit event
    that follows ``last`` (the head of the trail, read while holding the chain: see
    :func:`consult.core.audit.record`), and its receipt, signed with the current receipt key
    over the content and the head that event makes. The caller writes both rows in its
    transaction, which commits or rolls back all of it, and points the response at the new
    revision. ``details`` are added to the audit event (the provenance of an entry by the
    secretariat)."""
    number = chain.revision + 1
    previous = chain.digest or receipts.GENESIS
    signed = receipts.payload(chain.response_id, number, content)  # made once for both
    digest = receipts.chain_digest(previous, chain.response_id, number, content, signed=signed)
    event = audit.event_row(
        Action.BALLOT_SUBMITTED,
        last=last,
        actor_id=user_id,
        consultation_id=chain.consultation_id,
        member_id=chain.member_id,
        details={"revision": number, "digest": digest, "previous": previous, **(details or {})},
    )
    key = keys.signing_key()
    head = Head(event["seq"], event["digest"])
    receipt = receipts.receipt_code(
        key.secret, chain.response_id, number, content, head, signed=signed
    )
    row = {
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
    }
    return Next(number, receipt, row, event)


#: The revision's table, for a Core insert of its row: no ORM object to flush.
TABLE = cast(sa.Table, Revision.__table__)
