"""The Administration manages accounts: invite, resend, deactivate, reactivate, move."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app

from consult.auth import tokens
from consult.auth.models import Role, TokenPurpose, User
from consult.core import audit
from consult.core.actions import Action
from consult.core.database import DbSession, write_transaction
from consult.core.refusals import Refused
from consult.extensions import db
from consult.mail.links import external_url
from consult.mail.models import MailKind
from consult.mail.outbox import enqueue
from consult.mail.render import render_message
from consult.members import signals as member_signals
from consult.members.models import Member


class AccountError(Refused, ValueError):
    """The change cannot be made; ``field`` names the form field it concerns, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    def located(self) -> list[tuple[str | None, Any]]:
        return [(self.field, self)]


class EmailTaken(AccountError):
    """Another account has this e-mail address."""

    def __init__(self, existing: User) -> None:
        super().__init__("e-mail taken", "email")
        self.existing = existing


def normalise_email(email: str) -> str:
    return email.strip().lower()


def invite(
    actor_id: int,
    *,
    email: str,
    name: str,
    role: Role,
    member_id: int | None = None,
    locale: str | None = None,
) -> User:
    """Create an account without a password and send its invitation (one transaction)."""
    email = normalise_email(email)
    with write_transaction(db.session) as session:
        existing = session.scalar(sa.select(User).where(User.email == email))
        if existing is not None:
            raise EmailTaken(existing)
        member = None
        if role is Role.DELEGATE:
            member = session.get(Member, member_id) if member_id is not None else None
            if member is None:
                raise AccountError("no such member", "member")
            if not member.active:
                raise AccountError("member inactive", "member")
        user = User(email=email, name=name.strip(), role=role, member=member, locale=locale)
        session.add(user)
        session.flush()
        _send_invitation(session, user, actor_id)
        audit.record(
            session,
            Action.USER_INVITED,
            actor_id=actor_id,
            member_id=user.member_id,
            user=user.id,
            email=email,
            role=role.value,
        )
    return user


def resend_invitation(actor_id: int, user_id: int) -> User:
    """A fresh invitation link; the earlier one stops working."""
    with write_transaction(db.session) as session:
        user = _user(session, user_id)
        if user.password_hash:
            raise AccountError("already accepted")
        if not user.active:
            raise AccountError("inactive")
        _send_invitation(session, user, actor_id)
        audit.record(
            session,
            Action.INVITATION_RESENT,
            actor_id=actor_id,
            member_id=user.member_id,
            user=user.id,
        )
    return user


def _send_invitation(session: DbSession, user: User, actor_id: int | None) -> None:
    lifetime = current_app.config["INVITATION_LIFETIME"]
    raw, token = tokens.issue(
        session, user, TokenPurpose.INVITATION, lifetime, created_by_id=actor_id
    )
    message = render_message(
        "invitation",
        user.locale,
        user=user,
        link=external_url("auth.invitation_link", token=raw),
        expires_at=token.expires_at,
    )
    enqueue(session, user, MailKind.INVITATION, message, secret=True, member_id=user.member_id)


def deactivate(actor_id: int, user_id: int) -> User:
    """The account can no longer sign in; its open sessions end at once."""
    with write_transaction(db.session) as session:
        user = _user(session, user_id)
        if user.id == actor_id:
            raise AccountError("self")
        if user.is_admin and user.active and _active_admins(session) <= 1:
            raise AccountError("last admin")
        user.active = False
        user.end_sessions()
        tokens.revoke(session, user.id)
        audit.record(
            session,
            Action.USER_DEACTIVATED,
            actor_id=actor_id,
            member_id=user.member_id,
            user=user.id,
        )
    return user


def reactivate(actor_id: int, user_id: int) -> User:
    with write_transaction(db.session) as session:
        user = _user(session, user_id)
        user.active = True
        audit.record(
            session,
            Action.USER_REACTIVATED,
            actor_id=actor_id,
            member_id=user.member_id,
            user=user.id,
        )
    return user


def move(actor_id: int, user_id: int, member_id: int) -> User:
    """The delegate now answers for another member; their open sessions end at once."""
    with write_transaction(db.session) as session:
        user = _user(session, user_id)
        if user.role is not Role.DELEGATE:
            raise AccountError("not a delegate")
        member = session.get(Member, member_id)
        if member is None:
            raise AccountError("no such member", "member")
        if member.id == user.member_id:
            raise AccountError("same member", "member")
        previous = user.member_id
        user.member = member
        user.end_sessions()
        audit.record(
            session,
            Action.DELEGATE_MOVED,
            actor_id=actor_id,
            member_id=member.id,
            user=user.id,
            from_member=previous,
        )
    return user


def update(actor_id: int, user_id: int, *, name: str, locale: str | None) -> User:
    """Change the name and the language of an account's messages."""
    with write_transaction(db.session) as session:
        user = _user(session, user_id)
        user.name = name.strip()
        user.locale = locale
        audit.record(
            session, Action.USER_UPDATED, actor_id=actor_id, member_id=user.member_id, user=user.id
        )
    return user


def _user(session: DbSession, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(user_id)
    return user


def _active_admins(session: DbSession) -> int:
    return int(
        session.scalar(
            sa.select(sa.func.count()).select_from(User).where(User.role == Role.ADMIN, User.active)
        )
        or 0
    )


def _end_delegates_sessions(_sender: object, *, session: DbSession, member: Member) -> None:
    """A deactivated member's delegates are signed out at once (in the same transaction)."""
    for user in session.scalars(sa.select(User).where(User.member_id == member.id)):
        user.end_sessions()


def connect() -> None:
    """React to the registry's events (idempotent)."""
    member_signals.deactivated.connect(_end_delegates_sessions)
