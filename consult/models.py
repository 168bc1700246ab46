"""Import every model so that Alembic and the app see the whole schema."""

from consult.auth.models import AccountToken, Role, TokenPurpose, User
from consult.ballots.models import Answer, Entry, Response, ResponseStatus, Revision
from consult.consultations.models import (
    Consultation,
    ObserversMay,
    Option,
    Question,
    QuestionKind,
    TallyMethod,
    invitation,
)
from consult.core.audit import AuditEvent
from consult.core.security_log import SecurityEvent, SecurityKind
from consult.documents.models import Attachment, AttachmentFile, AttachmentKind
from consult.mail.models import MailKind, OutboxMessage, Reminder
from consult.members.models import Member, MemberKind, Region
from consult.results.models import BallotRanking, Participant, ParticipantCount, RankingCount

__all__ = [
    "AccountToken",
    "Answer",
    "Attachment",
    "AttachmentFile",
    "AttachmentKind",
    "AuditEvent",
    "BallotRanking",
    "Consultation",
    "Entry",
    "MailKind",
    "Member",
    "MemberKind",
    "ObserversMay",
    "Option",
    "OutboxMessage",
    "Participant",
    "ParticipantCount",
    "Question",
    "QuestionKind",
    "RankingCount",
    "Region",
    "Reminder",
    "Response",
    "ResponseStatus",
    "Revision",
    "Role",
    "SecurityEvent",
    "SecurityKind",
    "TallyMethod",
    "TokenPurpose",
    "User",
    "invitation",
]
