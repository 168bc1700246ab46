"""``consult audit``: verify the record; print or issue signed statements of its head."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.group("audit")
def audit_group() -> None:
    """Check the audit trail and print statements of its head."""


@audit_group.command("verify")
@click.option(
    "--statement",
    "statements",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A statement filed earlier (from `consult audit statement`, an export or an e-mail); "
    "may be given several times.",
)
def verify(statements: tuple[Path, ...]) -> None:
    """Verify the audit trail against every head recorded in receipts, checkpoints and the
    given statements, and every response's revision chain; exits 1 when a row was altered or
    removed, or the trail was cut short."""
    from consult.audit.verify import Anchor, verify_all
    from consult.core.anchors import BadStatement, parse_statement, signature_valid
    from consult.core.keys import verification_keys
    from consult.extensions import db

    anchors = []
    for path in statements:
        try:
            statement = parse_statement(path.read_text(encoding="utf-8", errors="replace"))
        except BadStatement as error:
            raise click.ClickException(f"{path}: {error}") from error
        if not signature_valid(statement, verification_keys()):
            raise click.ClickException(
                f"{path}: the signature does not match (altered, or its key "
                f"{statement.key_id} is not configured)"
            )
        anchors.append(Anchor(statement.head, f"the statement {path.name}"))
    report = verify_all(db.session, anchors)
    if report.broken_events:
        events = ", ".join(map(str, report.broken_events))
        more = report.broken_event_count - len(report.broken_events)
        click.echo(
            f"audit chain broken at event(s): {events}" + (f" and {more} more" if more else ""),
            err=True,
        )
    for anchor_break in report.anchor_breaks:
        click.echo(anchor_break.describe(report.events), err=True)
    for found, member, slug in report.breaks:
        click.echo(f"revision chain broken: {found.describe()} ({member}, {slug})", err=True)
    if not report.intact:
        sys.exit(1)
    click.echo(f"audit chain intact ({report.events} events, {report.anchors} recorded heads)")
    click.echo(
        f"revision chains intact ({report.revisions} revisions of {report.responses} responses)"
    )


@audit_group.command("statement")
@click.argument("checkpoint", type=int, required=False)
@click.option("--new", is_flag=True, help="Record a checkpoint of the head now and print it.")
def statement(checkpoint: int | None, new: bool) -> None:
    """Print the signed statement of a checkpoint (the newest by default), to file or e-mail;
    `consult audit verify --statement FILE` checks the record against it later."""
    import sqlalchemy as sa

    from consult.core import audit
    from consult.extensions import db

    if new:
        click.echo(audit.issue_statement(), nl=False)
        return
    query = sa.select(audit.AuditCheckpoint.statement)
    if checkpoint is None:
        query = query.order_by(audit.AuditCheckpoint.id.desc()).limit(1)
    else:
        query = query.where(audit.AuditCheckpoint.id == checkpoint)
    text = db.session.scalar(query)
    if text is None:
        raise click.ClickException(
            "no such checkpoint" if checkpoint else "no checkpoint yet: use --new"
        )
    click.echo(text, nl=False)
