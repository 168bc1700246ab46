"""E-mail: an outbox written with the action, delivery over SMTP or to the console, notices."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, flash, g
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger("consult.mail")


def init_mail(app: Flask) -> None:
    """Connect the notice receivers; deliver what a request queued once it has committed."""
    from consult.auth.passwords import answer_reset_requests
    from consult.mail import notices, outbox

    notices.connect()

    @app.after_request
    def _deliver_queued(response: Response) -> Response:
        """With ``MAIL_DELIVER_IN_REQUEST`` (development, tests): answer the reset requests and
        deliver the messages this request queued, plus retries that are due. Otherwise the
        mail worker does it and the page never waits for the mail server."""
        resets, queued = g.pop("resets_queued", None), g.pop("mail_queued", None)
        if (
            not (resets or queued)
            or not current_app.config["MAIL_DELIVER_IN_REQUEST"]
            or g.get("database_unavailable")
        ):
            return response
        try:
            if resets:
                queued = (queued or []) + answer_reset_requests(resets)
                g.pop("mail_queued", None)
            outcome = outbox.deliver(queued, include_due=True)
        except Exception:  # delivery must never break the page; the outbox keeps the messages
            log.exception("mail delivery pass failed")
            return response
        if outcome.failed and current_user.is_authenticated and current_user.is_admin:
            flash(
                ngettext(
                    "%(num)d message could not be sent. It stays in the outbox and will be "
                    "retried.",
                    "%(num)d messages could not be sent. They stay in the outbox and will be "
                    "retried.",
                    outcome.failed,
                ),
                "error",
            )
        return response

    def mail_failures() -> int:
        try:
            return outbox.failed_count()
        except SQLAlchemyError:
            return 0

    app.jinja_env.globals["mail_failures"] = mail_failures
