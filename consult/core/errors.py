"""Error pages in the reader's language; never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc
from werkzeug.exceptions import HTTPException

from consult.core import security_log
from consult.core.requestid import accepted as accepted_request_id
from consult.core.security_log import SecurityKind

log = logging.getLogger("consult.errors")

TITLES = {
    400: _l("The request could not be understood"),
    401: _l("Please sign in"),
    403: _l("You do not have access to this page"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    409: _l("The response was changed meanwhile"),
    413: _l("What you sent is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
    503: _l("The service is briefly unavailable"),
}
EXPLANATIONS = {
    400: _l("Please go back, check what you entered and try again."),
    401: _l("Sign in to continue."),
    403: _l("If you think you should have access, contact the Administration."),
    404: _l("The address may be mistyped, or the page may have moved."),
    405: _l("Use the buttons on the page rather than typing the address."),
    409: _l("Review the current response and submit again."),
    413: _l("Shorten your texts and send again."),
    429: _l("Wait a few minutes before trying again."),
    500: _l("The error has been logged. Nothing was saved. Please try again later."),
    503: _l("Nothing was saved. Please try again in a minute."),
}

#: The database refused the connection, lost it, or cancelled a statement that ran too long
#: (PostgreSQL's statement timeout, SQLite's busy timeout); also a connection pool that stays
#: exhausted. Each is answered with 503 and Retry-After: the request may work in a minute.
DATABASE_UNAVAILABLE = (exc.OperationalError, exc.InterfaceError, exc.TimeoutError)
RETRY_AFTER_SECONDS = 30

#: Endpoints that render their own page when a form's CSRF token has expired, keeping input.
CSRF_RECOVERY: dict[str, Callable[[CSRFError], object]] = {}


def error_page(code: int, message: str | None = None, headers: dict[str, str] | None = None):
    body = render_template(
        "errors/error.html",
        code=code,
        title=TITLES.get(code, TITLES[500]),
        explanation=message or EXPLANATIONS.get(code, EXPLANATIONS[500]),
    )
    return body, code, headers or {}


def database_unavailable_page():
    """The 503 page, rendered without the database: the reader is taken as signed out for this
    page (loading the user is what failed, often), and nothing else is read."""
    from flask_login import AnonymousUserMixin

    from consult.extensions import db

    g.database_unavailable = True
    g._login_user = AnonymousUserMixin()
    try:
        db.session.rollback()
    except exc.SQLAlchemyError:
        db.session.remove()
    body, code, headers = error_page(503)
    return (
        body,
        code,
        {**headers, "Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"},
    )


def _note_refusal(code: int, error: HTTPException) -> None:
    """Security events: every 403 and 429, and a 404 from a route that exists answered to a
    signed-in user (another member's response, a consultation not shown to them)."""
    from flask_login import current_user

    reason = error.description if error.description != type(error).description else ""
    if code == 403:
        security_log.record(SecurityKind.ACCESS_REFUSED, status=code, reason=reason or "")
    elif code == 429:
        security_log.record(SecurityKind.RATE_LIMITED, status=code, reason=reason or "")
    elif code == 404 and request.url_rule is not None and current_user.is_authenticated:
        security_log.record(SecurityKind.ACCESS_REFUSED, status=code, reason=reason or "")


def init_errors(app: Flask) -> None:
    @app.before_request
    def _request_id() -> None:
        # From the environ: Werkzeug's headers raise and catch an HTTP exception for a header
        # that is absent, as this one mostly is.
        g.request_id = accepted_request_id(request.environ.get("HTTP_X_REQUEST_ID"))

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        security_log.record(SecurityKind.CSRF_FAILED, status=400, reason=error.description or "")
        recover = CSRF_RECOVERY.get(request.endpoint or "")
        if recover is not None:
            try:
                return recover(error)
            except HTTPException as refused:  # e.g. the session behind the form has ended
                return _http(refused)
        return error_page(
            400, str(_l("This form has expired or was not sent from this site. Please try again."))
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        original = getattr(error, "original_exception", None)  # a 500 made of an error
        if isinstance(original, DATABASE_UNAVAILABLE):  # raised outside a view, or twice
            return _database_unavailable(original)
        if isinstance(original, HTTPException):  # abort() inside another handler
            return _http(original)
        code = error.code or 500
        _note_refusal(code, error)
        headers = {}
        if code == 429:
            headers["Retry-After"] = str(getattr(error, "retry_after", None) or 900)
        if code == 405 and error.get_response().headers.get("Allow"):
            headers["Allow"] = error.get_response().headers["Allow"]
        return error_page(code, None, headers)

    @app.errorhandler(exc.OperationalError)
    @app.errorhandler(exc.InterfaceError)
    @app.errorhandler(exc.TimeoutError)
    def _database_unavailable(error: Exception):
        log.error(
            "database unavailable (request %s): %s",
            g.get("request_id"),
            getattr(error, "orig", None) or error,
        )
        return database_unavailable_page()

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return _http(error)
        log.exception("unhandled error (request %s)", g.get("request_id"))
        return error_page(500)
