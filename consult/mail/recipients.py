"""Who receives a consultation's messages: the active delegates of invited, active members."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from consult.auth.models import Role, User
from consult.consultations.models import invitation
from consult.core.database import DbSession
from consult.members.models import Member


def delegates_of_invited(session: DbSession, consultation_id: int) -> list[User]:
    """Active delegates of every active member invited to the consultation (one query)."""
    return list(
        session.scalars(
            sa.select(User)
            .join(Member, Member.id == User.member_id)
            .join(invitation, invitation.c.member_id == Member.id)
            .where(
                invitation.c.consultation_id == consultation_id,
                User.role == Role.DELEGATE,
                User.active,
                Member.active,
            )
            .order_by(Member.code, User.email)
        )
    )


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
