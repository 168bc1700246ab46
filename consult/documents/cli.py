"""``consult documents verify``: every file the database names is in the store, unaltered."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa


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
