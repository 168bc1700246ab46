"""``consult documents verify``: every file the database names is in the store, unaltered; and
``consult consultations import``, which stores the files of the documents a YAML file names."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlalchemy as sa

from consult.consultations.document import DocumentInvalid


@click.group("documents")
def documents_group() -> None:
    """Documents of consultations."""


@documents_group.command("verify")
def verify_command() -> None:
    """Check that each document file is in the store with the SHA-256 it was recorded with;
    exits 1 when one is missing or altered."""
    from consult.consultations.models import Consultation
    from consult.documents import storage
    from consult.documents.models import Attachment, AttachmentFile
    from consult.extensions import db

    rows = db.session.execute(
        sa.select(AttachmentFile, Consultation.slug)
        .join(Attachment, Attachment.id == AttachmentFile.attachment_id)
        .join(Consultation, Consultation.id == Attachment.consultation_id)
        .order_by(AttachmentFile.id)
    ).all()
    broken = 0
    for row, slug in rows:
        path = storage.path_of(row.sha256)
        where = f"{slug}: {row.name} ({row.language}, version {row.version}, file {row.id})"
        if not path.is_file():
            click.echo(f"missing: {where}: no {path}", err=True)
            broken += 1
        elif storage.sha256_of(path) != row.sha256:
            click.echo(f"altered: {where}: {path} no longer has its SHA-256", err=True)
            broken += 1
    if broken:
        sys.exit(1)
    click.echo(f"documents intact ({len(rows)} files in {storage.root()})")


@click.command("import")
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
