"""Choosing a password from an invitation or a reset link, and asking for a reset link."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask import current_app, has_request_context

from consult.auth import tokens
from consult.auth.models import AccountToken, ResetRequest, TokenPurpose, User
from consult.core import audit, clock
from consult.core.actions import Action
from consult.core.database import DbSession, write_transaction
from consult.extensions import db
from consult.mail import outbox
from consult.mail.links import external_url
from consult.mail.models import MailKind
from consult.mail.outbox import BATCH, enqueue
from consult.mail.render import render_message


class InvalidLink(ValueError):
    """The link is unknown, used, expired, revoked, or its account cannot sign in."""


def check_token(raw: str, purpose: TokenPurpose) -> AccountToken | None:
    """The token if it is usable now (read only, for showing the form)."""
    return tokens.find_valid(db.session, raw, purpose)


def take_link(raw: str, purpose: TokenPurpose) -> str | None:
    """Exchange the token of a link just opened for one kept out of URLs (None: not valid)."""
    with write_transaction(db.session) as session:
        return tokens.exchange(session, raw, purpose)


def use_token(raw: str, purpose: TokenPurpose, password: str) -> User:
    """Set the password through the link: the link and every other one of the account stop
    working, and every other session of the account ends."""
    with write_transaction(db.session) as session:
        token = tokens.find_valid(session, raw, purpose)
        if token is None:
            raise InvalidLink(purpose.value)
        user = token.user
        user.set_password(password)  # also renews the session nonce
        token.used_at = clock.now()
        tokens.revoke(session, user.id)
        action = (
            Action.INVITATION_ACCEPTED
            if purpose is TokenPurpose.INVITATION
            else Action.PASSWORD_RESET
        )
        audit.record(session, action, actor_id=user.id, member_id=user.member_id)
    return user


def request_reset(email: str) -> None:
    """Record that a reset link was asked for ``email``: one row, whatever the address, so
    that neither the answer nor its timing tells whether an account has it. The link is
    issued and sent outside the request (:func:`answer_reset_requests`)."""
    with write_transaction(db.session) as session:
        row = ResetRequest(email=email.strip().lower()[:254], requested_at=clock.now())
        session.add(row)
        session.flush()
        if has_request_context():
            outbox.defer("password_reset", row.id)


def answer_reset_requests(ids: Iterable[int] | None = None) -> list[int]:
    """Answer waiting reset requests (``ids``, or all): an active account with the address gets
    a new link by e-mail, queued in the outbox; others nothing. Returns the outbox ids."""
    queued: list[int] = []
    with write_transaction(db.session) as session:
        query = (
            sa.select(ResetRequest)
            .order_by(ResetRequest.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)  # a parallel pass skips them
        )
        if ids is not None:
            query = query.where(ResetRequest.id.in_(list(ids)))
        for request in session.scalars(query).all():
            message_id = _answer(session, request.email)
            if message_id is not None:
                queued.append(message_id)
            session.delete(request)
    return queued


def _answer(session: DbSession, email: str) -> int | None:
    user = session.scalar(sa.select(User).where(User.email == email))
    if user is None or not user.is_active:
        audit.record(session, Action.PASSWORD_RESET_REFUSED, email=email)
        return None
    lifetime = current_app.config["RESET_LIFETIME"]
    raw, token = tokens.issue(session, user, TokenPurpose.PASSWORD_RESET, lifetime)
    message = render_message(
        "password_reset",
        user.locale,
        user=user,
        link=external_url("auth.reset_link", token=raw),
        expires_at=token.expires_at,
    )
    message_id = enqueue(session, user, MailKind.PASSWORD_RESET, message, secret=True)
    audit.record(
        session, Action.PASSWORD_RESET_REQUESTED, actor_id=user.id, member_id=user.member_id
    )
    return message_id
