"""One response per member state and consultation, its answers and its revisions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.auth.models import User
from consult.ballots.onbehalf import Channel
from consult.consultations.enums import ResponseStatus
from consult.consultations.models import Consultation
from consult.core import clock
from consult.core.anchors import Head
from consult.core.base import enum_column
from consult.extensions import Model
from consult.members.models import Member


class Response(Model):
    """The member's current response. ``answers`` hold the submitted ballot (what counts);
    a draft saved later lives in ``draft`` until it is submitted."""

    __tablename__ = "response"
    __table_args__ = (
        sa.UniqueConstraint("consultation_id", "member_id"),
        sa.CheckConstraint(
            "(status = 'submitted') = (submitted_at IS NOT NULL)", name="submitted_has_time"
        ),
        sa.CheckConstraint("version >= 0", name="version_not_negative"),
        # The general comments of a consultation's results, without reading every response.
        sa.Index(
            "ix_response_commented",
            "consultation_id",
            sqlite_where=sa.text("comment <> ''"),
            postgresql_where=sa.text("comment <> ''"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: No index of its own: the unique (consultation_id, member_id) serves it.
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE")
    )
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"), index=True)
    status: Mapped[ResponseStatus] = mapped_column(enum_column(ResponseStatus))
    version: Mapped[int] = mapped_column(default=0)
    revision: Mapped[int] = mapped_column(default=0)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    draft: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    receipt: Mapped[str | None] = mapped_column(sa.String(40))
    last_token: Mapped[str | None] = mapped_column(sa.String(64))
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    consultation: Mapped[Consultation] = relationship()
    member: Mapped[Member] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )


class Answer(Model):
    """One row of a submitted ballot.

    ranking: ``option_id`` + ``rank`` (and ``text`` = comment on that option); write-in:
    ``option_id`` NULL + ``text``. choose/single: ``option_id`` + ``selected``. likert:
    ``value`` (``rules.NO_OPINION`` = 0). text: ``text``.
    """

    __tablename__ = "answer"
    __table_args__ = (
        sa.UniqueConstraint("response_id", "question_id", "option_id"),
        sa.UniqueConstraint("response_id", "question_id", "rank"),
        sa.CheckConstraint("rank IS NULL OR rank >= 1", name="rank_positive"),
        sa.CheckConstraint("value IS NULL OR value >= 0", name="value_not_negative"),
        # The results group a question's rankings over this index alone (one entry a ballot).
        sa.Index(
            "ix_answer_ranking",
            "question_id",
            "ranking_key",
            "response_id",
            sqlite_where=sa.text("ranking_key IS NOT NULL"),
            postgresql_where=sa.text("ranking_key IS NOT NULL"),
        ),
        # Comments, write-ins and free texts of a question, without its ranks and choices.
        sa.Index(
            "ix_answer_texts",
            "question_id",
            sqlite_where=sa.text("text IS NOT NULL"),
            postgresql_where=sa.text("text IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: No index of its own: the unique (response_id, question_id, option_id) serves it.
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("response.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id"), index=True)
    option_id: Mapped[int | None] = mapped_column(sa.ForeignKey("option.id"))
    rank: Mapped[int | None]
    selected: Mapped[bool] = mapped_column(default=False)
    value: Mapped[int | None]
    text: Mapped[str | None] = mapped_column(sa.Text)
    #: On the first-ranked answer of a ranking only: the whole ranking, option ids best first
    #: joined with commas, so that the results group identical rankings with one row per
    #: ballot (written with the answers; ``results.loaders.counted_rows`` reads it).
    ranking_key: Mapped[str | None] = mapped_column(sa.Text)

    response: Mapped[Response] = relationship(back_populates="answers")


class Revision(Model):
    """Append-only copy of every submitted ballot, its digest chained to the previous one."""

    __tablename__ = "revision"
    __table_args__ = (sa.UniqueConstraint("response_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: No index of its own: the unique (response_id, number) serves it.
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("response.id", ondelete="CASCADE"))
    number: Mapped[int]
    content: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    digest: Mapped[str] = mapped_column(sa.String(64))
    receipt: Mapped[str] = mapped_column(sa.String(40), index=True)
    #: The receipt key that signed ``receipt`` (None: before key ids, signed with SECRET_KEY).
    key_id: Mapped[str | None] = mapped_column(sa.String(16))
    #: The head of the audit trail once this submission was recorded, signed into the receipt
    #: (None: revisions from before heads were recorded).
    audit_seq: Mapped[int | None] = mapped_column(index=True)
    audit_digest: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    created_by: Mapped[User | None] = relationship()

    @property
    def audit_head(self) -> Head | None:
        if self.audit_seq is None or self.audit_digest is None:
            return None
        return Head(self.audit_seq, self.audit_digest)


class Entry(Model):
    """Where a revision entered by the secretariat on behalf of the member came from
    (:mod:`consult.ballots.onbehalf`); append-only, like revisions. One row per such revision,
    found by the response and the revision's number."""

    __tablename__ = "ballot_entry"
    __table_args__ = (
        sa.UniqueConstraint("response_id", "revision"),
        sa.CheckConstraint("NOT late OR reason <> ''", name="late_has_reason"),
        sa.CheckConstraint("reference <> ''", name="reference_given"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        sa.ForeignKey("response.id", ondelete="CASCADE"), index=True
    )
    revision: Mapped[int]
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    received_on: Mapped[date]
    reference: Mapped[str] = mapped_column(sa.String(60))
    late: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    #: The scanned document, if any, in the documents store (named by its SHA-256).
    scan_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    scan_name: Mapped[str | None] = mapped_column(sa.String(200))
    scan_size: Mapped[int | None]
    scan_type: Mapped[str | None] = mapped_column(sa.String(100))
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    entered_at: Mapped[datetime] = mapped_column(default=clock.now)

    entered_by: Mapped[User | None] = relationship()
