"""``consult mail``: deliver the outbox from the command line (or a scheduler)."""

from __future__ import annotations

import click


@click.group("mail")
def mail_group() -> None:
    """Deliver e-mail waiting in the outbox."""


@mail_group.command("send")
@click.option("--retry-failed", is_flag=True, help="Retry failed messages now, even given-up ones.")
def send(retry_failed: bool) -> None:
    """Deliver every message that is due; exits 1 when some could not be sent."""
    import sqlalchemy as sa

    from consult.extensions import db
    from consult.mail.models import OutboxMessage
    from consult.mail.outbox import BATCH, deliver, write_deferred

    write_deferred()

    ids = None
    if retry_failed:
        ids = list(
            db.session.scalars(
                sa.select(OutboxMessage.id).where(
                    OutboxMessage.sent_at.is_(None), OutboxMessage.attempts > 0
                )
            )
        )
    outcome = deliver(ids, include_due=True, force=retry_failed)
    sent, failed, errors = outcome.sent, outcome.failed, set(outcome.errors)
    while not outcome.failed and outcome.sent >= BATCH:  # more may be waiting
        outcome = deliver()
        sent, failed = sent + outcome.sent, failed + outcome.failed
        errors.update(outcome.errors)
    for error in sorted(errors):
        click.echo(f"not sent: {error}", err=True)
    click.echo(f"{sent} sent, {failed} not sent")
    if failed:
        raise SystemExit(1)


@mail_group.command("worker")
@click.option(
    "--interval", default=5.0, show_default=True, help="Seconds between passes.", type=float
)
def worker(interval: float) -> None:
    """Answer reset requests and deliver the outbox every few seconds until stopped (SIGTERM or
    Ctrl-C). Run it beside the web server when MAIL_DELIVER_IN_REQUEST is false."""
    import signal
    import threading

    from consult.mail.worker import run

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    click.echo(f"mail worker: a pass every {interval:g} s (stop with Ctrl-C)")
    run(stop, interval)
