"""``consult audit verify``: the audit trail, the heads recorded outside it, and every
response's revision chain — read in batches, so memory stays flat and time linear in the size
of the record."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any, cast

import sqlalchemy as sa

from consult.audit.chain import Break, StoredRevision, check_answers, check_response
from consult.ballots.models import Answer, Response, ResponseStatus, Revision
from consult.consultations.kinds.fields import AnswerRow
from consult.consultations.models import Consultation
from consult.core.anchors import Head
from consult.core.audit import AuditCheckpoint, walk
from consult.core.database import DbSession
from consult.core.keys import verification_keys
from consult.members.models import Member

#: Responses checked at a time (with their revisions and answer rows).
RESPONSE_BATCH = 500
#: At most this many broken events are listed one by one.
LISTED = 50


@dataclass(frozen=True)
class Anchor:
    """A head of the trail recorded somewhere, and where (for the report)."""

    head: Head
    source: str


@dataclass(frozen=True)
class AnchorBreak:
    anchor: Anchor
    missing: bool  # the trail ends before the event (else: the event has another digest)

    def describe(self, chain_end: int) -> str:
        if self.missing:
            seq = self.anchor.head.seq
            first = chain_end + 1
            gone = f"event {seq} is" if seq == first else f"events {first}–{seq} are"
            return (
                f"audit trail truncated: it ends at event {chain_end}, but event {seq} is "
                f"recorded in {self.anchor.source}: {gone} missing"
            )
        return (
            f"audit trail rewritten: event {self.anchor.head.seq} no longer has the digest "
            f"recorded in {self.anchor.source}"
        )


@dataclass
class Report:
    broken_events: list[int] = field(default_factory=list)
    broken_event_count: int = 0
    anchor_breaks: list[AnchorBreak] = field(default_factory=list)
    anchors: int = 0
    breaks: list[tuple[Break, str, str]] = field(default_factory=list)  # break, member, slug
    events: int = 0
    revisions: int = 0
    responses: int = 0

    @property
    def intact(self) -> bool:
        return not (self.broken_event_count or self.anchor_breaks or self.breaks)


def verify_all(session: DbSession, statements: Iterable[Anchor] = ()) -> Report:
    """Check the audit trail against every recorded head (receipts, checkpoints and the given
    filed statements), then every response's revision chain and counted answers."""
    report = Report()
    _check_trail(session, report, list(statements))
    _check_responses(session, report)
    return report


def _check_trail(session: DbSession, report: Report, statements: list[Anchor]) -> None:
    for batch in walk(session):
        digests = {}
        for row, holds in batch:
            if not holds:
                report.broken_event_count += 1
                if len(report.broken_events) < LISTED:
                    report.broken_events.append(row.id)
            digests[row.seq] = row.digest
        first, last = batch[0][0].seq, batch[-1][0].seq
        report.events = last
        for anchor in _anchors(session, statements, first, last):
            report.anchors += 1
            if digests.get(anchor.head.seq) != anchor.head.digest:
                report.anchor_breaks.append(AnchorBreak(anchor, missing=False))
    beyond = list(_anchors(session, statements, report.events + 1, None))
    report.anchors += len(beyond)
    if beyond:
        farthest = max(beyond, key=lambda a: a.head.seq)
        report.anchor_breaks.append(AnchorBreak(farthest, missing=True))


def _anchors(
    session: DbSession, statements: list[Anchor], first: int, last: int | None
) -> Iterator[Anchor]:
    """Recorded heads whose event number lies in ``first..last`` (``last`` None: no bound)."""

    def within(column: sa.orm.InstrumentedAttribute[Any]) -> sa.ColumnElement[bool]:
        return column >= first if last is None else column.between(first, last)

    for seq, digest, response_id, number, code, slug in session.execute(
        sa.select(
            Revision.audit_seq,
            Revision.audit_digest,
            Revision.response_id,
            Revision.number,
            Member.code,
            Consultation.slug,
        )
        .join(Response, Response.id == Revision.response_id)
        .join(Member, Member.id == Response.member_id)
        .join(Consultation, Consultation.id == Response.consultation_id)
        .where(within(Revision.audit_seq))
        .order_by(Revision.audit_seq)
    ):
        source = f"the receipt of response {response_id} revision {number} ({code}, {slug})"
        yield Anchor(Head(cast(int, seq), cast(str, digest)), source)
    for checkpoint_id, seq, digest, reason in session.execute(
        sa.select(
            AuditCheckpoint.id, AuditCheckpoint.seq, AuditCheckpoint.digest, AuditCheckpoint.reason
        )
        .where(within(AuditCheckpoint.seq))
        .order_by(AuditCheckpoint.seq)
    ):
        yield Anchor(Head(seq, digest), f"checkpoint {checkpoint_id} ({reason})")
    for anchor in statements:
        if anchor.head.seq >= first and (last is None or anchor.head.seq <= last):
            yield anchor


def _check_responses(session: DbSession, report: Report) -> None:
    keys = verification_keys()
    after = 0
    while True:
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
            .where(Response.id > after)
            .order_by(Response.id)
            .limit(RESPONSE_BATCH)
        ).all()
        if not responses:
            return
        first, after = responses[0][0], responses[-1][0]
        stored = _revisions(session, first, after)
        answers = _answers(session, first, after)
        for response_id, current, receipt, status, code, slug in responses:
            revisions = stored.get(response_id, [])
            report.revisions += len(revisions)
            found = check_response(
                response_id, revisions, current=current, current_receipt=receipt, keys=keys
            )
            latest = next((r for r in revisions if r.number == current), None)
            if not found and latest is not None and status is ResponseStatus.SUBMITTED:
                found = check_answers(response_id, latest, answers.get(response_id, set()))
            report.breaks += [(b, code, slug) for b in found]
        report.responses += len(responses)


def _revisions(session: DbSession, first: int, last: int) -> dict[int, list[StoredRevision]]:
    rows = session.execute(
        sa.select(
            Revision.response_id,
            Revision.number,
            Revision.content,
            Revision.digest,
            Revision.receipt,
            Revision.key_id,
            Revision.audit_seq,
            Revision.audit_digest,
        )
        .where(Revision.response_id.between(first, last))
        .order_by(Revision.response_id, Revision.number)
    )
    return {
        response_id: [
            StoredRevision(
                number,
                content,
                digest,
                receipt,
                key_id,
                Head(seq, head_digest) if seq is not None and head_digest is not None else None,
            )
            for _id, number, content, digest, receipt, key_id, seq, head_digest in group
        ]
        for response_id, group in groupby(rows, key=itemgetter(0))
    }


def _answers(session: DbSession, first: int, last: int) -> dict[int, set[AnswerRow]]:
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
        ).where(Answer.response_id.between(first, last))
    ):
        answers.setdefault(row[0], set()).add(tuple(row[1:]))  # type: ignore[arg-type]
    return answers
