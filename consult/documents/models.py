"""Documents of a consultation and their files, one per language and version."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.auth.models import User
from consult.consultations.models import Consultation
from consult.core import clock
from consult.core.base import enum_column
from consult.core.translated import TranslatedMixin
from consult.extensions import Model


class AttachmentKind(enum.StrEnum):
    NOTE = "note"  # the discussion note, the document with the consultation's symbol
    ANNEX = "annex"


class Attachment(TranslatedMixin, Model):
    """A document of the consultation (its discussion note or an annex); ``title`` in English,
    French and Spanish titles in ``translations``. Its files are in :class:`AttachmentFile`."""

    __tablename__ = "attachment"
    __table_args__ = (sa.UniqueConstraint("consultation_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    kind: Mapped[AttachmentKind] = mapped_column(enum_column(AttachmentKind))
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    consultation: Mapped[Consultation] = relationship()
    files: Mapped[list[AttachmentFile]] = relationship(
        back_populates="attachment",
        order_by="(AttachmentFile.language, AttachmentFile.version)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class AttachmentFile(Model):
    """One file of a document in one language. Files are named by their SHA-256 in the store
    (:mod:`consult.documents.storage`); ``name`` is the cleaned name offered for download.

    Once the consultation has left its draft, a file is never replaced or removed: a new
    version supersedes it (``superseded_at``), with a ``note`` saying why.
    """

    __tablename__ = "attachment_file"
    __table_args__ = (
        sa.UniqueConstraint("attachment_id", "language", "version"),
        sa.CheckConstraint("language IN ('en', 'fr', 'es')", name="language_known"),
        sa.CheckConstraint("size > 0", name="size_positive"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.Index(
            "ux_attachment_file_current",
            "attachment_id",
            "language",
            unique=True,
            sqlite_where=sa.text("superseded_at IS NULL"),
            postgresql_where=sa.text("superseded_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attachment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("attachment.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(sa.String(2))
    version: Mapped[int] = mapped_column(default=1)
    name: Mapped[str] = mapped_column(sa.String(200))
    size: Mapped[int]
    content_type: Mapped[str] = mapped_column(sa.String(100))
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    superseded_at: Mapped[datetime | None]

    attachment: Mapped[Attachment] = relationship(back_populates="files")
    created_by: Mapped[User | None] = relationship()
