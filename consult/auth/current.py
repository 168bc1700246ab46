"""The signed-in user as every page sees it: a plain, immutable copy of their account and
member read as one Core row (no ORM object to build, track or expire on each request).

Writes never go through it: a service that changes the account reads the account itself
(:mod:`consult.auth.services`), by its id.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar, cast

import sqlalchemy as sa

from consult.auth.models import Role, User
from consult.core.database import Prepared
from consult.core.translated import Localized
from consult.extensions import db
from consult.members.models import Member, MemberKind


@dataclass(frozen=True, slots=True)
class SignedMember(Localized):
    """The member a delegate answers for: what the pages show of it and the rules ask."""

    id: int
    code: str
    name: str
    kind: MemberKind
    active: bool
    translations: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The account of the session (Flask-Login's user): its columns, not its password hash."""

    id: int
    email: str
    name: str
    role: Role
    member_id: int | None
    locale: str | None
    active: bool
    session_nonce: str
    member: SignedMember | None

    # Flask-Login protocol ------------------------------------------------------------------
    is_authenticated: ClassVar[bool] = True
    is_anonymous: ClassVar[bool] = False

    @property
    def is_active(self) -> bool:
        """As ``User.is_active``: the account and its member (if any) are active."""
        return self.active and (self.member is None or self.member.active)

    def get_id(self) -> str:
        """As ``User.get_id``: id and nonce, so that a new nonce ends every session."""
        return f"{self.id}:{self.session_nonce}"

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


@functools.cache
def _statement() -> Prepared:
    """The account with its member, by id (built once; bound parameter ``user_id``), as a
    :class:`~consult.core.database.Prepared` statement: read on every request, where
    SQLAlchemy's ``execute`` cost several times the database's own work."""
    u = cast(sa.Table, User.__table__).c
    m = cast(sa.Table, Member.__table__).c
    return Prepared(
        sa.select(
            u.id,
            u.email,
            u.name,
            u.role,
            u.member_id,
            u.locale,
            u.active,
            u.session_nonce,
            m.code,
            m.name.label("member_name"),
            m.kind,
            m.active.label("member_active"),
            m.translations,
        )
        .select_from(u.id.table.outerjoin(m.id.table, m.id == u.member_id))
        .where(u.id == sa.bindparam("user_id"))
    )


def signed_in(user_id: int) -> SignedIn | None:
    """The account ``user_id`` with its member, or None (one statement, in the request's
    transaction, or before it has begun on the server: on PostgreSQL without a BEGIN round
    trip of its own, ``Prepared.first_alone``; for a view that begins writing, before its
    write lock on SQLite, ``core.database.begins_writing``)."""
    row = _statement().first_alone(db.session.connection(), {"user_id": user_id})
    if row is None:
        return None
    (uid, email, name, role, member_id, locale, active, nonce) = row[:8]
    member = None
    if member_id is not None:
        code, member_name, kind, member_active, translations = row[8:]
        member = SignedMember(
            member_id, code, member_name, kind, member_active, MappingProxyType(translations or {})
        )
    return SignedIn(uid, email, name, role, member_id, locale, active, nonce, member)


def of(user: User) -> SignedIn:
    """The same view of an account the caller holds as a model (just signed in, or whose
    password just changed), without reading it again."""
    member = user.member
    return SignedIn(
        user.id,
        user.email,
        user.name,
        user.role,
        user.member_id,
        user.locale,
        user.active,
        user.session_nonce,
        None
        if member is None
        else SignedMember(
            member.id,
            member.code,
            member.name,
            member.kind,
            member.active,
            MappingProxyType(dict(member.translations or {})),
        ),
    )
