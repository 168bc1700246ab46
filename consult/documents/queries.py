"""Reading the documents of a consultation: the list in the reader's language, and who may
download a file."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from consult.auth.current import SignedIn
from consult.consultations.lifecycle import Status
from consult.consultations.models import Consultation, invitation
from consult.documents.models import Attachment, AttachmentFile, AttachmentKind
from consult.extensions import db


def consultation(slug: str) -> Consultation | None:
    """The consultation whose documents a page shows."""
    return db.session.scalar(sa.select(Consultation).where(Consultation.slug == slug))


#: Whether a consultation has any document (a plain statement, built once).
_ANY = (
    sa.select(sa.literal(1))
    .select_from(Attachment.__table__)
    .where(Attachment.__table__.c.consultation_id == sa.bindparam("consultation_id"))
    .limit(1)
)


def attachments_of(consultation_id: int) -> list[Attachment]:
    """The consultation's documents with every file version: the discussion note first, then
    the annexes in the order they were added. One plain query when there is none (most ballot
    pages: the eager loaders cost as much as the query), three otherwise."""
    any_ = db.session.connection().execute(_ANY, {"consultation_id": consultation_id}).first()
    if any_ is None:
        return []
    query = sa.select(Attachment).where(Attachment.consultation_id == consultation_id)
    found = db.session.scalars(
        query.options(
            selectinload(Attachment.files).joinedload(AttachmentFile.created_by)
        ).order_by(Attachment.position)
    ).all()
    return sorted(found, key=lambda a: (a.kind is not AttachmentKind.NOTE, a.position))


@dataclass(frozen=True)
class ReaderDocument:
    """A document as a reader sees it: the file in their language if there is one (else in
    English, else in the first language there is), the other languages, earlier versions."""

    attachment: Attachment
    file: AttachmentFile
    others: tuple[AttachmentFile, ...]
    earlier: tuple[AttachmentFile, ...]
    in_reader_language: bool


def current_files(attachment: Attachment) -> dict[str, AttachmentFile]:
    return {f.language: f for f in attachment.files if f.superseded_at is None}


def for_reader(
    attachments: list[Attachment], locale: str, languages: tuple[str, ...]
) -> list[ReaderDocument]:
    """Every document that has a file, in the order given."""
    out: list[ReaderDocument] = []
    for attachment in attachments:
        current = current_files(attachment)
        order = [locale, "en", *languages]
        chosen = next((current[lang] for lang in order if lang in current), None)
        if chosen is None:
            continue
        others = tuple(
            current[lang] for lang in languages if lang in current and lang != chosen.language
        )
        earlier = tuple(
            sorted(
                (f for f in attachment.files if f.superseded_at is not None),
                key=lambda f: f.created_at,
                reverse=True,
            )
        )
        out.append(ReaderDocument(attachment, chosen, others, earlier, chosen.language == locale))
    return out


def downloadable(slug: str, file_id: int, user: SignedIn) -> AttachmentFile | None:
    """The file, if it belongs to the consultation ``slug`` and ``user`` may read it: an
    administrator, or a delegate of a member invited to a consultation that is no longer a
    draft (observers included: they may always read)."""
    row = db.session.execute(
        sa.select(AttachmentFile, Consultation.id, Consultation.status)
        .join(Attachment, Attachment.id == AttachmentFile.attachment_id)
        .join(Consultation, Consultation.id == Attachment.consultation_id)
        .where(AttachmentFile.id == file_id, Consultation.slug == slug)
    ).first()
    if row is None:
        return None
    found, consultation_id, status = row
    if user.is_admin:
        return found
    if user.member_id is None or status is Status.DRAFT:
        return None
    invited = db.session.scalar(
        sa.select(sa.literal(1)).where(
            invitation.c.consultation_id == consultation_id,
            invitation.c.member_id == user.member_id,
        )
    )
    return found if invited else None
