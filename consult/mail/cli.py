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
    from consult.mail.outbox import BATCH, deliver

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
