"""Read-only queries behind the home pages (a fixed number of queries each)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from consult.ballots.models import Response, ResponseStatus
from consult.consultations.lifecycle import Status
from consult.consultations.models import Consultation, invitation
from consult.extensions import db


@dataclass(frozen=True)
class MemberRow:
    consultation: Consultation
    response: Response | None


@dataclass(frozen=True)
class AdminRow:
    consultation: Consultation
    invited: int
    submitted: int
    drafts: int


def member_consultations(member_id: int) -> list[MemberRow]:
    """Consultations the member is invited to (drafts excluded), with its response if any."""
    consultations = db.session.scalars(
        sa.select(Consultation)
        .join(invitation, invitation.c.consultation_id == Consultation.id)
        .where(invitation.c.member_id == member_id, Consultation.status != Status.DRAFT)
        .order_by(Consultation.closes_at.desc())
    ).all()
    responses = {
        r.consultation_id: r
        for r in db.session.scalars(
            sa.select(Response)
            .options(sa.orm.joinedload(Response.submitted_by))
            .where(Response.member_id == member_id)
        )
    }
    return [MemberRow(c, responses.get(c.id)) for c in consultations]


def admin_overview() -> list[AdminRow]:
    """Every consultation with counts of invited members, submissions and drafts."""
    invited = dict(
        db.session.execute(
            sa.select(invitation.c.consultation_id, sa.func.count()).group_by(
                invitation.c.consultation_id
            )
        ).all()
    )
    counts: dict[tuple[int, str], int] = {
        (cid, str(status)): n
        for cid, status, n in db.session.execute(
            sa.select(Response.consultation_id, Response.status, sa.func.count()).group_by(
                Response.consultation_id, Response.status
            )
        )
    }
    return [
        AdminRow(
            c,
            invited.get(c.id, 0),
            counts.get((c.id, ResponseStatus.SUBMITTED.value), 0),
            counts.get((c.id, ResponseStatus.DRAFT.value), 0),
        )
        for c in db.session.scalars(sa.select(Consultation).order_by(Consultation.closes_at.desc()))
    ]
