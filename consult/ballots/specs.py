"""Turn a stored consultation into the :class:`~consult.ballots.rules.BallotSpec` to check."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, Protocol

from flask import current_app

from consult.ballots.rules import BallotSpec, OptionSpec, QuestionSpec
from consult.consultations import kinds, structure
from consult.consultations.kinds.likert import points_of
from consult.consultations.models import Consultation, ObserversMay, Question
from consult.consultations.structure import QuestionRow, Structure
from consult.members.models import MemberKind


class Kinded(Protocol):
    """A member as the rules see it: its kind (a ``Member``, or the kind read alone)."""

    @property
    def kind(self) -> MemberKind: ...


class Observed(Protocol):
    """A consultation as the observers' rules see it (a ``Consultation``, or its row)."""

    @property
    def observers_may(self) -> ObserversMay: ...


def question_spec(
    q: Question | QuestionRow, *, may_vote: bool, questions: Sequence[Any] | None = None
) -> QuestionSpec:
    """One question's rules; ``may_vote`` False when the member is an observer that may not
    vote (only kinds that are votes care); ``questions``: the consultation's, for a question
    that answers with another's options (by default ``q.consultation.questions``)."""
    kind = kinds.get(q.kind)
    values = kinds.settings_of(q)
    return QuestionSpec(
        id=q.id,
        kind=q.kind,
        label=q.prompt,
        options=tuple(OptionSpec(o.id, o.label) for o in kinds.answer_options(q, questions)),
        required=q.required,
        allow_partial=q.allow_partial,
        min_choices=q.min_choices,
        max_choices=q.max_choices,
        allow_write_in=q.allow_write_in,
        allow_option_comments=q.allow_option_comments,
        points=points_of(q.scale),
        allow_no_opinion=q.allow_no_opinion,
        max_length=q.max_length,
        may_vote=may_vote or not kind.is_vote,
        settings={k: v for k, v in values.items() if k not in kinds.COLUMN_SETTINGS},
    )


def ballot_spec(consultation: Consultation, member: Kinded) -> BallotSpec:
    """The rules for ``member``: observers may not rank or choose unless observers may vote."""
    may_vote = member_may_vote(consultation, member)
    return BallotSpec(
        questions=tuple(question_spec(q, may_vote=may_vote) for q in consultation.questions),
        comment_max=current_app.config["BALLOT_TEXT_MAX"],
    )


def structure_spec(structure: Structure, *, may_vote: bool) -> BallotSpec:
    """The rules of a kept structure (:mod:`consult.consultations.structure`) for a member
    that may vote or not: built once per structure version and process."""
    return _structure_spec(structure, may_vote, current_app.config["BALLOT_TEXT_MAX"])


@functools.lru_cache(maxsize=2 * structure.KEPT)
def _structure_spec(kept: Structure, may_vote: bool, comment_max: int) -> BallotSpec:
    return BallotSpec(
        questions=tuple(
            question_spec(q, may_vote=may_vote, questions=kept.questions) for q in kept.questions
        ),
        comment_max=comment_max,
    )


def member_may_vote(consultation: Observed, member: Kinded) -> bool:
    """Observers may not rank or choose unless observers may vote."""
    return not member.kind.is_observer or consultation.observers_may is ObserversMay.VOTE


def may_answer(consultation: Observed, member: Kinded) -> bool:
    """Observers answer nothing when the consultation is set to "nothing"."""
    return not (member.kind.is_observer and consultation.observers_may is ObserversMay.NOTHING)
