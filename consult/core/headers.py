"""Security headers on every response."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_login import current_user

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
#: Set on every response, over any value the view gave.
ALWAYS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
HSTS = "max-age=31536000; includeSubDomains"


def _put(response: Response, present: set[str], name: str, value: str) -> None:
    """``response.headers[name] = value``, appended when the view's headers (``present``,
    lowercased) have no such name: Werkzeug's ``set`` searches the list first, and its
    ``setdefault`` and ``in`` raise and catch an HTTP exception for a name that is absent."""
    if name.lower() in present:
        response.headers[name] = value
    else:
        response.headers.add(name, value)


def init_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        present = {name.lower() for name, _ in response.headers}
        if "content-security-policy" not in present:  # a view may set its own
            response.headers.add("Content-Security-Policy", CSP)
        for name, value in ALWAYS:
            _put(response, present, name, value)
        req = request._get_current_object()  # type: ignore[attr-defined]
        if app.config.get("SESSION_COOKIE_SECURE") or req.is_secure:
            _put(response, present, "Strict-Transport-Security", HSTS)
        if req.endpoint != "static":
            user = current_user._get_current_object()  # looked up once, not per attribute
            if user and user.is_authenticated:
                _put(response, present, "Cache-Control", "no-store")
        return response
