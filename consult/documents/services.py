"""Adding, superseding and removing the documents of a consultation, with their audit events.

The file is stored first (:mod:`consult.documents.storage`), then the row is written in one
transaction holding the consultation's row, so that the rules below are checked against its
status at that moment:

- a draft's files can be replaced (same language) or removed, and its documents removed;
- once the consultation has left the draft, nothing is replaced or removed: a new version
  supersedes the current file of its language, with a note saying why, and the earlier
  version stays on record (and downloadable);
- publication freezes the documents altogether.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from consult.consultations import builder, checks, lifecycle
from consult.consultations.builder import clean_text
from consult.consultations.checks import Problem
from consult.consultations.document import Text
from consult.consultations.models import Consultation
from consult.consultations.texts import set_text
from consult.core import audit, clock, refusals
from consult.core.actions import Action
from consult.core.database import DbSession, write_transaction
from consult.documents import storage
from consult.documents.content import clean_name
from consult.documents.models import Attachment, AttachmentFile, AttachmentKind
from consult.documents.storage import Stored
from consult.extensions import db


class Refused(refusals.Refused):
    """The change is not allowed now; ``code`` says why (worded in ``documents/messages``)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    def located(self) -> list[tuple[str | None, Any]]:
        return [("language" if self.code == "language" else None, self)]


class Invalid(refusals.Invalid):
    """What was typed has problems (titles, note); nothing was written."""

    problems: list[Problem]


@dataclass(frozen=True)
class Upload:
    stored: Stored
    filename: str  # as the browser or the file system gave it


@contextmanager
def _editing(consultation_id: int) -> Iterator[tuple[Session, Consultation]]:
    """A write transaction holding the consultation's row (``FOR UPDATE`` on PostgreSQL)."""
    with write_transaction(db.session) as session:
        consultation = builder.hold(session, consultation_id)
        if consultation is None:
            raise Refused("not_found")
        yield session, consultation


def _check_editable(consultation: Consultation) -> None:
    if not lifecycle.documents_editable(consultation.status):
        raise Refused("published")


def clean_note(note: str) -> tuple[str, list[Problem]]:
    return checks.clean(note, "note", "reason")


#: For :func:`_check_upload`: the file will start a new discussion note.
NEW_NOTE = -1


def _check_upload(
    consultation_id: int, attachment_id: int | None, language: str, note: str
) -> None:
    """What can be refused before the file is stored (checked again in the transaction)."""
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        raise Refused("not_found")
    _check_editable(consultation)
    if language not in current_app.config["LANGUAGES"]:
        raise Refused("language")
    cleaned, problems = clean_note(note)
    if problems:
        raise Invalid(problems)
    if attachment_id is None:
        return
    if attachment_id == NEW_NOTE:
        if db.session.scalar(
            sa.select(sa.literal(1)).where(
                Attachment.consultation_id == consultation_id,
                Attachment.kind == AttachmentKind.NOTE,
            )
        ):
            raise Refused("one_note")
        return
    attachment = _attachment(db.session, consultation_id, attachment_id)
    superseding = any(f.language == language and f.superseded_at is None for f in attachment.files)
    if superseding and not lifecycle.documents_replaceable(consultation.status) and not cleaned:
        raise Invalid([Problem("note", checks.Issue.REQUIRED)])


def _attachment(session: DbSession, consultation_id: int, attachment_id: int) -> Attachment:
    found = session.get(Attachment, attachment_id)
    if found is None or found.consultation_id != consultation_id:
        raise Refused("not_found")
    return found


def put_file(
    session: DbSession,
    consultation: Consultation,
    attachment: Attachment,
    language: str,
    upload: Upload,
    note: str,
    actor_id: int | None,
) -> tuple[AttachmentFile, str]:
    """Add the file as the current one of its language: replacing (draft) or superseding
    (later) the file there was; returns the file and what happened."""
    if language not in current_app.config["LANGUAGES"]:
        raise Refused("language")
    note, problems = clean_note(note)
    if problems:
        raise Invalid(problems)
    now = clock.now()
    current = session.scalar(
        sa.select(AttachmentFile).where(
            AttachmentFile.attachment_id == attachment.id,
            AttachmentFile.language == language,
            AttachmentFile.superseded_at.is_(None),
        )
    )
    latest = session.scalar(
        sa.select(sa.func.max(AttachmentFile.version)).where(
            AttachmentFile.attachment_id == attachment.id, AttachmentFile.language == language
        )
    )
    action, before = Action.DOCUMENT_FILE_ADDED, None
    if current is not None:
        before = current.id
        if lifecycle.documents_replaceable(consultation.status):
            action = Action.DOCUMENT_FILE_REPLACED
            session.delete(current)
            session.flush()
            latest = session.scalar(
                sa.select(sa.func.max(AttachmentFile.version)).where(
                    AttachmentFile.attachment_id == attachment.id,
                    AttachmentFile.language == language,
                )
            )
        else:
            if not note:
                raise Invalid([Problem("note", checks.Issue.REQUIRED)])
            action = Action.DOCUMENT_FILE_SUPERSEDED
            current.superseded_at = now
            session.flush()
    stored = upload.stored
    added = AttachmentFile(
        attachment_id=attachment.id,
        language=language,
        version=(latest or 0) + 1,
        name=clean_name(upload.filename, stored.file_type),
        size=stored.size,
        content_type=stored.file_type.mimetype,
        sha256=stored.sha256,
        note=note,
        created_at=now,
        created_by_id=actor_id,
    )
    session.add(added)
    session.flush()
    details: dict[str, Any] = {"note": note} if note else {}
    if before is not None:
        details["previous"] = before
    audit.record(
        session,
        action,
        actor_id=actor_id,
        consultation_id=consultation.id,
        document=attachment.id,
        file=added.id,
        language=language,
        version=added.version,
        name=added.name,
        size=added.size,
        sha256=added.sha256,
        **details,
    )
    return added, action


def upload_document(
    consultation_id: int,
    *,
    kind: str,
    title: Text,
    language: str,
    stream: IO[bytes],
    filename: str,
    actor_id: int | None,
) -> AttachmentFile:
    """A new document (the discussion note or an annex) with its first file.

    Raises :class:`Refused`, :class:`Invalid`, :class:`~consult.documents.content.Refused`
    (the file) or :class:`~consult.documents.storage.StorageFailed`; nothing is written then.
    """
    if kind not in {k.value for k in AttachmentKind}:
        raise Refused("kind")
    title, problems = clean_text(title, "title", "title")
    if problems:
        raise Invalid(problems)
    _check_upload(consultation_id, NEW_NOTE if kind == "note" else None, language, "")
    upload = Upload(storage.store(stream), filename)
    with _editing(consultation_id) as (session, consultation):
        _check_editable(consultation)
        attachment = new_attachment(session, consultation, AttachmentKind(kind), title, actor_id)
        added, _action = put_file(session, consultation, attachment, language, upload, "", actor_id)
    return added


def new_attachment(
    session: DbSession,
    consultation: Consultation,
    kind: AttachmentKind,
    title: Text,
    actor_id: int | None,
) -> Attachment:
    """A document row at the end of the consultation's list (one discussion note at most)."""
    existing = list(
        session.scalars(sa.select(Attachment).where(Attachment.consultation_id == consultation.id))
    )
    if kind is AttachmentKind.NOTE and any(a.kind is AttachmentKind.NOTE for a in existing):
        raise Refused("one_note")
    attachment = Attachment(
        consultation_id=consultation.id,
        position=max((a.position for a in existing), default=0) + 1,
        kind=kind,
        translations={},
        created_by_id=actor_id,
    )
    set_text(attachment, "title", title)
    session.add(attachment)
    session.flush()
    audit.record(
        session,
        Action.DOCUMENT_ADDED,
        actor_id=actor_id,
        consultation_id=consultation.id,
        document=attachment.id,
        kind=kind.value,
        title=title.en,
    )
    return attachment


def upload_file(
    consultation_id: int,
    attachment_id: int,
    *,
    language: str,
    stream: IO[bytes],
    filename: str,
    note: str,
    actor_id: int | None,
) -> tuple[AttachmentFile, str]:
    """A file for a language of a document: the first one, a replacement (draft) or a new
    version (afterwards, with a note); returns the file and the audited action."""
    _check_upload(consultation_id, attachment_id, language, note)
    upload = Upload(storage.store(stream), filename)
    with _editing(consultation_id) as (session, consultation):
        _check_editable(consultation)
        attachment = _attachment(session, consultation_id, attachment_id)
        return put_file(session, consultation, attachment, language, upload, note, actor_id)


def remove_file(consultation_id: int, file_id: int, *, actor_id: int | None) -> None:
    """Remove a file of a draft's document (the file stays in the store)."""
    with _editing(consultation_id) as (session, consultation):
        found = session.get(AttachmentFile, file_id)
        if found is None or found.attachment.consultation_id != consultation_id:
            raise Refused("not_found")
        if not lifecycle.documents_replaceable(consultation.status):
            raise Refused("not_removable")
        audit.record(
            session,
            Action.DOCUMENT_FILE_REMOVED,
            actor_id=actor_id,
            consultation_id=consultation_id,
            document=found.attachment_id,
            file=found.id,
            language=found.language,
            name=found.name,
            sha256=found.sha256,
        )
        session.delete(found)


def remove_document(consultation_id: int, attachment_id: int, *, actor_id: int | None) -> None:
    """Remove a draft's document and its files."""
    with _editing(consultation_id) as (session, consultation):
        attachment = _attachment(session, consultation_id, attachment_id)
        if not lifecycle.documents_replaceable(consultation.status):
            raise Refused("not_removable")
        audit.record(
            session,
            Action.DOCUMENT_REMOVED,
            actor_id=actor_id,
            consultation_id=consultation_id,
            document=attachment.id,
            title=attachment.title,
            files=[f.sha256 for f in attachment.files],
        )
        session.delete(attachment)
