"""Turn a stored consultation into the :class:`~consult.ballots.rules.BallotSpec` to check."""

from __future__ import annotations

from flask import current_app

from consult.ballots.rules import BallotSpec, Kind, OptionSpec, QuestionSpec
from consult.consultations.models import Consultation, ObserversMay
from consult.members.models import Member

#: Questions that are votes; observers answer them only when the consultation says so.
VOTING_KINDS = (Kind.RANKING, Kind.CHOOSE)


def ballot_spec(consultation: Consultation, member: Member) -> BallotSpec:
    """The rules for ``member``: observers may not rank or choose unless observers may vote."""
    observer_votes = consultation.observers_may is ObserversMay.VOTE
    may_vote = not member.kind.is_observer or observer_votes
    return BallotSpec(
        questions=tuple(
            QuestionSpec(
                id=q.id,
                kind=Kind(q.kind.value),
                label=q.prompt,
                options=tuple(OptionSpec(o.id, o.label) for o in q.options),
                required=q.required,
                allow_partial=q.allow_partial,
                min_choices=q.min_choices,
                max_choices=q.max_choices,
                allow_write_in=q.allow_write_in,
                allow_option_comments=q.allow_option_comments,
                points=len(q.scale) or 5,
                allow_no_opinion=q.allow_no_opinion,
                max_length=q.max_length,
                may_vote=may_vote or Kind(q.kind.value) not in VOTING_KINDS,
            )
            for q in consultation.questions
        ),
        comment_max=current_app.config["BALLOT_TEXT_MAX"],
    )


def may_answer(consultation: Consultation, member: Member) -> bool:
    """Observers answer nothing when the consultation is set to "nothing"."""
    return not (member.kind.is_observer and consultation.observers_may is ObserversMay.NOTHING)
