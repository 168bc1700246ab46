"""Sentences for ballot errors, in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import gettext as _

from consult.ballots.onbehalf import Channel, Issue, Mark, Problem
from consult.ballots.rules import Code, FieldError
from consult.consultations import kinds
from consult.core.templating import locale_code
from consult.core.timefmt import format_day


def describe(error: FieldError, subject: str) -> str:
    """One sentence that names the field (``subject``) and what to do."""
    p = dict(error.params)
    match error.code:
        case Code.DUPLICATED_FIELD:
            return _("%(subject)s: the value was sent more than once.", subject=subject)
        case Code.RANK_NOT_A_NUMBER | Code.RANK_OUT_OF_RANGE:
            return _(
                "%(subject)s: choose a rank between 1 and %(max)d, or leave it blank.",
                subject=subject,
                max=p.get("max", 0),
            )
        case Code.RANK_DUPLICATE:
            return _(
                "%(subject)s: rank %(rank)d is given to more than one option.",
                subject=subject,
                rank=p.get("rank", 0),
            )
        case Code.RANK_GAP:
            return _(
                "%(subject)s: ranks must follow each other from 1; rank %(rank)d is missing.",
                subject=subject,
                rank=p.get("rank", 0),
            )
        case Code.RANK_INCOMPLETE:
            return _("%(subject)s: this question asks you to rank every option.", subject=subject)
        case Code.REQUIRED:
            return _("%(subject)s: an answer is required.", subject=subject)
        case Code.RANK_NONE:
            return _(
                "%(subject)s: rank at least one option (1 for your first choice).", subject=subject
            )
        case Code.UNKNOWN_OPTION:
            return _("%(subject)s: choose among the options shown.", subject=subject)
        case Code.TOO_FEW_CHOICES:
            return _(
                "%(subject)s: choose at least %(min)d options.",
                subject=subject,
                min=p.get("min", 0),
            )
        case Code.TOO_MANY_CHOICES:
            return _(
                "%(subject)s: choose at most %(max)d options.", subject=subject, max=p.get("max", 0)
            )
        case Code.NOT_ON_SCALE:
            return _("%(subject)s: choose one of the points of the scale.", subject=subject)
        case Code.TEXT_TOO_LONG:
            return _(
                "%(subject)s: the text is longer than %(limit)d characters.",
                subject=subject,
                limit=p.get("limit", 0),
            )
        case Code.CONTROL_CHARACTER | Code.INVALID_TEXT:
            return _(
                "%(subject)s: the text contains invisible control characters; please retype it.",
                subject=subject,
            )
        case Code.OBSERVERS_MAY_NOT_VOTE:
            return _(
                "%(subject)s: observers may comment on this consultation but not vote.",
                subject=subject,
            )
        case Code.NOT_A_NUMBER:
            return _(
                "%(subject)s: write a number with digits only, and a point or a comma before "
                "decimals (at most 15 digits and 6 decimals).",
                subject=subject,
            )
        case Code.NOT_WHOLE:
            return _("%(subject)s: write a whole number.", subject=subject)
        case Code.BELOW_MINIMUM:
            return _(
                "%(subject)s: the smallest number allowed is %(minimum)s.",
                subject=subject,
                minimum=p.get("minimum", ""),
            )
        case Code.ABOVE_MAXIMUM:
            return _(
                "%(subject)s: the largest number allowed is %(maximum)s.",
                subject=subject,
                maximum=p.get("maximum", ""),
            )
        case Code.UNKNOWN_FIELD:
            return _(
                "The form holds answers for options or questions that are not part of this "
                "consultation; nothing was saved. Reload the page and answer again."
            )
    for kind in kinds.KINDS:  # codes a kind words itself
        if error.code in kind.messages:
            return _(kind.messages[error.code], **{**p, "subject": subject})
    return _("%(subject)s: please check this answer.", subject=subject)


def channel_name(channel: Channel) -> str:
    """How a response entered by the secretariat was received."""
    match channel:
        case Channel.NOTE_VERBALE:
            return _("Note verbale")
        case Channel.LETTER:
            return _("Letter")
        case Channel.EMAIL:
            return _("E-mail")
        case Channel.IN_PERSON:
            return _("Handed over in person")
    return str(channel)


def long_date(value: object) -> str:
    """A day in the reader's language, day first in English too (``2 February 2026``)."""
    return format_day(value, locale_code())  # type: ignore[arg-type]


def mark_text(mark: Mark) -> str:
    """ "Entered by the secretariat (NAME) from note verbale REF of DATE", with the late
    entry and its reason."""
    values = {"name": mark.by, "reference": mark.reference, "date": long_date(mark.received_on)}
    match mark.channel:
        case Channel.NOTE_VERBALE:
            text = _(
                "Entered by the secretariat (%(name)s) from note verbale %(reference)s of %(date)s",
                **values,
            )
        case Channel.LETTER:
            text = _(
                "Entered by the secretariat (%(name)s) from letter %(reference)s of %(date)s",
                **values,
            )
        case Channel.EMAIL:
            text = _(
                "Entered by the secretariat (%(name)s) from e-mail %(reference)s of %(date)s",
                **values,
            )
        case _:
            text = _(
                "Entered by the secretariat (%(name)s) from the answer handed over in person "
                "(%(reference)s) on %(date)s",
                **values,
            )
    if mark.late:
        text += " · " + _("Late entry: %(reason)s", reason=mark.reason)
    return text


#: The keys of a submission's audit details that say where an entered response came from
#: (``onbehalf.Provenance.details`` and ``entries.Entered.details``), in the order shown.
PROVENANCE_KEYS = (
    "entered_by_secretariat",
    "channel",
    "reference",
    "received_on",
    "late_entry",
    "late_reason",
    "scan_sha256",
)


def provenance_items(details: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The provenance recorded in a submission's audit details, as (name, value) pairs in
    words in the reader's language; nothing for a delegate's own submission."""
    if not details.get("entered_by_secretariat"):
        return []
    items = [(_("Entered"), _("by the secretariat, on behalf of the member"))]
    channel = str(details.get("channel") or "")
    if channel in Channel.__members__.values():
        items.append((_("Received as"), channel_name(Channel(channel))))
    elif channel:
        items.append((_("Received as"), str(channel)))
    if details.get("reference"):
        items.append((_("Reference"), str(details["reference"])))
    received = details.get("received_on")
    try:
        items.append((_("Date of receipt"), long_date(date.fromisoformat(str(received)))))
    except ValueError:
        items.append((_("Date of receipt"), str(received or "—")))
    late = bool(details.get("late_entry"))
    items.append((_("Late entry"), _("yes") if late else _("no")))
    if late:
        items.append((_("Reason for the late entry"), str(details.get("late_reason") or "—")))
    scan = details.get("scan_sha256")
    items.append(
        (
            _("Scanned document"),
            _("SHA-256 %(digest)s", digest=f"{str(scan)[:12]}…") if scan else _("none"),
        )
    )
    return items


def entry_problem(problem: Problem) -> str:
    """What is wrong with the provenance of an entered response."""
    field = {
        "entry-channel": _("Received as"),
        "entry-received-on": _("Date of receipt"),
        "entry-reference": _("Reference"),
        "entry-reason": _("Reason for the late entry"),
    }.get(problem.field, problem.field)
    p = dict(problem.params)
    match problem.issue:
        case Issue.REQUIRED:
            return _("%(field)s: this is required.", field=field)
        case Issue.TOO_LONG:
            return _(
                "%(field)s: at most %(limit)d characters.", field=field, limit=p.get("limit", 0)
            )
        case Issue.CONTROL_CHARACTER:
            return _("%(field)s: remove the control characters.", field=field)
        case Issue.UNKNOWN_CHANNEL:
            return _("%(field)s: choose note verbale, letter, e-mail or in person.", field=field)
        case Issue.NOT_A_DATE:
            return _("%(field)s: give a date such as 2010-03-04 (year, month, day).", field=field)
        case Issue.IN_FUTURE:
            return _(
                "%(field)s: the date of receipt cannot be after today (%(today)s).",
                field=field,
                today=long_date(p.get("today")),
            )
        case Issue.AFTER_DEADLINE:
            return _(
                "%(field)s: after the deadline, only an answer received by %(day)s, the day "
                "of the deadline, can be entered.",
                field=field,
                day=long_date(p.get("last_day")),
            )
    return _("%(field)s: this value is not accepted.", field=field)
