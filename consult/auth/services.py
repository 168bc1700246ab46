"""Sign-in, language choice and account creation."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from consult.auth import tokens
from consult.auth.models import (
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    PasswordRefused,
    Role,
    User,
    check_unknown_password,
)
from consult.core import audit, security_log
from consult.core.actions import Action
from consult.core.database import write_transaction
from consult.core.refusals import Refused
from consult.core.security_log import SecurityKind
from consult.extensions import db
from consult.members.models import Member


class CreateRefused(ValueError):
    """An account cannot be created as asked."""


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (same cost either way)."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        check_unknown_password(password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


def sign_in(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, the sign-in recorded; or None, the
    failed attempt in the security log."""
    user = authenticate(email, password)
    if user is None:
        record_sign_in_failure(email)
        return None
    record_sign_in(user)
    return user


def record_sign_in(user: User) -> None:
    with write_transaction(db.session):
        audit.record(db.session, Action.SIGN_IN, actor_id=user.id)


def record_sign_in_failure(email: str) -> None:
    """Log a failed attempt in the security log (the e-mail as typed, never the password)."""
    security_log.record(SecurityKind.SIGN_IN_FAILED, status=200, email=email.strip().lower())


def sign_out(user_id: int) -> None:
    """End every session of the account by renewing its session nonce."""
    with write_transaction(db.session):
        fresh = db.session.get(User, user_id)
        if fresh is not None:
            fresh.end_sessions()


class WrongPassword(Refused, ValueError):
    """The current password given is not the account's."""

    def located(self) -> list[tuple[str | None, Any]]:
        return [("current", self)]


def change_password(user_id: int, current: str, new: str) -> User:
    """Set a new password of the account ``user_id`` once the current one is confirmed.

    Every other session of the account ends (new nonce) and its pending invitation or reset
    links stop working. A wrong current password is recorded and raises
    :class:`WrongPassword`; nothing else changes.
    """
    user = db.session.get(User, user_id)
    if user is None:
        raise WrongPassword
    if not user.check_password(current):  # outside the writing transaction: scrypt is slow
        with write_transaction(db.session) as session:
            audit.record(
                session, Action.PASSWORD_CHANGE_REFUSED, actor_id=user_id, member_id=user.member_id
            )
        raise WrongPassword
    with write_transaction(db.session) as session:
        fresh = session.get(User, user_id)
        if fresh is None:
            raise WrongPassword
        fresh.set_password(new)  # also renews the session nonce
        tokens.revoke(session, fresh.id)
        audit.record(session, Action.PASSWORD_CHANGED, actor_id=fresh.id, member_id=fresh.member_id)
    return fresh


def set_locale(user_id: int, locale: str) -> None:
    """Remember the account's language (pages and messages)."""
    with write_transaction(db.session):
        fresh = db.session.get(User, user_id)
        if fresh is not None:
            fresh.locale = locale


def create_user(
    email: str,
    *,
    role: Role,
    name: str = "",
    member_code: str | None = None,
    password: str | None = None,
    locale: str | None = None,
) -> User:
    """Create an account; a delegate belongs to a member state."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise CreateRefused(f"not an e-mail address: {email!r}")
    with write_transaction(db.session):
        if db.session.scalar(sa.select(User.id).where(User.email == email)):
            raise CreateRefused(f"an account with e-mail {email} exists already")
        member = None
        if role is Role.DELEGATE:
            if not member_code:
                raise CreateRefused("a delegate needs --member CODE")
            member = db.session.scalar(sa.select(Member).where(Member.code == member_code.upper()))
            if member is None:
                raise CreateRefused(f"no member with code {member_code}")
        user = User(email=email, name=name or email.split("@")[0], role=role, member=member)
        user.locale = locale
        if password:
            try:
                user.set_password(password)
            except PasswordRefused as error:
                raise CreateRefused(
                    f"the password needs between {PASSWORD_MIN_LENGTH} and "
                    f"{PASSWORD_MAX_LENGTH} characters"
                ) from error
        db.session.add(user)
        db.session.flush()
        audit.record(db.session, Action.USER_CREATED, actor_id=None, email=email, role=role.value)
    return user
