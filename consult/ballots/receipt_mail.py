"""The receipt by e-mail: after every submission, each active delegate of the member is told the
receipt code, who submitted and when, with the link to the check page; never the answers."""

from __future__ import annotations

from datetime import datetime

from consult.auth.delegates import delegates_of
from consult.auth.models import User
from consult.consultations.models import Consultation
from consult.core.anchors import Head
from consult.core.database import DbSession
from consult.mail.links import external_url
from consult.mail.models import MailKind
from consult.mail.outbox import enqueue_all, outbox_values
from consult.mail.render import render_message
from consult.members.models import Member


def queue_receipts(
    session: DbSession,
    *,
    consultation: Consultation,
    member: Member,
    submitter: User | None,
    revision: int,
    receipt: str,
    at: datetime,
    head: Head | None = None,
    recipients: list[User] | None = None,
    mark: object | None = None,
) -> int:
    """Queue the receipt to every active delegate of the member (``recipients``, when the
    caller has read them), inside the submission's transaction (no submission, no message);
    the number queued. ``mark``: the secretariat entered the response on the member's behalf
    (a ``ballots.onbehalf.Mark``, worded in each recipient's language by the ``entry_mark``
    template global)."""
    if recipients is None:
        recipients = delegates_of(session, [member.id]).get(member.id, [])
    link = external_url("ballots.receipt", slug=consultation.slug, code=receipt)
    rows = []
    for user in recipients:
        message = render_message(
            MailKind.RECEIPT.value,
            user.locale,
            user=user,
            member=member,
            consultation=consultation,
            submitter=submitter.name if submitter is not None else "",
            revision=revision,
            receipt=receipt,
            at=at,
            link=link,
            head=head,
            mark=mark,
        )
        rows.append(
            outbox_values(
                user,
                MailKind.RECEIPT,
                message,
                consultation_id=consultation.id,
                member_id=member.id,
            )
        )
    enqueue_all(session, rows)
    return len(recipients)
