"""User accounts."""

from __future__ import annotations

import enum
import functools
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from consult.core import clock
from consult.core.base import enum_column
from consult.extensions import Model
from consult.members.models import Member


def _hash_method() -> str:
    """The configured scheme (``PASSWORD_HASH_METHOD``): scrypt except in the tests."""
    return current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"


@functools.cache
def _dummy_hash(method: str) -> str:
    """A valid hash to compare against when the account does not exist, so that an unknown
    e-mail costs the same time as a wrong password."""
    return generate_password_hash("not-a-real-password", method=method)


#: The one password rule: forms word it, :meth:`User.set_password` enforces it.
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 200


class PasswordRefused(ValueError):
    """A password outside the length rule."""


class Role(enum.StrEnum):
    ADMIN = "admin"
    DELEGATE = "delegate"


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


class User(Model):
    __tablename__ = "user_account"
    __table_args__ = (
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        sa.CheckConstraint("role = 'admin' OR member_id IS NOT NULL", name="delegate_has_member"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"), index=True)
    locale: Mapped[str | None] = mapped_column(sa.String(5))
    active: Mapped[bool] = mapped_column(default=True)
    session_nonce: Mapped[str] = mapped_column(sa.String(32), default=new_nonce)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    member: Mapped[Member | None] = relationship(lazy="joined")

    # Flask-Login protocol ------------------------------------------------------------------
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active and (self.member is None or self.member.active)

    def get_id(self) -> str:
        """Identify the session by id *and* nonce, so a new nonce ends every session."""
        return f"{self.id}:{self.session_nonce}"

    # Passwords ------------------------------------------------------------------------------
    def set_password(self, password: str) -> None:
        """Set a new password; the length rule is checked here, wherever the password comes
        from (forms, the CLI, a link)."""
        if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
            raise PasswordRefused(len(password))
        self.password_hash = generate_password_hash(password, method=_hash_method())
        self.session_nonce = new_nonce()

    def check_password(self, password: str) -> bool:
        if not self.password_hash:
            check_unknown_password(password)
            return False
        return check_password_hash(self.password_hash, password)

    def end_sessions(self) -> None:
        """Invalidate every signed-in session of this user."""
        self.session_nonce = new_nonce()

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


def check_unknown_password(password: str) -> None:
    """Spend the same time as a password check for an account that does not exist."""
    check_password_hash(_dummy_hash(_hash_method()), password)


class TokenPurpose(enum.StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose name, not a password


class AccountToken(Model):
    """A single-use link to set a password: only the SHA-256 digest of the token is stored.

    ``fingerprint`` digests the password hash the account had when the token was issued, so
    any later password change (from any path) makes the token useless.
    """

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(enum_column(TokenPurpose))
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class ResetRequest(Model):
    """A password reset asked for an address, waiting to be answered outside the request.

    The request writes this row and nothing else, whether or not an account has the address,
    so that its timing says nothing; the mail worker (or, in development and tests, the end of
    the request) looks the address up, issues the link and queues the message, then deletes
    the row.
    """

    __tablename__ = "reset_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    requested_at: Mapped[datetime] = mapped_column(default=clock.now)
