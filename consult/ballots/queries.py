"""Read-only queries behind the home pages (a fixed number of queries each)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from consult.ballots.models import Response, ResponseStatus, Revision
from consult.consultations.lifecycle import Status
from consult.consultations.models import Consultation, invitation
from consult.core.paging import PAGE_SIZE, Page
from consult.extensions import db


@dataclass(frozen=True)
class MemberConsultation:
    """A consultation on a delegate's home page, with their member's response if any."""

    consultation: Consultation
    response: Response | None


@dataclass(frozen=True)
class AdminRow:
    consultation: Consultation
    invited: int
    submitted: int
    drafts: int


def member_consultations(member_id: int) -> list[MemberConsultation]:
    """Consultations the member is invited to (drafts excluded), with its response if any
    (one statement)."""
    rows = db.session.execute(
        sa.select(Consultation, Response)
        .join(invitation, invitation.c.consultation_id == Consultation.id)
        .outerjoin(
            Response,
            sa.and_(Response.consultation_id == Consultation.id, Response.member_id == member_id),
        )
        .options(sa.orm.joinedload(Response.submitted_by))
        .where(invitation.c.member_id == member_id, Consultation.status != Status.DRAFT)
        .order_by(Consultation.closes_at.desc())
    ).all()
    return [MemberConsultation(c, r) for c, r in rows]


def current_ballot(consultation_id: int, member_id: int) -> tuple[Response | None, Revision | None]:
    """The member's response to the consultation (with who submitted it) and its latest
    revision, if any (one statement)."""
    row = db.session.execute(
        sa.select(Response, Revision)
        .outerjoin(
            Revision,
            sa.and_(Revision.response_id == Response.id, Revision.number == Response.revision),
        )
        .options(sa.orm.joinedload(Response.submitted_by))
        .where(Response.consultation_id == consultation_id, Response.member_id == member_id)
    ).first()
    return (row[0], row[1]) if row is not None else (None, None)


def admin_overview(page: int = 1) -> Page[AdminRow]:
    """A page of consultations, latest deadline first, with counts of invited members,
    submissions and drafts (four queries, counted for the page's consultations only)."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Consultation)) or 0
    page = min(page, max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1))
    consultations = list(
        db.session.scalars(
            sa.select(Consultation)
            .order_by(Consultation.closes_at.desc(), Consultation.id.desc())
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
    ids = [c.id for c in consultations]
    invited: dict[int, int] = dict(
        db.session.execute(
            sa.select(invitation.c.consultation_id, sa.func.count())
            .where(invitation.c.consultation_id.in_(ids))
            .group_by(invitation.c.consultation_id)
        ).all()
    )
    counts: dict[tuple[int, str], int] = {
        (cid, str(status)): n
        for cid, status, n in db.session.execute(
            sa.select(Response.consultation_id, Response.status, sa.func.count())
            .where(Response.consultation_id.in_(ids))
            .group_by(Response.consultation_id, Response.status)
        )
    }
    rows = [
        AdminRow(
            c,
            invited.get(c.id, 0),
            counts.get((c.id, ResponseStatus.SUBMITTED.value), 0),
            counts.get((c.id, ResponseStatus.DRAFT.value), 0),
        )
        for c in consultations
    ]
    return Page(rows, page, PAGE_SIZE, total)
