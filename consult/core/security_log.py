"""The security event log: refused access, CSRF failures, rate-limit hits, failed sign-ins.

Each event says who (the signed-in account and its member, or the e-mail typed), what (the
method, the route, the path and query, the answer's status, a reason) and where from (the
client address). It never holds a password, a token, a cookie or a CSRF token: secrets in
paths (invitation and reset links) and the values of secret-looking query parameters are
replaced by ``…``, and every text goes through :func:`consult.core.logtext.encode`.

Events are written on a connection of their own, outside the request's transaction: they stay
when the request is rolled back (a request refused after it began writing, the ballot's save,
first gives up its transaction: on SQLite its write lock would hold the event back until the
busy timeout), and a database that is down only loses the row (the log line
of ``consult.security`` remains). They are not part of the chained audit trail, which records
what was done; probing must not be able to hold the audit chain's lock. Administrators read
them on the audit page (Security events).
"""

from __future__ import annotations

import enum
import logging
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

import sqlalchemy as sa
from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Mapped, mapped_column

from consult.core import clock
from consult.core.base import enum_column
from consult.core.database import end_writing
from consult.core.logtext import encode
from consult.extensions import Model, db

log = logging.getLogger("consult.security")

#: Query parameters whose values are never kept.
SECRET_NAMES = ("token", "password", "secret", "key", "csrf", "session", "signature", "payload")
#: Path parameters replaced in the stored path.
SECRET_ARGS = frozenset({"token"})


class SecurityKind(enum.StrEnum):
    ACCESS_REFUSED = "access_refused"
    CSRF_FAILED = "csrf_failed"
    RATE_LIMITED = "rate_limited"
    SIGN_IN_FAILED = "sign_in_failed"


class SecurityEvent(Model):
    __tablename__ = "security_event"
    __table_args__ = (
        sa.Index(None, "kind", "id"),
        sa.Index(None, "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=clock.now)
    kind: Mapped[SecurityKind] = mapped_column(enum_column(SecurityKind, length=20))
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id", ondelete="SET NULL"))
    email: Mapped[str | None] = mapped_column(sa.String(300))
    address: Mapped[str | None] = mapped_column(sa.String(100))
    method: Mapped[str | None] = mapped_column(sa.String(10))
    endpoint: Mapped[str | None] = mapped_column(sa.String(100))
    path: Mapped[str | None] = mapped_column(sa.String(600))
    status: Mapped[int | None]
    reason: Mapped[str | None] = mapped_column(sa.String(300))
    request_id: Mapped[str | None] = mapped_column(sa.String(40))


def _secret(name: str) -> bool:
    lowered = name.lower()
    return any(part in lowered for part in SECRET_NAMES)


def safe_path() -> str:
    """The request's path and query with secrets replaced."""
    path = request.path
    for name, value in (request.view_args or {}).items():
        if name in SECRET_ARGS and isinstance(value, str) and value:
            path = path.replace(value, "…")
    query = request.query_string.decode("latin-1")
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        shown = [(k, "…" if _secret(k) else v) for k, v in pairs[:20]]
        path += "?" + urlencode(shown)
    return path


def record(
    kind: SecurityKind,
    *,
    status: int | None = None,
    reason: str = "",
    email: str | None = None,
    user_id: int | None = None,
) -> None:
    """Log one event of the current request (``user_id`` when nobody is signed in, e.g. a
    session that was ended); never raises."""
    if not has_request_context():
        return
    member_id = None
    if not g.get("database_unavailable"):
        try:
            if current_user and current_user.is_authenticated:
                user_id, member_id = current_user.id, current_user.member_id
        except sa.exc.SQLAlchemyError:  # loading the user is what failed
            pass
    fields = {
        "at": clock.now(),
        "kind": kind,
        "user_id": user_id,
        "member_id": member_id,
        "email": encode(email, 300) if email else None,
        "address": encode(request.remote_addr or "", 100),
        "method": encode(request.method, 10),
        "endpoint": encode(request.endpoint or "", 100),
        "path": encode(safe_path(), 600),
        "status": status,
        "reason": encode(reason, 300) if reason else None,
        "request_id": encode(g.get("request_id") or "", 40) or None,
    }
    log.warning(
        "%s status=%s user=%s member=%s email=%s address=%s %s %s reason=%s request=%s",
        kind.value,
        status,
        user_id,
        member_id,
        fields["email"],
        fields["address"],
        fields["method"],
        fields["path"],
        fields["reason"],
        fields["request_id"],
    )
    if g.get("database_unavailable"):
        return
    end_writing()
    try:
        with db.engine.begin() as connection:
            connection.execute(sa.insert(SecurityEvent).values(**fields))
    except sa.exc.SQLAlchemyError:
        log.exception("security event not stored (request %s)", fields["request_id"])
