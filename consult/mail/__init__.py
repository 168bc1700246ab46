"""E-mail: an outbox written with the action, delivered over SMTP or to the console.

The package knows addresses, not accounts or consultations: the features write their messages
(notices, receipts, reminders, invitations) and hand them to :mod:`consult.mail.outbox`."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, flash, g
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger("consult.mail")


def init_mail(app: Flask) -> None:
    """Deliver what a request queued once it has committed."""
    from consult.mail import outbox

    @app.after_request
    def _deliver_queued(response: Response) -> Response:
        """With ``MAIL_DELIVER_IN_REQUEST`` (development, tests): write the messages this
        request deferred (:func:`outbox.defer`) and deliver those it queued, plus retries that
        are due. Otherwise the mail worker does it and the page never waits for the mail
        server."""
        deferred, queued = g.pop("mail_deferred", None), g.pop("mail_queued", None)
        if (
            not (deferred or queued)
            or not current_app.config["MAIL_DELIVER_IN_REQUEST"]
            or g.get("database_unavailable")
        ):
            return response
        try:
            if deferred:
                queued = (queued or []) + outbox.write_deferred(deferred)
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
        """Messages waiting after a failed attempt (``outbox.request_failures``); 0 when the
        database cannot say (the page is shown all the same)."""
        try:
            return outbox.request_failures()
        except SQLAlchemyError:
            outbox.failures_counted(0)
            return 0

    app.jinja_env.globals["mail_failures"] = mail_failures
