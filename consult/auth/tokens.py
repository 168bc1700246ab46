"""Single-use links for invitations and password resets.

A token is 32 random bytes (256 bits) in URL-safe base64; the database keeps only its SHA-256
digest. A token is accepted when it exists for the purpose, has not been used or revoked, has
not expired, its account is active, and the account's password has not changed since it was
issued (the stored fingerprint of the password hash still matches).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa

from consult.auth.models import AccountToken, TokenPurpose, User
from consult.core import clock
from consult.core.database import DbSession

#: Longer values are not tokens we issued; refuse them before touching the database.
MAX_LENGTH = 100


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def fingerprint(user: User) -> str:
    """Changes whenever the user's password changes."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()


def issue(
    session: DbSession,
    user: User,
    purpose: TokenPurpose,
    lifetime: timedelta,
    *,
    created_by_id: int | None = None,
) -> tuple[str, AccountToken]:
    """A new token for ``user``; earlier unused tokens of the same purpose are revoked."""
    revoke(session, user.id, purpose)
    raw = secrets.token_urlsafe(32)
    now = clock.now()
    token = AccountToken(
        user_id=user.id,
        purpose=purpose,
        digest=digest(raw),
        fingerprint=fingerprint(user),
        created_at=now,
        expires_at=now + lifetime,
        created_by_id=created_by_id,
    )
    session.add(token)
    session.flush()
    return raw, token


def revoke(session: DbSession, user_id: int, purpose: TokenPurpose | None = None) -> None:
    """Mark the user's unused tokens (of ``purpose``, or all) as used."""
    query = sa.update(AccountToken).where(
        AccountToken.user_id == user_id, AccountToken.used_at.is_(None)
    )
    if purpose is not None:
        query = query.where(AccountToken.purpose == purpose)
    session.execute(query.values(used_at=clock.now()))


def exchange(session: DbSession, raw: str, purpose: TokenPurpose) -> str | None:
    """Replace a valid token by a fresh one and return it (None when ``raw`` is not valid).

    The link's token stops working on first use: the new one lives only in the browser's
    session, so the address that reached access logs and browser history is no longer usable.
    Expiry, purpose and account stay those of the link.
    """
    token = find_valid(session, raw, purpose)
    if token is None:
        return None
    fresh = secrets.token_urlsafe(32)
    token.digest = digest(fresh)
    session.flush()
    return fresh


def find_valid(session: DbSession, raw: str, purpose: TokenPurpose) -> AccountToken | None:
    """The token if it may be used now, else None (see the module docstring)."""
    if not raw or len(raw) > MAX_LENGTH or not raw.isascii():
        return None
    token = session.scalar(sa.select(AccountToken).where(AccountToken.digest == digest(raw)))
    if (
        token is None
        or token.purpose is not purpose
        or token.used_at is not None
        or token.expires_at <= clock.now()
    ):
        return None
    user = token.user
    if not user.is_active or not secrets.compare_digest(token.fingerprint, fingerprint(user)):
        return None
    return token
