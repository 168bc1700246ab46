"""``consult consultations``: import and dump YAML, list the consultations."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from consult.consultations.document import DocumentInvalid


@click.group("consultations")
def consultations_group() -> None:
    """Consultations written as YAML: import, dump, list."""


@consultations_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--replace",
    is_flag=True,
    help="Overwrite consultations of the same slug that are still drafts.",
)
@click.option(
    "--files",
    "files_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder holding the files of the documents (found by name or by SHA-256).",
)
def import_command(path: Path, replace: bool, files_dir: Path | None) -> None:
    """Import the consultation(s) of FILE.yaml, all of them or none."""
    from consult.consultations.importing import import_documents, read_text
    from consult.documents.transfer import store_files

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{path}: not UTF-8 text; nothing was imported") from error
    try:
        docs = read_text(text)
        store_files(docs, files_dir)
        created = import_documents(docs, replace=replace)
    except DocumentInvalid as error:
        for e in error.errors:
            click.echo(f"{path}:{e.line or 1}: {e.message}", err=True)
        raise click.ClickException(f"{len(error.errors)} error(s); nothing was imported") from error
    for c in created:
        click.echo(f"imported {c.slug} ({c.status.value}, {len(c.questions)} questions)")


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
