"""Appending a submitted ballot to its response's chain of revisions, with its receipt."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from consult.ballots import receipts
from consult.ballots.models import Response, Revision
from consult.core import audit, keys
from consult.core.actions import Action
from consult.core.database import DbSession


def append(
    session: DbSession,
    response: Response,
    content: Any,
    *,
    user_id: int,
    now: datetime,
    previous: str | None = None,
    details: dict[str, Any] | None = None,
) -> Revision:
    """Write revision ``response.revision + 1`` of ``content``: its digest chained to the
    previous revision's, the ``ballot_submitted`` audit event, and its receipt, signed with the
    current receipt key over the content and the audit head that event made; ``response`` then
    points at it. The caller's transaction commits or rolls back all of it; rows are written
    at its next flush. ``previous``: the digest of the latest revision when the caller has
    read it with the response (else it is read here). ``details`` are added to the
    audit event (the provenance of an entry by the secretariat)."""
    number = response.revision + 1
    if previous is None and response.revision:
        previous = session.scalar(
            sa.select(Revision.digest).where(
                Revision.response_id == response.id, Revision.number == response.revision
            )
        )
    previous = previous or receipts.GENESIS
    digest = receipts.chain_digest(previous, response.id, number, content)
    response.revision = number
    event = audit.record(
        session,
        Action.BALLOT_SUBMITTED,
        actor_id=user_id,
        consultation_id=response.consultation_id,
        member_id=response.member_id,
        revision=number,
        digest=digest,
        previous=previous,
        flush=False,
        **(details or {}),
    )
    key = keys.signing_key()
    head = event.head
    revision = Revision(
        response_id=response.id,
        number=number,
        content=content,
        digest=digest,
        receipt=receipts.receipt_code(key.secret, response.id, number, content, head),
        key_id=key.id,
        audit_seq=head.seq,
        audit_digest=head.digest,
        created_at=now,
        created_by_id=user_id,
    )
    session.add(revision)
    response.receipt = revision.receipt
    return revision
