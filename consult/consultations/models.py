"""Consultations, questions and options."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload
from sqlalchemy.orm.interfaces import ORMOption

from consult.core import clock
from consult.core.base import enum_column
from consult.core.translated import TranslatedMixin
from consult.extensions import Model, db
from consult.members.models import Member

from .enums import ObserversMay, QuestionKind, TallyMethod
from .lifecycle import Dated, Schedule, Status

__all__ = [
    "Consultation",
    "Erratum",
    "ObserversMay",
    "Option",
    "Question",
    "QuestionKind",
    "TallyMethod",
    "WriteInJoin",
    "WriteInSplit",
    "invitation",
    "option_suggestion",
]


invitation = sa.Table(
    "invitation",
    db.metadata,
    sa.Column(
        "consultation_id", sa.ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("member_id", sa.ForeignKey("member.id", ondelete="CASCADE"), primary_key=True),
)

#: Members who suggested an option (a write-in of a parent consultation promoted to an option).
option_suggestion = sa.Table(
    "option_suggestion",
    db.metadata,
    sa.Column("option_id", sa.ForeignKey("option.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("member_id", sa.ForeignKey("member.id", ondelete="CASCADE"), primary_key=True),
)

#: The options the Administration names in the outcome (data, beside the outcome's text).
outcome_selection = sa.Table(
    "outcome_selection",
    db.metadata,
    sa.Column(
        "consultation_id", sa.ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("option_id", sa.ForeignKey("option.id", ondelete="CASCADE"), primary_key=True),
)


class Consultation(Dated, TranslatedMixin, Model):
    __tablename__ = "consultation"
    __table_args__ = (
        sa.CheckConstraint("opens_at IS NULL OR opens_at < closes_at", name="opens_before_closes"),
        sa.CheckConstraint(
            "(status = 'published') = (published_at IS NOT NULL)", name="published_has_time"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    reference: Mapped[str] = mapped_column(sa.String(60), default="")
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[Status] = mapped_column(enum_column(Status), default=Status.DRAFT)
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime]
    observers_may: Mapped[ObserversMay] = mapped_column(
        enum_column(ObserversMay), default=ObserversMay.COMMENT
    )
    #: Invite every active member state (refreshed on saving and at opening), or a chosen set.
    invite_all: Mapped[bool] = mapped_column(default=True)
    #: With ``invite_all``: invite the observers (observer states and organisations) too.
    invite_observers: Mapped[bool] = mapped_column(default=True)
    #: Whether, once published, delegates may see which member answered what.
    results_attributed: Mapped[bool] = mapped_column(default=False)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("consultation.id"), index=True)
    #: The decision, e.g. "The membership has selected …" (Markdown), and why (Markdown).
    outcome: Mapped[str] = mapped_column(sa.Text, default="")
    rationale: Mapped[str] = mapped_column(sa.Text, default="")
    #: Why the outcome departs from the official result (another option, or a tie decided).
    outcome_reason: Mapped[str] = mapped_column(sa.Text, default="")
    outcome_recorded_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    #: The deadline before the latest extension or reopening, and when that happened.
    previous_closes_at: Mapped[datetime | None]
    extended_at: Mapped[datetime | None]
    #: Closed ahead of the deadline: the deadline it had then, and why (``closes_at`` becomes
    #: the closing time).
    original_closes_at: Mapped[datetime | None]
    close_reason: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)
    #: Raised by the database on every write to the questions and options (triggers on both
    #: tables, migration ``5e8c1a7d3b94``): pages keep the structure per process by (id,
    #: version), see :mod:`consult.consultations.structure`. It starts at a random number,
    #: so that a consultation created under the id of a deleted one (ids are reused) never
    #: meets what was kept of the other.
    structure_version: Mapped[int] = mapped_column(
        sa.BigInteger, default=lambda: secrets.randbelow(2**60), server_default="0"
    )

    questions: Mapped[list[Question]] = relationship(
        back_populates="consultation", order_by="Question.position", cascade="all, delete-orphan"
    )
    #: In code order, as every page and export lists them (the database's own order is not one).
    invited: Mapped[list[Member]] = relationship(secondary=invitation, order_by="Member.code")
    selected_options: Mapped[list[Option]] = relationship(
        secondary=outcome_selection, order_by="Option.position"
    )
    errata: Mapped[list[Erratum]] = relationship(
        back_populates="consultation", order_by="Erratum.number", cascade="all, delete-orphan"
    )
    parent: Mapped[Consultation | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Consultation]] = relationship(
        back_populates="parent", order_by="Consultation.created_at"
    )

    def schedule(self) -> Schedule:
        return Schedule(
            self.status, self.opens_at, self.closes_at, self.published_at, self.previous_closes_at
        )


class Question(TranslatedMixin, Model):
    __tablename__ = "question"
    __table_args__ = (
        sa.UniqueConstraint("consultation_id", "position"),
        sa.CheckConstraint(
            "min_choices IS NULL OR max_choices IS NULL OR min_choices <= max_choices",
            name="choice_bounds",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    kind: Mapped[QuestionKind] = mapped_column(enum_column(QuestionKind))
    prompt: Mapped[str] = mapped_column(sa.Text)
    help: Mapped[str] = mapped_column(sa.Text, default="")
    required: Mapped[bool] = mapped_column(default=False)
    allow_partial: Mapped[bool] = mapped_column(default=True)
    min_choices: Mapped[int | None]
    max_choices: Mapped[int | None]
    allow_write_in: Mapped[bool] = mapped_column(default=False)
    allow_option_comments: Mapped[bool] = mapped_column(default=False)
    official_method: Mapped[TallyMethod] = mapped_column(
        enum_column(TallyMethod), default=TallyMethod.IRV
    )
    scale: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    allow_no_opinion: Mapped[bool] = mapped_column(default=False)
    max_length: Mapped[int] = mapped_column(default=2000)
    #: The settings a kind keeps beyond the columns above (``consultations/kinds``), by name.
    settings: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    consultation: Mapped[Consultation] = relationship(back_populates="questions")
    options: Mapped[list[Option]] = relationship(
        back_populates="question", order_by="Option.position", cascade="all, delete-orphan"
    )

    def scale_label(self, value: int, locale: str) -> str:
        """Label of a Likert point (1-based) in ``locale``."""
        entry = self.scale[value - 1]
        return entry.get(locale) or entry.get("en", str(value))


class Option(TranslatedMixin, Model):
    __tablename__ = "option"
    __table_args__ = (sa.UniqueConstraint("question_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("question.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    label: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: Options absorbed into this one: ``[{"label": ..., "description": ..., "translations":
    #: ...}]``, oldest first.
    merged_from: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)

    question: Mapped[Question] = relationship(back_populates="options")
    suggested_by: Mapped[list[Member]] = relationship(
        secondary=option_suggestion, order_by=Member.code
    )


class WriteInJoin(Model):
    """Automatic write-in groups of a question joined by the Administration (their keys, see
    ``core/plaintext.normalise``), with the joined group's name ("" = the spelling used most)."""

    __tablename__ = "write_in_join"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("question.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(sa.String(300), default="")
    keys: Mapped[list[str]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class WriteInSplit(Model):
    """One member's write-in (its automatic key) taken out of its group by the Administration:
    it stands alone. A revised write-in has another key, and the split no longer applies."""

    __tablename__ = "write_in_split"
    __table_args__ = (sa.UniqueConstraint("question_id", "member_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("question.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class Erratum(Model):
    """A correction of a published outcome: the text it replaced, the new one and why (each
    ``{"en": ..., "fr": ..., "es": ...}``), who and when. The figures never change."""

    __tablename__ = "erratum"
    __table_args__ = (sa.UniqueConstraint("consultation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    reason: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    before: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    corrected_at: Mapped[datetime] = mapped_column(default=clock.now)

    consultation: Mapped[Consultation] = relationship(back_populates="errata")


def by_slug(slug: str, *also: ORMOption) -> sa.Select[Consultation]:
    """The consultation of a slug with its questions, their options and who suggested them;
    ``also`` loads more of it."""
    return (
        sa.select(Consultation)
        .where(Consultation.slug == slug)
        .options(
            selectinload(Consultation.questions)
            .selectinload(Question.options)
            .selectinload(Option.suggested_by),
            *also,
        )
    )
