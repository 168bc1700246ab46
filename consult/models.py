"""Import every model so that Alembic and the app see the whole schema."""

from consult.auth.models import Role, User
from consult.ballots.models import Answer, Response, ResponseStatus, Revision
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
from consult.members.models import Member, MemberKind, Region

__all__ = [
    "Answer",
    "AuditEvent",
    "Consultation",
    "Member",
    "MemberKind",
    "ObserversMay",
    "Option",
    "Question",
    "QuestionKind",
    "Region",
    "Response",
    "ResponseStatus",
    "Revision",
    "Role",
    "TallyMethod",
    "User",
    "invitation",
]
