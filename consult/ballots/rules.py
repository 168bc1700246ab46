"""Ballot validation: every rule the server enforces, as plain functions (pure).

A ballot arrives as form fields (``name -> list of values``). Field names:

* ``q<Q>-rank-<O>``  rank given to option O of ranking question Q ("" = not ranked)
* ``q<Q>-choice``    selected option id(s) of a choose or single question
* ``q<Q>-value``     Likert point ``1..points``, or ``none`` for "no opinion"
* ``q<Q>-text``      free-text answer
* ``q<Q>-writein``   alternative suggested on a ranking question
* ``q<Q>-comment-<O>`` comment on option O
* ``comment``        general comment

Other fields are ignored (who answers, for which member, and which version is current are
never taken from the form), but a question field that no question reads refuses the ballot.
A submitted ballot must be complete and consistent; a draft must be
well formed (numbers, distinct ranks, clean text) but may be incomplete: rank gaps, missing
required answers and choice bounds are only checked on submission.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from consult.consultations import kinds
from consult.consultations.enums import QuestionKind as Kind
from consult.consultations.kinds.fields import (
    ANSWER_COLUMNS,
    NO_OPINION,
    AnswerRow,
    Code,
    FieldError,
    Form,
    OptionSpec,
    Pledge,
    QuestionAnswer,
    QuestionSpec,
    Reader,
    comment_field,
    rank_field,
)

__all__ = [
    "ANSWER_COLUMNS",
    "NO_OPINION",
    "AnswerRow",
    "Ballot",
    "BallotSpec",
    "Code",
    "FieldError",
    "Form",
    "Kind",
    "OptionSpec",
    "QuestionAnswer",
    "QuestionSpec",
    "answer_rows",
    "ballot_from_canonical",
    "ballot_to_form",
    "comment_field",
    "draft_fields",
    "parse_ballot",
    "rank_field",
]


@dataclass(frozen=True)
class BallotSpec:
    questions: tuple[QuestionSpec, ...]
    comment_max: int = 4000


@dataclass(frozen=True)
class Ballot:
    answers: tuple[QuestionAnswer, ...]
    comment: str = ""
    #: Questions whose condition was not met but that had answers, dropped (not stored).
    discarded: tuple[int, ...] = field(default=(), compare=False)

    def canonical(self) -> dict[str, Any]:
        """A JSON-ready form with a fixed order: the content of a revision and its receipt."""
        return {
            "questions": [
                {
                    "question": a.question_id,
                    "ranking": list(a.ranking),
                    "selected": sorted(a.selected),
                    "value": a.value,
                    "no_opinion": a.no_opinion,
                    "text": a.text,
                    "write_in": a.write_in,
                    "comments": {str(k): v for k, v in sorted(a.comments.items())},
                    # Written only when used, so that earlier revisions keep their content.
                    **(
                        {"values": {str(k): v for k, v in sorted(a.values.items())}}
                        if a.values
                        else {}
                    ),
                    **({"number": a.number} if a.number else {}),
                    **(
                        {"funding": {str(k): p.canonical() for k, p in sorted(a.funding.items())}}
                        if a.funding
                        else {}
                    ),
                }
                for a in self.answers
            ],
            "comment": self.comment,
        }


def answer_rows(ballot: Ballot) -> list[AnswerRow]:
    """The rows that store ``ballot`` (see :meth:`QuestionAnswer.rows`); the audit check
    recomputes them."""
    return [row for a in ballot.answers for row in a.rows()]


def parse_ballot(spec: BallotSpec, form: Form, *, final: bool) -> tuple[Ballot, list[FieldError]]:
    """Validate ``form`` against ``spec``; a ballot with no errors is safe to store.

    A question field (``q<digits>-…``) that no question of ``spec`` reads — a rank for an
    option of another consultation, a comment on an unknown option — refuses the whole ballot
    rather than being dropped: the delegate must not believe it was counted."""
    reader = Reader(form)
    answers: dict[int, QuestionAnswer] = {}
    discarded: list[int] = []
    for q in spec.questions:
        kind = kinds.get(q.kind)
        if shown(q, answers):
            answers[q.id] = kind.parse(q, reader, final)
            continue
        # Hidden by its condition: not required, and whatever was sent for it is dropped. The
        # delegate is told when it held an answer (or something that is not one), not for
        # values a page sends by itself (a radio button checked in advance).
        answers[q.id] = QuestionAnswer(q.id)
        probe = Reader(form)
        if not kind.parse(q, probe, False).is_blank or probe.errors:
            discarded.append(q.id)
    comment = reader.text("comment", spec.comment_max)
    stranger = next((name for name in form if _is_stranger(spec, name)), None)
    if stranger is not None:
        reader.error(stranger, Code.UNKNOWN_FIELD)
    return Ballot(tuple(answers.values()), comment, tuple(discarded)), reader.errors


def shown(q: QuestionSpec, earlier: Mapping[int, QuestionAnswer]) -> bool:
    """Whether ``q`` is asked: always, or when the earlier question its condition names was
    answered (ranked or selected) with one of the options listed."""
    condition = q.settings.get("show_if")
    if not condition:
        return True
    answer = earlier.get(condition["question"])
    return answer is not None and bool(answer.options_named & set(condition["options"]))


_QUESTION_FIELD = re.compile(r"q[0-9]+-")


def _is_stranger(spec: BallotSpec, name: str) -> bool:
    """A question field that no question of ``spec`` reads."""
    if not _QUESTION_FIELD.match(name):
        return False
    return not any(name in kinds.get(q.kind).field_names(q) for q in spec.questions)


def draft_fields(
    spec: BallotSpec, form: Form, dropped: Collection[int] = ()
) -> dict[str, list[str]]:
    """The known fields of a (validated) draft, as typed, to show them again later; those of
    the ``dropped`` questions (hidden by their condition) are left out."""
    known = {"comment"}
    for q in spec.questions:
        if q.id not in dropped:
            known |= kinds.get(q.kind).field_names(q)
    return {
        name: [v for v in values if v]
        for name, values in form.items()
        if name in known and any(values)
    }


def ballot_from_canonical(content: Mapping[str, Any]) -> Ballot:
    """The inverse of :meth:`Ballot.canonical` (reads a stored revision)."""
    return Ballot(
        tuple(
            QuestionAnswer(
                int(q["question"]),
                ranking=tuple(q["ranking"]),
                selected=tuple(q["selected"]),
                value=q["value"],
                no_opinion=bool(q["no_opinion"]),
                text=q["text"],
                write_in=q["write_in"],
                comments={int(k): v for k, v in q["comments"].items()},
                values={int(k): int(v) for k, v in q.get("values", {}).items()},
                number=q.get("number", ""),
                funding={int(k): Pledge.from_canonical(p) for k, p in q.get("funding", {}).items()},
            )
            for q in content["questions"]
        ),
        content.get("comment", ""),
    )


def ballot_to_form(ballot: Ballot) -> dict[str, list[str]]:
    """The form fields that reproduce ``ballot`` (to prefill the page)."""
    form: dict[str, list[str]] = {}
    for a in ballot.answers:
        form.update(a.to_form())
    if ballot.comment:
        form["comment"] = [ballot.comment]
    return form
