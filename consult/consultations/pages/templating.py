"""What the templates of every page use to show consultations: stages, kinds, conditions,
language and member names, the published results' address."""

from __future__ import annotations

from collections.abc import Sequence

from flask import (
    current_app,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from consult.consultations import (
    kinds,
)
from consult.consultations.forms import (
    LANGUAGE_LABELS,
)
from consult.consultations.lifecycle import Stage, Status
from consult.consultations.messages import describe
from consult.consultations.models import Consultation, Question
from consult.consultations.pages.base import bp
from consult.consultations.structure import QuestionRow, Structure
from consult.core.templating import localized
from consult.members.models import Member

#: Each stage's name (translated when shown: one lookup, not five, per label).
STAGE_LABELS = {
    Stage.DRAFT: _l("Draft"),
    Stage.SCHEDULED: _l("Scheduled"),
    Stage.OPEN: _l("Open"),
    Stage.CLOSED: _l("Closed"),
    Stage.PUBLISHED: _l("Published"),
}


def stage_label(stage: Stage) -> str:
    return str(STAGE_LABELS[stage])


# The registry of question kinds, for the templates that show a question by its kind.
bp.record_once(lambda state: state.app.jinja_env.globals.update(kinds=kinds))


@bp.app_template_global("kind_label")
def kind_label(kind: str) -> str:
    """A kind of question in the reader's language."""
    return _(kinds.get(kind).label)


@bp.app_template_global("condition_text")
def condition_text(
    consultation: Consultation | Structure, condition: dict, *, results: bool = False
) -> str:
    """“Answer only if you answered “Yes” to question 3.” for a ``show_if`` condition (on the
    results: “Asked only of members who answered …”); ``consultation``: its model, or the
    structure a ballot page shows."""
    questions: Sequence[Question | QuestionRow] = consultation.questions
    for number, source in enumerate(questions, start=1):
        if source.id == condition.get("question"):
            chosen = [
                _("“%(answer)s”", answer=localized(o, "label"))
                for o in source.options
                if o.id in condition.get("options", ())
            ]
            if results:
                return _(
                    "A conditional question: asked only of members who answered %(answers)s "
                    "to question %(n)d.",
                    answers=_(" or ").join(chosen),
                    n=number,
                )
            return _(
                "Answer only if you answered %(answers)s to question %(n)d.",
                answers=_(" or ").join(chosen),
                n=number,
            )
    return ""


@bp.app_template_global("describe_problem")
def describe_problem(problem) -> str:
    return describe(problem)


@bp.app_template_filter("language_name")
def language_name(code: str) -> str:
    return str(LANGUAGE_LABELS.get(code, code))


@bp.app_template_filter("member_name_of")
def member_name_of(member: Member) -> str:
    return localized(member, "name")


@bp.app_template_filter("member_by_id")
def member_by_id(member_id: int, members: dict[int, Member]) -> str:
    member = members.get(member_id)
    return localized(member, "name") if member is not None else "?"


@bp.app_template_global("published_results_url")
def published_results_url(consultation: Consultation) -> str | None:
    """The results page of a published consultation for the reader: the members' page for a
    delegate, the Administration's own results page for an administrator (who previews the
    ballot, and has no member to be invited as)."""
    if consultation.status is not Status.PUBLISHED:
        return None
    admin = getattr(current_user, "is_admin", False)
    endpoint = "results.show" if admin else "results.published"
    if endpoint in current_app.view_functions:
        return url_for(endpoint, slug=consultation.slug)
    return None


@bp.app_template_global("consultation_stage")
def consultation_stage(consultation: Consultation) -> str:
    """The effective status, in words, for lists and headings."""
    return stage_label(consultation.stage())
