"""``consult consultations``: dump YAML, list the consultations (``import`` is in
``documents/cli.py``: it stores the documents' files too)."""

from __future__ import annotations

import click
from flask import current_app


@click.group("consultations")
def consultations_group() -> None:
    """Consultations written as YAML: import, dump, list."""


@consultations_group.command("dump")
@click.argument("slug")
def dump_command(slug: str) -> None:
    """Write the consultation SLUG as YAML (times in the organisation's zone)."""
    from consult.consultations.importing import dump_text

    text = dump_text(slug)
    if text is None:
        raise click.ClickException(f"no consultation {slug}")
    click.echo(text, nl=False)


@consultations_group.command("list")
def list_command() -> None:
    """Slug, title, status and deadline of every consultation."""
    from consult.consultations.importing import summary_rows
    from consult.core.timefmt import format_moment

    rows = summary_rows()
    if not rows:
        click.echo("no consultation")
        return
    zone = current_app.config["TIMEZONE"]
    width = max(len(r["slug"]) for r in rows)
    for r in rows:
        deadline = format_moment(r["closes_at"], zone, "en")
        click.echo(f"{r['slug']:<{width}}  {r['stage']:<9}  {deadline}  {r['title']}")
