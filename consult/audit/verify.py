"""``consult audit verify``: the audit trail and every response's revision chain."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from consult.audit.chain import AnswerRow, Break, StoredRevision, check_answers, check_response
from consult.ballots.models import Answer, Response, ResponseStatus, Revision
from consult.consultations.models import Consultation
from consult.core.audit import verify as verify_events
from consult.core.keys import verification_keys
from consult.members.models import Member


@dataclass(frozen=True)
class Report:
    broken_events: list[int]
    breaks: list[tuple[Break, str, str]]  # the break, member code, consultation slug
    events: int
    revisions: int
    responses: int

    @property
    def intact(self) -> bool:
        return not self.broken_events and not self.breaks


def verify_all(session: Session) -> Report:
    """Check both chains, reading the revisions response by response in id order."""
    from consult.core.audit import AuditEvent

    keys = verification_keys()
    responses = session.execute(
        sa.select(
            Response.id,
            Response.revision,
            Response.receipt,
            Response.status,
            Member.code,
            Consultation.slug,
        )
        .join(Member, Member.id == Response.member_id)
        .join(Consultation, Consultation.id == Response.consultation_id)
        .order_by(Response.id)
    ).all()
    stored: dict[int, list[StoredRevision]] = {}
    count = 0
    for response_id, number, content, digest, receipt, key_id in session.execute(
        sa.select(
            Revision.response_id,
            Revision.number,
            Revision.content,
            Revision.digest,
            Revision.receipt,
            Revision.key_id,
        ).order_by(Revision.response_id, Revision.number)
    ):
        stored.setdefault(response_id, []).append(
            StoredRevision(number, content, digest, receipt, key_id)
        )
        count += 1
    answers: dict[int, set[AnswerRow]] = {}
    for row in session.execute(
        sa.select(
            Answer.response_id,
            Answer.question_id,
            Answer.option_id,
            Answer.rank,
            Answer.selected,
            Answer.value,
            Answer.text,
        )
    ):
        answers.setdefault(row[0], set()).add(tuple(row[1:]))  # type: ignore[arg-type]
    breaks: list[tuple[Break, str, str]] = []
    for response_id, current, receipt, status, code, slug in responses:
        revisions = stored.get(response_id, [])
        found = check_response(
            response_id, revisions, current=current, current_receipt=receipt, keys=keys
        )
        latest = next((r for r in revisions if r.number == current), None)
        if not found and latest is not None and status is ResponseStatus.SUBMITTED:
            found = check_answers(response_id, latest, answers.get(response_id, set()))
        breaks += [(b, code, slug) for b in found]
    return Report(
        broken_events=verify_events(session),
        breaks=breaks,
        events=session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) or 0,
        revisions=count,
        responses=len(responses),
    )
