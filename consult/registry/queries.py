"""Read-only queries behind the registry pages (a fixed number of queries each)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from consult.auth.models import Role, User
from consult.auth.queries import DelegateRow, accounts
from consult.ballots.models import Response
from consult.consultations.models import Consultation, invitation
from consult.core.paging import Page, page_of
from consult.core.plaintext import fold
from consult.extensions import db
from consult.members.models import Member, MemberKind, Region


@dataclass(frozen=True)
class MemberSummary:
    """A member state or observer in the registry's list, with its delegates' counts."""

    member: Member
    delegates: int
    pending: int  # invited, no password chosen yet


def member_rows(
    *,
    search: str = "",
    kind: str = "",
    region_id: int | None = None,
    status: str = "active",
    locale: str = "en",
    page: int = 1,
) -> Page[MemberSummary]:
    """One page of the members matching the filters, in name order, with their delegate
    counts (three queries: a count, the page's members with their regions, their counts).

    ``search`` matches the code and the names in every language, ignoring case and accents,
    and the order is by the name in the reader's language, both over the folded copies the
    member table keeps (``Member.search_folded``, ``Member.sort_<language>``), in SQL."""
    query = sa.select(Member).options(joinedload(Member.region))
    if kind in {k.value for k in MemberKind}:
        query = query.where(Member.kind == MemberKind(kind))
    if region_id is not None:
        query = query.where(Member.region_id == region_id)
    if status == "active":
        query = query.where(Member.active)
    elif status == "inactive":
        query = query.where(sa.not_(Member.active))
    needle = fold(search.strip())
    if needle:
        query = query.where(Member.search_folded.contains(needle, autoescape=True))
    order = (_in_code_order(Member.sort_column(locale)), _in_code_order(Member.code))
    shown = page_of(db.session, query.order_by(*order), page)
    counts: dict[int, tuple[int, int]] = {}
    for member_id, total, pending in db.session.execute(
        sa.select(
            User.member_id,
            sa.func.count(),
            sa.func.sum(sa.case((User.password_hash.is_(None), 1), else_=0)),
        )
        .where(
            User.role == Role.DELEGATE,
            User.active,
            User.member_id.in_([m.id for m in shown.items]),
        )
        .group_by(User.member_id)
    ):
        counts[member_id] = (int(total), int(pending or 0))
    rows = [MemberSummary(m, *counts.get(m.id, (0, 0))) for m in shown.items]
    return Page(rows, shown.number, shown.size, shown.total)


def _in_code_order(column: sa.orm.InstrumentedAttribute[str]) -> sa.ColumnElement[str] | Any:
    """``column`` compared character by character (code points), as Python sorts: PostgreSQL's
    collation of the database would otherwise put spaces and punctuation elsewhere; SQLite's
    default (BINARY) already does."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.collate(column, "C")
    return column


@dataclass(frozen=True)
class InvitationRow:
    """A consultation on a member's page: whether the member is invited, its response."""

    consultation: Consultation
    invited: bool
    response: Response | None


def member_detail(
    member_id: int, page: int = 1
) -> tuple[Member, list[DelegateRow], Page[InvitationRow]] | None:
    """A member, its delegates, and one page of the consultations it was invited to or
    answered, latest deadline first, with its response to each (four queries)."""
    member = db.session.get(Member, member_id)
    if member is None:
        return None
    users = list(
        db.session.scalars(
            sa.select(User)
            .where(User.member_id == member.id, User.role == Role.DELEGATE)
            .order_by(sa.not_(User.active), User.name)
        )
    )
    invited = (
        sa.exists()
        .where(invitation.c.consultation_id == Consultation.id)
        .where(invitation.c.member_id == member.id)
    )
    columns: tuple[Any, ...] = (Consultation, Response, invited)
    responses = (
        sa.select(*columns)
        .outerjoin(
            Response,
            sa.and_(Response.consultation_id == Consultation.id, Response.member_id == member.id),
        )
        .options(joinedload(Response.submitted_by))
        .where(sa.or_(invited, Response.id.is_not(None)))
        .order_by(Consultation.closes_at.desc(), Consultation.id.desc())
    )
    found = page_of(db.session, responses, page)
    rows = [InvitationRow(c, bool(was_invited), r) for c, r, was_invited in found.items]
    return member, accounts(users), Page(rows, found.number, found.size, found.total)


def regions_with_counts(page: int = 1) -> Page[tuple[Region, int]]:
    """One page of the regions, by name, each with how many members it has (two queries)."""
    count = (
        sa.select(sa.func.count())
        .where(Member.region_id == Region.id)
        .correlate(Region)
        .scalar_subquery()
    )
    shown = page_of(db.session, sa.select(Region, count).order_by(Region.name, Region.id), page)
    return Page(
        [(region, int(n)) for region, n in shown.items], shown.number, shown.size, shown.total
    )


def regions() -> list[Region]:
    """Every region, by name (the choices of a member's form and the list's filter)."""
    return list(db.session.scalars(sa.select(Region).order_by(Region.name)))
