"""Security headers on every response."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_login import current_user

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def init_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        h = response.headers
        h.setdefault("Content-Security-Policy", CSP)
        h["X-Content-Type-Options"] = "nosniff"
        h["X-Frame-Options"] = "DENY"
        h["Referrer-Policy"] = "same-origin"
        h["Cross-Origin-Opener-Policy"] = "same-origin"
        req = request._get_current_object()  # type: ignore[attr-defined]
        if app.config.get("SESSION_COOKIE_SECURE") or req.is_secure:
            h["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if req.endpoint != "static":
            user = current_user._get_current_object()  # looked up once, not per attribute
            if user and user.is_authenticated:
                h["Cache-Control"] = "no-store"
        return response
