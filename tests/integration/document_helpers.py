"""Uploading documents as the Administration does, and looking at the store."""

from __future__ import annotations

import io
from pathlib import Path

import sqlalchemy as sa
from flask.testing import FlaskClient

from consult.core.audit import AuditEvent
from consult.documents import storage
from consult.documents.models import Attachment, AttachmentFile
from consult.extensions import db
from tests.conftest import csrf_token, session_csrf_token


def page_token(client: FlaskClient, slug: str) -> str:
    return csrf_token(client, f"/admin/consultations/{slug}/documents")


def add_document(
    client: FlaskClient,
    slug: str,
    data: bytes,
    filename: str = "note.pdf",
    *,
    kind: str = "note",
    language: str = "en",
    title: str = "",
    token: str | None = None,
):
    form = {
        "kind": kind,
        "title-en": title,
        "title-fr": "",
        "title-es": "",
        "language": language,
        "file": (io.BytesIO(data), filename),
    }
    if token is not False:
        form["csrf_token"] = token or session_csrf_token(client)
    return client.post(
        f"/admin/consultations/{slug}/documents", data=form, content_type="multipart/form-data"
    )


def add_file(
    client: FlaskClient,
    slug: str,
    attachment_id: int,
    data: bytes,
    filename: str = "note.pdf",
    *,
    language: str = "fr",
    note: str = "",
):
    prefix = f"d{attachment_id}-"
    form = {
        "csrf_token": session_csrf_token(client),
        prefix + "language": language,
        prefix + "note": note,
        prefix + "file": (io.BytesIO(data), filename),
    }
    return client.post(
        f"/admin/consultations/{slug}/documents/{attachment_id}/files",
        data=form,
        content_type="multipart/form-data",
    )


def stored_files() -> set[Path]:
    """Every file of the store, temporary ones included."""
    root = storage.root()
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def snapshot() -> tuple:
    """The document rows, the audit trail and the store, to prove that nothing changed."""
    rows = []
    for model in (Attachment, AttachmentFile, AuditEvent):
        rows.append(tuple(tuple(r) for r in db.session.execute(sa.select(model.__table__)).all()))
    return (*rows, frozenset(stored_files()))


def files() -> list[AttachmentFile]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AttachmentFile).order_by(AttachmentFile.id)))
