"""Mail outside the request: ``consult mail worker`` writes the deferred messages (answers to
reset requests) and delivers the outbox in a loop, so that no page waits for the mail server
(production's way; ``make run`` starts one beside the development server)."""

from __future__ import annotations

import logging
import threading

from sqlalchemy.exc import SQLAlchemyError

from consult.extensions import db
from consult.mail import outbox

log = logging.getLogger("consult.mail")


def run_pass() -> outbox.Delivery:
    """Write every deferred message (answers to reset requests), then deliver every message
    that is due."""
    total = outbox.Delivery()
    while True:
        answered = outbox.write_deferred()
        outcome = outbox.deliver()
        total.sent += outcome.sent
        total.failed += outcome.failed
        total.errors.extend(outcome.errors)
        if len(answered) < outbox.BATCH and outcome.sent + outcome.failed < outbox.BATCH:
            return total


def run(stop: threading.Event, interval: float) -> None:
    """Passes every ``interval`` seconds until ``stop`` is set; a database or mail server that
    is down is logged and tried again at the next pass."""
    while not stop.is_set():
        try:
            outcome = run_pass()
            if outcome.sent or outcome.failed:
                log.info("mail worker: %d sent, %d not sent", outcome.sent, outcome.failed)
        except SQLAlchemyError as error:
            log.warning("mail worker: database unavailable (%s); trying again", error)
        finally:
            db.session.remove()
        stop.wait(interval)
