"""The outbox of e-mail messages and the record of reminders."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core import clock
from consult.core.base import enum_column
from consult.extensions import Model

if TYPE_CHECKING:  # the relationships name them as strings: mail sits below accounts and members
    from consult.auth.models import User
    from consult.members.models import Member


class MailKind(enum.StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose name, not a password
    REMINDER = "reminder"
    NOTICE_OPENED = "notice_opened"
    NOTICE_EXTENDED = "notice_extended"
    NOTICE_PUBLISHED = "notice_published"
    RECEIPT = "receipt"
    NOTICE_CLOSED = "notice_closed"
    NOTICE_CORRECTED = "notice_corrected"


class OutboxMessage(Model):
    """A message written in the same transaction as the action that triggered it.

    It stays here until delivered: ``sent_at`` is set on success; a failure increments
    ``attempts``, keeps ``last_error`` and schedules ``next_attempt_at``. A message that carries
    a single-use link (``secret``) has its bodies erased once it is sent.
    """

    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MailKind] = mapped_column(enum_column(MailKind, length=30))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    locale: Mapped[str] = mapped_column(sa.String(5), default="en")
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    secret: Mapped[bool] = mapped_column(default=False)
    consultation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="SET NULL")
    )
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    next_attempt_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    claimed_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    sent_at: Mapped[datetime | None] = mapped_column(index=True)

    #: Written later by the feature's writer (``outbox.register_writer``): subject and bodies
    #: stay empty, and the message is not delivered, until then; ``item_id`` names what it is
    #: written from (a receipt: its revision).
    pending: Mapped[bool] = mapped_column(default=False, index=True)
    item_id: Mapped[int | None]

    user: Mapped[User | None] = relationship("User")

    @property
    def failed(self) -> bool:
        return self.sent_at is None and self.attempts > 0


class Reminder(Model):
    """A reminder sent to the delegates of one member about one consultation."""

    __tablename__ = "reminder"
    __table_args__ = (sa.Index(None, "consultation_id", "member_id", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE")
    )
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("member.id"))
    sent_at: Mapped[datetime] = mapped_column(default=clock.now)
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    recipients: Mapped[int] = mapped_column(default=0)

    member: Mapped[Member] = relationship("Member")
