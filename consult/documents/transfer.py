"""Documents in and out of the consultations' YAML: the ``documents`` section names each file
and its SHA-256 (:mod:`consult.documents.yamlio`); the files travel beside the YAML.

Importing is two steps, both all or nothing with the consultations: :func:`store_files` puts
every file the section names into the store (from ``--files DIR``, by name or by digest,
unless the store already has it), checking its digest and its content like an upload; then,
inside the import's transaction, :func:`on_imported` writes the rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from consult.consultations import signals
from consult.consultations.document import ConsultationDoc, DocError, DocumentInvalid
from consult.consultations.models import Consultation
from consult.consultations.texts import get_text
from consult.core.database import DbSession
from consult.documents import content, queries, services, storage, yamlio
from consult.documents.models import Attachment, AttachmentKind

#: How the command line words a refused file (it speaks English).
FILE_ISSUES = {
    content.Issue.EMPTY: "the file is empty",
    content.Issue.TOO_LARGE: "the file is larger than the limit (CONSULT_DOCUMENT_MAX_MB)",
    content.Issue.NOT_ALLOWED: "not a PDF, DOCX, XLSX or ODT file, whatever its name says",
    content.Issue.DAMAGED: "the file is damaged or incomplete",
    content.Issue.ZIP_BOMB: "the file would unpack to far more than its size (zip bomb)",
    content.Issue.ENCRYPTED: "the file is protected by a password",
}


def _references(doc: ConsultationDoc) -> tuple[list[yamlio.DocumentRef], list[DocError]]:
    return yamlio.read(doc.extra.get("documents"), doc.line)


def store_files(docs: list[ConsultationDoc], files_dir: Path | None) -> None:
    """Put the files the documents sections name into the store; raises
    :class:`DocumentInvalid` with every problem (files stored so far stay, unreferenced)."""
    errors: list[DocError] = []
    for doc in docs:
        documents, problems = _references(doc)
        errors += problems
        for i, document in enumerate(documents):
            for j, ref in enumerate(document.files):
                if not ref.sha256 or storage.exists(ref.sha256):
                    continue
                where = f"documents[{i + 1}].files[{j + 1}]"
                line = doc.line("documents", i, "files", j)
                problem = _store(ref, files_dir)
                if problem:
                    errors.append(DocError(line, f"{where}: {ref.name}: {problem}"))
    if errors:
        raise DocumentInvalid(sorted(errors, key=lambda e: e.line or 0))


def _store(ref: yamlio.FileRef, files_dir: Path | None) -> str | None:
    """Store one file from ``files_dir``; what went wrong, if anything."""
    if files_dir is None:
        return "not in the store; give --files DIR with the file"
    found = next(
        (p for p in (files_dir / ref.name, files_dir / ref.sha256) if ref.name and p.is_file()),
        None,
    )
    if found is None:
        return f"no file {ref.name} or {ref.sha256} in {files_dir}"
    if storage.sha256_of(found) != ref.sha256:
        return f"{found} does not match its sha256"
    try:
        storage.store_file(found)
    except content.Refused as refused:
        return FILE_ISSUES[refused.issue]
    except storage.StorageFailed as failed:
        return f"the store could not write the file ({failed.reason})"
    return None


def on_imported(
    _sender: Any,
    *,
    session: DbSession,
    consultation: Consultation,
    document: ConsultationDoc,
    replaced: bool,
    actor_id: int | None = None,
    **_extra: Any,
) -> None:
    """Write the documents of an imported consultation (a replaced draft loses its own)."""
    if replaced:
        for old in session.scalars(
            sa.select(Attachment).where(Attachment.consultation_id == consultation.id)
        ):
            session.delete(old)
        session.flush()
    documents, problems = _references(document)
    if problems:
        raise DocumentInvalid(problems)
    for i, ref in enumerate(documents):
        attachment = services.new_attachment(
            session, consultation, AttachmentKind(ref.kind), ref.title, actor_id
        )
        for j, file_ref in enumerate(ref.files):
            line = document.line("documents", i, "files", j)
            where = f"documents[{i + 1}].files[{j + 1}]"
            stored = _stored(file_ref.sha256)
            if stored is None:
                raise DocumentInvalid(
                    [DocError(line, f"{where}: {file_ref.name} is not in the store")]
                )
            try:
                services.put_file(
                    session,
                    consultation,
                    attachment,
                    file_ref.language,
                    services.Upload(stored, file_ref.name),
                    file_ref.note,
                    actor_id,
                )
            except services.Invalid as invalid:
                raise DocumentInvalid(
                    [DocError(line, f"{where}: a new version needs a note")]
                ) from invalid


def _stored(sha256: str) -> storage.Stored | None:
    """The store's file of ``sha256``, its size and type (checked again)."""
    if not storage.exists(sha256):
        return None
    path = storage.path_of(sha256)
    with path.open("rb") as stream:
        size = path.stat().st_size
        try:
            file_type = content.sniff(stream, size)
        except content.Refused:
            return None
    return storage.Stored(sha256, size, file_type)


def on_dumping(_sender: Any, *, consultation: Consultation, extra: dict[str, Any]) -> None:
    """Add the ``documents`` section, the files in the order they were added."""
    documents = []
    for attachment in queries.attachments_of(consultation.id):
        files = sorted(attachment.files, key=lambda f: (f.created_at, f.id))
        documents.append(
            yamlio.DocumentRef(
                attachment.kind.value,
                get_text(attachment, "title"),
                tuple(yamlio.FileRef(f.language, f.name, f.sha256, f.note) for f in files),
            )
        )
    if documents:
        extra["documents"] = yamlio.to_data(documents)


def connect() -> None:
    """Connect the receivers (connecting twice changes nothing)."""
    signals.imported.connect(on_imported, weak=False)
    signals.dumping.connect(on_dumping, weak=False)
