"""Sentences for the builder's and the lifecycle's refusals, in the reader's language."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from consult.consultations.checks import Issue, Problem
from consult.consultations.lifecycle import Refusal, Refused
from consult.consultations.timeinput import TimeProblem
from consult.core.timefmt import format_moment


def word(reason: Problem | Refused) -> str:
    """The words of a field's problem or of a lifecycle refusal."""
    return refusal(reason) if isinstance(reason, Refused) else describe(reason)


def describe(problem: Problem) -> str:
    """What is wrong with a field, and what to do."""
    p = dict(problem.params)
    match problem.issue:
        case Issue.REQUIRED:
            return _("This field is required.")
        case Issue.TOO_LONG:
            return _("Keep it to %(limit)d characters.", limit=p.get("limit", 0))
        case Issue.CONTROL_CHARACTER:
            return _("The text contains invisible control characters; please retype it.")
        case Issue.SLUG_FORMAT:
            return _("Use lower-case letters, digits and single hyphens only, e.g. idm-2010-theme.")
        case Issue.CLOSES_BEFORE_OPENS:
            return _("The deadline must come after the opening.")
        case Issue.TOO_FEW_OPTIONS:
            return _("Give at least %(min)d options.", min=p.get("min", 2))
        case Issue.DUPLICATE_LABEL:
            return _("Another option already has this label.")
        case Issue.BOUND_NOT_POSITIVE:
            return _("Give a number of at least 1, or leave it empty.")
        case Issue.BOUNDS_ORDER:
            return _("The minimum cannot be larger than the maximum.")
        case Issue.BOUND_EXCEEDS_OPTIONS:
            return _(
                "The question has only %(options)d options; the number of choices cannot be "
                "larger.",
                options=p.get("options", 0),
            )
        case Issue.SCALE_SIZE:
            return _(
                "A scale has between %(min)d and %(max)d points, one label per line.",
                min=p.get("min", 2),
                max=p.get("max", 11),
            )
        case Issue.TEXT_LIMIT_RANGE:
            return _(
                "Choose a limit between %(min)d and %(max)d characters.",
                min=p.get("min", 0),
                max=p.get("max", 0),
            )
        case Issue.NO_QUESTIONS:
            return _("Add at least one question.")
        case Issue.NO_INVITEES:
            return _("Invite at least one member.")
        case Issue.POSITION_NOT_A_NUMBER:
            return _("Give the position as a whole number.")
        case Issue.POSITION_OUT_OF_RANGE:
            return _("Give a position between 1 and %(max)d.", max=p.get("max", 0))
        case Issue.POSITION_DUPLICATE:
            return _("Position %(position)d is given twice.", position=p.get("position", 0))
        case Issue.POSITIONS_INCOMPLETE:
            return _("Give a position to every item, and only to the items listed.")
        case Issue.SLUG_TAKEN:
            return _("Another consultation already uses this short name.")
        case Issue.SAME_OPTION:
            return _("Choose two different options.")
        case Issue.SCALE_MISMATCH:
            return _("Give one translated label per line of the English scale, or none.")
        case Issue.NOT_A_NUMBER:
            return _("Write a number with digits, and a point or a comma before decimals.")
        case Issue.NOT_WHOLE:
            return _("The question asks for whole numbers: give a whole number here.")
        case Issue.CONDITION_NOT_EARLIER:
            return _("A condition names an earlier question of this consultation.")
        case Issue.CONDITION_NO_OPTIONS:
            return _("A condition names a question with options (a choice or a ranking).")
        case Issue.CONDITION_UNKNOWN_ANSWER:
            return _("Choose one or more answers of one earlier question.")
        case Issue.OPTIONS_FROM_NOT_EARLIER:
            return _("Choose an earlier question of this consultation that has options.")
        case Issue.OPTIONS_FROM_WITH_OWN:
            return _(
                "This question uses the options of another question: remove its own options "
                "first, or choose no other question."
            )
        case Issue.OPTIONS_FROM_IN_USE:
            return _(
                "Question %(question)d uses the options of this question: change it first.",
                question=p.get("question", 0),
            )
        case Issue.CONDITION_IN_USE:
            return _(
                "Question %(question)d is shown only after an answer to this question: change "
                "its condition first.",
                question=p.get("question", 0),
            )
        case Issue.OUTCOME_REASON_REQUIRED:
            return _(
                "The options selected differ from the official result of question %(questions)s "
                "(or its result is a tie): give the reason, at least in English.",
                questions=p.get("questions", ""),
            )
        case Issue.OUTCOME_UNCHANGED:
            return _("The corrected text is the same as the published one: change it.")
        case Issue.NOT_AN_OPTION:
            return _("Select only options of the questions listed.")
        case Issue.TOO_FEW_GROUPS:
            return _(
                "Tick at least two groups to join them (or one joined group with a new name to "
                "rename it)."
            )
        case Issue.WRITE_INS_CHANGED:
            return _(
                "The suggestions have changed since this page was shown; here they are as they "
                "stand now. Please try again."
            )
        case Issue.WRITE_IN_ALONE:
            return _("This suggestion is already alone in its group.")
    return _("Please check this field.")


def locked(reason: str) -> str:
    """Why this part of the consultation can no longer change."""
    match reason:
        case "responses":
            return _(
                "Questions and options are locked: members have already responded. "
                "Extend the deadline or start a follow-up round instead."
            )
        case "closed":
            return _("The consultation is closed; its questions can no longer change.")
        case "published":
            return _("The consultation has been published; it can no longer change.")
        case "not_draft":
            return _("Only a draft can be changed in this way.")
    return _("This part of the consultation can no longer change.")


def _when(moment) -> str:
    if moment is None:
        return ""
    return format_moment(moment, current_app.config["TIMEZONE"], _locale())


def _locale() -> str:
    from consult.core.templating import locale_code

    return locale_code()


def refusal(error: Refused) -> str:
    """Why the lifecycle refused an action."""
    p = error.params
    match error.code:
        case Refusal.NOT_A_DRAFT:
            return _("Only a draft can be opened; this consultation has already run.")
        case Refusal.ALREADY_OPEN:
            return _("The consultation is already open.")
        case Refusal.NOT_OPEN_YET:
            return _(
                "The consultation cannot be closed before it opens (it opens on %(when)s).",
                when=_when(p.get("opens_at")),
            )
        case Refusal.NOT_OPEN:
            return _("The consultation has not been opened yet.")
        case Refusal.ALREADY_CLOSED:
            return _("The consultation is already closed; reopen it to set a new deadline.")
        case Refusal.NOT_CLOSED:
            return _("The consultation must be closed first.")
        case Refusal.ALREADY_PUBLISHED:
            return _("The consultation has been published; it can no longer change.")
        case Refusal.DEADLINE_PASSED:
            return _(
                "The deadline (%(when)s) has already passed; set a later deadline first.",
                when=_when(p.get("deadline")),
            )
        case Refusal.DEADLINE_NOT_LATER:
            return _(
                "The new deadline must be later than the current one (%(when)s).",
                when=_when(p.get("deadline")),
            )
        case Refusal.DEADLINE_IN_PAST:
            return _("The new deadline must be in the future.")
        case Refusal.OPENING_AFTER_DEADLINE:
            return _(
                "The opening must come before the deadline (%(when)s).",
                when=_when(p.get("deadline")),
            )
        case Refusal.REASON_REQUIRED:
            return _("Give the reason; it is recorded in the audit log.")
        case Refusal.OUTCOME_REQUIRED:
            return _("Record the outcome (at least in English) before publishing.")
        case Refusal.NOT_PUBLISHED:
            return _(
                "An erratum corrects a published outcome; until publication, edit the outcome "
                "instead."
            )
        case Refusal.OUTCOME_UNEXPLAINED:
            return _(
                "The outcome selects other options than the official result (or the result is a "
                "tie) and gives no reason: edit the outcome and give the reason before "
                "publishing."
            )
        case Refusal.NOT_READY:
            return _("The consultation is not ready to open.")
    return _("This action is not possible now.")


def time_problem(problem: TimeProblem) -> str:
    """Why a typed date and time was refused."""
    zone = current_app.config["TIMEZONE"]
    match problem:
        case TimeProblem.EMPTY:
            return _("Give a date and a time.")
        case TimeProblem.FORMAT:
            return _("Give the date and time as YYYY-MM-DD HH:MM, e.g. 2009-12-15 18:00.")
        case TimeProblem.INVALID:
            return _("This date or time does not exist.")
        case TimeProblem.GAP:
            return _(
                "This time does not exist in %(zone)s: the clocks go forward then. "
                "Choose another time.",
                zone=zone,
            )
        case TimeProblem.FOLD:
            return _(
                "This time happens twice in %(zone)s: the clocks go back then. "
                "Choose another time.",
                zone=zone,
            )
    return _("Give a date and a time.")
