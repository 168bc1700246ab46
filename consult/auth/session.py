"""Flask-Login wiring: the session names the user *and* their nonce; lifetimes are enforced."""

from __future__ import annotations

import hmac
import time

from flask import Flask, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from consult.auth.models import User
from consult.extensions import db, login_manager

IDLE_SECONDS = 2 * 3600
ABSOLUTE_SECONDS = 12 * 3600


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, nonce = session_id.partition(":")
    if not user_id.isdigit() or not nonce:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active:
        return None
    if not hmac.compare_digest(user.session_nonce, nonce):
        return None
    return user


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.session_protection = "basic"

    @app.before_request
    def _enforce_lifetimes():
        if request.endpoint == "static" or not current_user.is_authenticated:
            return None
        now = int(time.time())
        started = session.get("signed_in_at", 0)
        seen = session.get("seen_at", 0)
        if now - started > ABSOLUTE_SECONDS or now - seen > IDLE_SECONDS:
            logout_user()
            session.clear()
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        session["seen_at"] = now
        return None
