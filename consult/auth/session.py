"""Flask-Login wiring: the session names the user *and* their nonce; lifetimes are enforced."""

from __future__ import annotations

import hmac
import time

from flask import Flask, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_login.utils import login_url

from consult.auth import current, services
from consult.auth.current import SignedIn, signed_in
from consult.auth.models import User
from consult.core import security_log
from consult.core.errors import error_page
from consult.core.params import parse_id
from consult.core.security_log import SecurityKind
from consult.extensions import login_manager

IDLE_SECONDS = 2 * 3600
ABSOLUTE_SECONDS = 12 * 3600
#: The last activity is recorded to the minute: the session cookie is then signed and sent
#: again about once a minute, not on every request (a saving on every page, and on slow links).
SEEN_RESOLUTION = 60


def start(user: User) -> None:
    """Sign ``user`` in on a fresh session: no key of the session before survives (session
    fixation), but the language chosen before signing in becomes the account's if it has none."""
    chosen_locale = session.get("locale")
    session.clear()
    login_user(current.of(user))
    now = int(time.time())
    session["signed_in_at"] = now
    session["seen_at"] = now
    session.permanent = True
    if user.locale is None and chosen_locale:
        services.set_locale(user.id, chosen_locale)


def renew(user: User) -> None:
    """Carry this session on under the account's new nonce (after a password change, which
    ends the other sessions)."""
    login_user(current.of(user))
    session["seen_at"] = int(time.time())


@login_manager.user_loader
def load_user(session_id: str) -> SignedIn | None:
    """The session's account as a plain row (:mod:`consult.auth.current`), if it is still
    active (and its member) and the session's nonce is still the account's: a deactivation,
    a password change or a sign-out ends the session on its next request."""
    user_id, _, nonce = session_id.partition(":")
    uid = parse_id(user_id)
    if uid is None or not nonce:
        return None
    user = signed_in(uid)
    if user is None or not user.is_active:
        return None
    if not hmac.compare_digest(user.session_nonce, nonce):
        return None
    return user


@login_manager.unauthorized_handler
def unauthorized():
    """Sign in first. A session that was ended meanwhile (deactivated, moved to another member,
    password changed) is forgotten; a form it posts is refused with 403 and nothing saved."""
    ended = session.get("_user_id") is not None
    if ended:
        security_log.record(
            SecurityKind.ACCESS_REFUSED,
            status=403 if request.method not in ("GET", "HEAD") else 302,
            reason="session ended",
            user_id=parse_id(str(session.get("_user_id")).partition(":")[0]),
        )
        locale = session.get("locale")
        session.clear()
        if locale:
            session["locale"] = locale
        if request.method not in ("GET", "HEAD"):
            return error_page(
                403, str(_l("Your session has ended, so nothing was saved. Please sign in again."))
            )
        flash(_l("Your session has ended. Please sign in again."), "info")
    else:
        flash(login_manager.login_message, "info")
    return redirect(login_url("auth.login", next_url=request.url))


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.session_protection = "basic"

    @app.before_request
    def _enforce_lifetimes():
        req = request._get_current_object()  # type: ignore[attr-defined]
        if req.endpoint == "static" or not current_user.is_authenticated:
            return None
        now = int(time.time())
        cookie = session._get_current_object()  # type: ignore[attr-defined]
        started = cookie.get("signed_in_at", 0)
        seen = cookie.get("seen_at", 0)
        if now - started > ABSOLUTE_SECONDS or now - seen > IDLE_SECONDS:
            logout_user()
            cookie.clear()
            return redirect(url_for("auth.login", next=req.full_path.rstrip("?")))
        if now - seen >= SEEN_RESOLUTION:
            cookie["seen_at"] = now
        return None
