"""What the pages about accounts read: delegates with their latest invitation and its
delivery, and the search across members (case and accents ignored)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from consult.auth.models import AccountToken, Role, TokenPurpose, User
from consult.core.paging import Page, page_of
from consult.core.plaintext import fold
from consult.extensions import db
from consult.mail.models import MailKind, OutboxMessage
from consult.members.models import Member, searchable


@dataclass(frozen=True)
class DelegateRow:
    user: User
    invited_at: object | None  # datetime of the latest invitation
    mail: OutboxMessage | None  # the latest invitation message


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
    member = searchable(m.code, m.name, m.translations) if m is not None else ""
    return f"{user.name} {user.email} {member}"


def administrators(page: int) -> tuple[Page[User], list[DelegateRow]]:
    """A page of the administrators' accounts (the active ones first) and their rows."""
    shown = page_of(
        db.session,
        sa.select(User)
        .where(User.role == Role.ADMIN)
        .order_by(sa.not_(User.active), User.name, User.id),
        page,
    )
    return shown, accounts(list(shown.items))


def active_members() -> list[Member]:
    """The members a delegate may be moved to, by code."""
    return list(db.session.scalars(sa.select(Member).where(Member.active).order_by(Member.code)))
