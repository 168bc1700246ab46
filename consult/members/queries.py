"""Read-only queries behind the registry pages (a fixed number of queries each)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from consult.auth.models import AccountToken, Role, TokenPurpose, User
from consult.ballots.models import Response
from consult.consultations.models import Consultation, invitation
from consult.core.paging import Page, page_of
from consult.core.plaintext import fold
from consult.core.translated import in_language
from consult.extensions import db
from consult.mail.models import MailKind, OutboxMessage
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
    counts (two queries).

    ``search`` matches the code and the names in every language, ignoring case and accents;
    that folding and the order by name in the reader's language are done here, not in SQL,
    over the registry's few hundred rows read as plain tuples (code, names); only the members
    of the page shown are loaded, with their regions, counted and rendered (three queries).
    """
    query = sa.select(Member.id, Member.code, Member.name, Member.translations)
    if kind in {k.value for k in MemberKind}:
        query = query.where(Member.kind == MemberKind(kind))
    if region_id is not None:
        query = query.where(Member.region_id == region_id)
    if status == "active":
        query = query.where(Member.active)
    elif status == "inactive":
        query = query.where(sa.not_(Member.active))
    found = list(db.session.execute(query))
    needle = fold(search.strip())
    if needle:
        found = [m for m in found if needle in fold(_searchable(m.code, m.name, m.translations))]
    found.sort(key=lambda m: (fold(in_language(m.translations, "name", locale, m.name)), m.code))
    ids = Page.of([m.id for m in found], page)
    loaded = {
        m.id: m
        for m in db.session.scalars(
            sa.select(Member).options(joinedload(Member.region)).where(Member.id.in_(ids.items))
        )
    }
    shown = Page([loaded[i] for i in ids.items], ids.number, ids.size, ids.total)
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


def _searchable(code: str, name: str, translations: dict[str, Any] | None) -> str:
    names = [code, name]
    names += [v.get("name", "") for v in (translations or {}).values()]
    return " ".join(names)


@dataclass(frozen=True)
class DelegateRow:
    user: User
    invited_at: object | None  # datetime of the latest invitation
    mail: OutboxMessage | None  # the latest invitation message


@dataclass(frozen=True)
class InvitationRow:
    """A consultation on a member's page: whether the member is invited, its response."""

    consultation: Consultation
    invited: bool
    response: Response | None


def accounts(users: list[User]) -> list[DelegateRow]:
    """Each account with its latest invitation and that message's delivery (two queries)."""
    ids = [u.id for u in users]
    invited = (
        dict(
            db.session.execute(
                sa.select(AccountToken.user_id, sa.func.max(AccountToken.created_at))
                .where(
                    AccountToken.user_id.in_(ids), AccountToken.purpose == TokenPurpose.INVITATION
                )
                .group_by(AccountToken.user_id)
            ).all()
        )
        if ids
        else {}
    )
    latest: dict[int, OutboxMessage] = {}
    if ids:
        for message in db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.user_id.in_(ids), OutboxMessage.kind == MailKind.INVITATION)
            .order_by(OutboxMessage.id)
        ):
            latest[message.user_id or 0] = message
    return [DelegateRow(u, invited.get(u.id), latest.get(u.id)) for u in users]


DELEGATE_STATUSES = ("active", "invited", "inactive", "all")


def find_delegates(search: str = "", *, status: str = "active", page: int = 1) -> Page[DelegateRow]:
    """One page of the delegates of every member whose name, e-mail, or member's code or
    names contain ``search`` (case and accents ignored), by name; three queries whatever the
    page (folded in Python over a few thousand accounts at most, like the member search).

    ``status``: ``active`` (may sign in), ``invited`` (no password chosen yet), ``inactive``
    (deactivated, or their member is) or ``all``.
    """
    query = sa.select(User).join(Member, Member.id == User.member_id)
    query = query.where(User.role == Role.DELEGATE)
    if status == "active":
        query = query.where(User.active, Member.active)
    elif status == "invited":
        query = query.where(User.active, Member.active, User.password_hash.is_(None))
    elif status == "inactive":
        query = query.where(sa.or_(sa.not_(User.active), sa.not_(Member.active)))
    users = list(db.session.scalars(query))
    needle = fold(search.strip())
    if needle:
        users = [u for u in users if needle in fold(_delegate_searchable(u))]
    users.sort(key=lambda u: (fold(u.name), u.email))
    shown = Page.of(users, page)
    return Page(accounts(list(shown.items)), shown.number, shown.size, shown.total)


def _delegate_searchable(user: User) -> str:
    m = user.member
    member = _searchable(m.code, m.name, m.translations) if m is not None else ""
    return f"{user.name} {user.email} {member}"


def member_detail(
    member_id: int,
) -> tuple[Member, list[DelegateRow], list[InvitationRow]] | None:
    """A member, its delegates, and its response to every consultation it was invited to or
    answered (five queries)."""
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
    invited_ids = set(
        db.session.scalars(
            sa.select(invitation.c.consultation_id).where(invitation.c.member_id == member.id)
        )
    )
    responses = {
        r.consultation_id: r
        for r in db.session.scalars(
            sa.select(Response)
            .options(sa.orm.joinedload(Response.submitted_by))
            .where(Response.member_id == member.id)
        )
    }
    wanted = invited_ids | set(responses)
    consultations = (
        list(
            db.session.scalars(
                sa.select(Consultation)
                .where(Consultation.id.in_(wanted))
                .order_by(Consultation.closes_at.desc())
            )
        )
        if wanted
        else []
    )
    participation = [
        InvitationRow(c, c.id in invited_ids, responses.get(c.id)) for c in consultations
    ]
    return member, accounts(users), participation


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
