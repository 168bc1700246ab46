"""Every action the audit trail records, with its name and the names of its details, each
marked for the catalogs (pure: the audit page translates them for its reader).

``audit.record`` accepts only these actions, so the trail and its page speak one vocabulary.
"""

from __future__ import annotations

import enum


def N_(message: str) -> str:
    """Mark ``message`` for the catalogs; it is translated where it is shown."""
    return message


class Action(enum.StrEnum):
    BALLOT_SUBMITTED = "ballot_submitted"
    DRAFT_SAVED = "draft_saved"
    CONSULTATION_CREATED = "consultation_created"
    CONSULTATION_IMPORTED = "consultation_imported"
    CONSULTATION_REPLACED = "consultation_replaced"
    CONSULTATION_UPDATED = "consultation_updated"
    INVITATIONS_CHANGED = "invitations_changed"
    QUESTION_ADDED = "question_added"
    QUESTION_UPDATED = "question_updated"
    QUESTION_REMOVED = "question_removed"
    QUESTIONS_REORDERED = "questions_reordered"
    OPTION_ADDED = "option_added"
    OPTION_UPDATED = "option_updated"
    OPTION_REMOVED = "option_removed"
    OPTIONS_REORDERED = "options_reordered"
    OPTIONS_MERGED = "options_merged"
    CONSULTATION_OPENED = "consultation_opened"
    CONSULTATION_CLOSED = "consultation_closed"
    DEADLINE_EXTENDED = "deadline_extended"
    CONSULTATION_REOPENED = "consultation_reopened"
    OUTCOME_RECORDED = "outcome_recorded"
    CONSULTATION_PUBLISHED = "consultation_published"
    OUTCOME_CORRECTED = "outcome_corrected"
    FOLLOW_UP_STARTED = "follow_up_started"
    NOTICES_QUEUED = "notices_queued"
    REMINDERS_SENT = "reminders_sent"
    RESULTS_EXPORTED = "results_exported"
    AUDIT_STATEMENT_ISSUED = "audit_statement_issued"
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    DOCUMENT_ADDED = "document_added"
    DOCUMENT_FILE_ADDED = "document_file_added"
    DOCUMENT_FILE_REPLACED = "document_file_replaced"
    DOCUMENT_FILE_SUPERSEDED = "document_file_superseded"
    DOCUMENT_FILE_REMOVED = "document_file_removed"
    DOCUMENT_REMOVED = "document_removed"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - an action name
    PASSWORD_CHANGE_REFUSED = "password_change_refused"  # noqa: S105 - an action name
    PASSWORD_RESET = "password_reset"  # noqa: S105 - an action name
    PASSWORD_RESET_REQUESTED = "password_reset_requested"  # noqa: S105 - an action name
    PASSWORD_RESET_REFUSED = "password_reset_refused"  # noqa: S105 - an action name
    INVITATION_ACCEPTED = "invitation_accepted"
    USER_CREATED = "user_created"
    USER_INVITED = "user_invited"
    INVITATION_RESENT = "invitation_resent"
    USER_UPDATED = "user_updated"
    USER_DEACTIVATED = "user_deactivated"
    USER_REACTIVATED = "user_reactivated"
    DELEGATE_MOVED = "delegate_moved"
    MEMBERS_IMPORTED = "members_imported"
    MEMBER_CREATED = "member_created"
    MEMBER_UPDATED = "member_updated"
    MEMBER_DEACTIVATED = "member_deactivated"
    MEMBER_REACTIVATED = "member_reactivated"
    REGION_SAVED = "region_saved"
    REGION_DELETED = "region_deleted"
    WRITE_INS_GROUPED = "write_ins_grouped"
    WRITE_INS_SPLIT = "write_ins_split"

    @property
    def label(self) -> str:
        """The action's name, in English (translate it with gettext where it is shown)."""
        return LABELS[self]


LABELS: dict[Action, str] = {
    Action.BALLOT_SUBMITTED: N_("Response submitted"),
    Action.DRAFT_SAVED: N_("Draft response saved"),
    Action.CONSULTATION_CREATED: N_("Consultation created"),
    Action.CONSULTATION_IMPORTED: N_("Consultation imported"),
    Action.CONSULTATION_REPLACED: N_("Consultation replaced by an import"),
    Action.CONSULTATION_UPDATED: N_("Settings changed"),
    Action.INVITATIONS_CHANGED: N_("Invitations changed"),
    Action.QUESTION_ADDED: N_("Question added"),
    Action.QUESTION_UPDATED: N_("Question changed"),
    Action.QUESTION_REMOVED: N_("Question removed"),
    Action.QUESTIONS_REORDERED: N_("Questions reordered"),
    Action.OPTION_ADDED: N_("Option added"),
    Action.OPTION_UPDATED: N_("Option changed"),
    Action.OPTION_REMOVED: N_("Option removed"),
    Action.OPTIONS_REORDERED: N_("Options reordered"),
    Action.OPTIONS_MERGED: N_("Options merged"),
    Action.CONSULTATION_OPENED: N_("Consultation opened"),
    Action.CONSULTATION_CLOSED: N_("Consultation closed"),
    Action.DEADLINE_EXTENDED: N_("Deadline extended"),
    Action.CONSULTATION_REOPENED: N_("Consultation reopened"),
    Action.OUTCOME_RECORDED: N_("Outcome recorded"),
    Action.CONSULTATION_PUBLISHED: N_("Outcome and results published"),
    Action.OUTCOME_CORRECTED: N_("Published outcome corrected by an erratum"),
    Action.FOLLOW_UP_STARTED: N_("Follow-up round started"),
    Action.NOTICES_QUEUED: N_("Notices queued"),
    Action.REMINDERS_SENT: N_("Reminders sent"),
    Action.RESULTS_EXPORTED: N_("Results exported"),
    Action.AUDIT_STATEMENT_ISSUED: N_("Statement of the audit trail issued"),
    Action.SIGN_IN: N_("Signed in"),
    Action.SIGN_IN_FAILED: N_("Sign-in failed"),
    Action.DOCUMENT_ADDED: N_("Document added"),
    Action.DOCUMENT_FILE_ADDED: N_("Document file added"),
    Action.DOCUMENT_FILE_REPLACED: N_("Document file replaced (draft)"),
    Action.DOCUMENT_FILE_SUPERSEDED: N_("New version of a document file"),
    Action.DOCUMENT_FILE_REMOVED: N_("Document file removed (draft)"),
    Action.DOCUMENT_REMOVED: N_("Document removed (draft)"),
    Action.PASSWORD_CHANGED: N_("Password changed"),
    Action.PASSWORD_CHANGE_REFUSED: N_("Password change refused (wrong current password)"),
    Action.PASSWORD_RESET: N_("Password reset by e-mail link"),
    Action.PASSWORD_RESET_REQUESTED: N_("Password reset requested"),
    Action.PASSWORD_RESET_REFUSED: N_("Password reset refused"),
    Action.INVITATION_ACCEPTED: N_("Invitation accepted"),
    Action.USER_CREATED: N_("Account created"),
    Action.USER_INVITED: N_("Account invited"),
    Action.INVITATION_RESENT: N_("Invitation sent again"),
    Action.USER_UPDATED: N_("Account changed"),
    Action.USER_DEACTIVATED: N_("Account deactivated"),
    Action.USER_REACTIVATED: N_("Account reactivated"),
    Action.DELEGATE_MOVED: N_("Delegate moved to another member"),
    Action.MEMBERS_IMPORTED: N_("Members imported"),
    Action.MEMBER_CREATED: N_("Member added"),
    Action.MEMBER_UPDATED: N_("Member changed"),
    Action.MEMBER_DEACTIVATED: N_("Member deactivated"),
    Action.MEMBER_REACTIVATED: N_("Member reactivated"),
    Action.REGION_SAVED: N_("Region saved"),
    Action.REGION_DELETED: N_("Region deleted"),
    Action.WRITE_INS_GROUPED: N_("Suggestions grouped"),
    Action.WRITE_INS_SPLIT: N_("Suggestions split"),
}

#: The names of the details events carry (keys of ``AuditEvent.details``).
DETAILS: dict[str, str] = {
    "absorbed": N_("merged option"),
    "added": N_("added"),
    "closes_at": N_("closes"),
    "code": N_("code"),
    "created": N_("created"),
    "deadline": N_("deadline"),
    "deadline_was": N_("previous deadline"),
    "description": N_("description"),
    "digest": N_("digest"),
    "document": N_("document"),
    "email": N_("e-mail address"),
    "fields": N_("fields"),
    "file": N_("file"),
    "files": N_("files"),
    "from_member": N_("from member"),
    "group": N_("group"),
    "invite_all": N_("every member state"),
    "invite_observers": N_("observers too"),
    "invited": N_("invited"),
    "kind": N_("kind"),
    "label": N_("label"),
    "language": N_("language"),
    "members": N_("members"),
    "name": N_("name"),
    "note": N_("note"),
    "notify": N_("notices sent"),
    "observers_may": N_("what observers may do"),
    "official_method": N_("official method"),
    "opens_at": N_("opens"),
    "option": N_("option"),
    "options": N_("options"),
    "order": N_("order"),
    "outcome": N_("outcome"),
    "parent": N_("previous round"),
    "previous": N_("previous"),
    "promoted": N_("suggestions promoted"),
    "prompt": N_("question"),
    "question": N_("question"),
    "questions": N_("questions"),
    "rationale": N_("rationale"),
    "reason": N_("reason"),
    "reference": N_("reference"),
    "required": N_("required"),
    "recipients": N_("recipients"),
    "region": N_("region"),
    "regions_created": N_("regions created"),
    "removed": N_("removed"),
    "results_attributed": N_("results attributed"),
    "revision": N_("revision"),
    "role": N_("role"),
    "sha256": N_("SHA-256"),
    "selected": N_("selected options"),
    "size": N_("size"),
    "slug": N_("short name"),
    "status": N_("status"),
    "summary": N_("summary"),
    "survivor": N_("kept option"),
    "texts": N_("texts"),
    "title": N_("title"),
    "unchanged": N_("unchanged"),
    "updated": N_("updated"),
    "user": N_("account"),
    "version": N_("version"),
}
