"""The active delegates of member states: who receives their messages and sees them listed."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from consult.auth.models import Role, User
from consult.core.database import DbSession


def delegates_of(session: DbSession, member_ids: Iterable[int]) -> dict[int, list[User]]:
    """Active delegates of each of ``member_ids`` (one query)."""
    found: dict[int, list[User]] = {}
    ids = list(member_ids)
    if not ids:
        return found
    for user in session.scalars(
        sa.select(User)
        .where(User.member_id.in_(ids), User.role == Role.DELEGATE, User.active)
        .order_by(User.name, User.email)
    ):
        found.setdefault(user.member_id or 0, []).append(user)
    return found


def delegates_select(
    member_id: int | sa.BindParameter[int],
) -> sa.Select[int, str, str | None]:
    """The ``id``, ``email`` and ``locale`` of the member's active delegates, as a select (for
    messages written to them in one statement)."""
    return sa.select(User.id, User.email, User.locale).where(
        User.member_id == member_id, User.role == Role.DELEGATE, User.active
    )
