"""What the kinds whose answers pick among options share (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from consult.consultations.checks import Issue, Problem, check_labels
from consult.consultations.kinds.base import N_, Kind, QuestionShape, Setting, SettingType
from consult.consultations.kinds.fields import NO_OPINION

ALLOW_OPTION_COMMENTS = Setting(
    "allow_option_comments", SettingType.FLAG, False, N_("A comment box beside each option")
)
#: Answers use the options of an earlier question (e.g. funding the workshops proposed in
#: question 1) instead of options of their own.
OPTIONS_FROM = Setting(
    "options_from", SettingType.QUESTION, None, N_("Use the options of question"), column=False
)


def answer_options(question: Any, questions: Sequence[Any] | None = None) -> Sequence[Any]:
    """The options a stored question's answers use: those of the question its
    ``options_from`` names (among ``questions``, by default its consultation's), else its
    own."""
    source = (getattr(question, "settings", None) or {}).get("options_from")
    if source is None:
        return list(question.options)
    if questions is None:
        questions = getattr(getattr(question, "consultation", None), "questions", ())
    for other in questions:
        if other.id == source:
            return list(other.options)
    return []


class OptionKind(Kind):
    """A kind with options: labels distinct, and two of them at least to open."""

    has_options: ClassVar[bool] = True

    def check(self, q: QuestionShape, *, for_opening: bool) -> list[Problem]:
        problems = check_labels(q.options)
        if for_opening and len(q.options) < 2:
            problems.append(Problem("options", Issue.TOO_FEW_OPTIONS, {"min": 2}))
        return problems


def option_ids(question: Any) -> list[int]:
    return [o.id for o in question.options]


__all__ = [
    "ALLOW_OPTION_COMMENTS",
    "NO_OPINION",
    "OPTIONS_FROM",
    "OptionKind",
    "answer_options",
    "option_ids",
]
