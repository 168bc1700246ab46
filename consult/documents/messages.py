"""Why an upload or a change of documents was refused, in the reader's language."""

from __future__ import annotations

from babel.units import format_unit
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consult.consultations.checks import Problem
from consult.consultations.messages import describe
from consult.core.templating import locale_code
from consult.documents.content import Issue
from consult.documents.services import Refused

KIND_LABELS = {"note": _l("Discussion note"), "annex": _l("Annex")}


def file_size(size: int) -> str:
    """``340 kB``, ``1.2 MB`` (``1,2 Mo`` in French)."""
    locale = locale_code()
    if size < 1024 * 1024:
        kilobytes = max(1, round(size / 1024))
        return format_unit(kilobytes, "digital-kilobyte", length="short", locale=locale)
    megabytes = size / (1024 * 1024)
    return format_unit(
        megabytes, "digital-megabyte", length="short", format="#,##0.#", locale=locale
    )


def file_issue(issue: Issue, limit: int) -> str:
    """Why the file itself was refused."""
    match issue:
        case Issue.EMPTY:
            return _("The file is empty.")
        case Issue.TOO_LARGE:
            return _(
                "The file is larger than %(limit)s, the most a document may be.",
                limit=file_size(limit),
            )
        case Issue.NOT_ALLOWED:
            return _(
                "Only PDF, Word (DOCX), Excel (XLSX) and OpenDocument text (ODT) files are "
                "accepted, and this file is none of them, whatever its name says."
            )
        case Issue.DAMAGED:
            return _("The file is damaged or incomplete. Save it again and upload the new copy.")
        case Issue.ZIP_BOMB:
            return _(
                "The file would unpack to far more than its size, as a zip bomb does; it was "
                "refused."
            )
        case Issue.ENCRYPTED:
            return _("The file is protected by a password. Upload a copy without one.")
    return _("The file was refused.")


def word(reason: Problem | Refused) -> str:
    """The words of a field's problem or of a refused change."""
    return refusal(reason.code) if isinstance(reason, Refused) else describe(reason)


def refusal(code: str) -> str:
    """Why a change of documents is not allowed now."""
    match code:
        case "published":
            return _("The consultation is published: its documents can no longer change.")
        case "not_removable":
            return _(
                "Members may already have read this document, so it cannot be removed or "
                "replaced. Add a new version instead; the earlier one stays on record."
            )
        case "one_note":
            return _(
                "This consultation already has its discussion note. Add a version of it in "
                "another language, or add an annex."
            )
        case "language":
            return _("Choose English, French or Spanish.")
        case "kind":
            return _("Choose whether it is the discussion note or an annex.")
        case "no_file":
            return _("Choose a file to upload.")
    return _("This change is not possible.")


def storage_failure(reason: str) -> str:
    if reason == "disk_full":
        return _(
            "The server has no space left to keep the file. Nothing was saved; the error has "
            "been logged. Please try again later."
        )
    return _(
        "The server could not write the file to its documents folder. Nothing was saved; the "
        "error has been logged. Please try again later."
    )
