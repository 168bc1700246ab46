"""The accounts' refusals, in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _

from consult.auth.accounts import AccountError, EmailTaken
from consult.auth.services import WrongPassword
from consult.core.refusals import Refused
from consult.core.templating import locale_code

REFUSALS = {
    "self": lambda: _("You cannot deactivate your own account."),
    "last admin": lambda: _("This is the last active administrator; invite another one first."),
    "already accepted": lambda: _(
        "This person has already chosen a password; they can ask for a new one from the "
        "sign-in page."
    ),
    "inactive": lambda: _("Reactivate the account before sending an invitation."),
    "not a delegate": lambda: _("Only delegates belong to a member."),
    "same member": lambda: _("The delegate already belongs to this member."),
    "no such member": lambda: _("Choose a member from the list."),
    "member inactive": lambda: _("This member is deactivated; reactivate it first."),
}


def refusal(error: Refused) -> str:
    """Why an account change was refused."""
    if isinstance(error, EmailTaken):
        return _taken(error)
    if isinstance(error, WrongPassword):
        return _("This is not your current password.")
    found = REFUSALS.get(str(error)) if isinstance(error, AccountError) else None
    return found() if found else str(error)


def _taken(error: EmailTaken) -> str:
    existing = error.existing
    if existing.member is not None:
        return _(
            "An account with this e-mail address exists already (a delegate of %(member)s).",
            member=existing.member.localized("name", locale_code()),
        )
    return _("An account with this e-mail address exists already (an administrator).")
