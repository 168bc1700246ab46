"""Statement grid: several statements (the question's options) answered on one scale, "no
opinion" allowed; one distribution per statement."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from consult import tally
from consult.consultations.checks import Problem
from consult.consultations.enums import QuestionKind
from consult.consultations.kinds.base import (
    N_,
    Cell,
    Inputs,
    Labels,
    QuestionLike,
    QuestionShape,
    ResponseColumn,
    Setting,
    Source,
    check_scale,
)
from consult.consultations.kinds.fields import NO_OPINION, QuestionAnswer, QuestionSpec, Reader
from consult.consultations.kinds.likert import (
    ALLOW_NO_OPINION,
    MAX_SCALE,
    MIN_SCALE,
    SCALE,
    distribution,
    parse_point,
    points_of,
)
from consult.consultations.kinds.options import OptionKind, option_ids


def statement_field(question_id: int, option_id: int) -> str:
    return f"q{question_id}-value-{option_id}"


class Grid(OptionKind):
    name: ClassVar[QuestionKind] = QuestionKind.GRID
    label: ClassVar[str] = N_("Statement grid")
    settings: ClassVar[tuple[Setting, ...]] = (ALLOW_NO_OPINION, SCALE)
    reads: ClassVar[frozenset[Source]] = frozenset({Source.STATEMENTS})

    def check(self, q: QuestionShape, *, for_opening: bool) -> list[Problem]:
        """Statements distinct (two at least to open), a scale of 2 to 11 labelled points."""
        problems = super().check(q, for_opening=for_opening)
        return problems + check_scale(q.get("scale"), MIN_SCALE, MAX_SCALE)

    def own_fields(self, q: QuestionSpec) -> set[str]:
        return {statement_field(q.id, o.id) for o in q.options}

    def parse(self, q: QuestionSpec, reader: Reader, final: bool) -> QuestionAnswer:
        """Each statement: a point of the scale, "none" for no opinion (when offered), or
        nothing; a required grid needs every statement answered on submission."""
        values: dict[int, int] = {}
        for option in q.options:
            point = parse_point(q, reader, statement_field(q.id, option.id), final)
            if point is not None:
                value, no_opinion = point
                values[option.id] = NO_OPINION if no_opinion else int(value or 0)
        return QuestionAnswer(q.id, values=values)

    def summarise(self, question: QuestionLike, inputs: Inputs) -> dict[str, Any]:
        points = points_of(getattr(question, "scale", None))
        ids = option_ids(question)

        def per_statement(observers: bool) -> dict[int, tally.Likert]:
            counts = inputs.statements.get(observers, {})
            return {o: distribution(points, counts.get(o)) for o in ids}

        return {
            "statements": per_statement(False),
            "statements_observers": per_statement(True) if True in inputs.statements else None,
        }

    def result_rows(self, results: Any, question: Any, labels: Labels) -> Iterator[dict[str, Cell]]:
        for option in question.options:
            likert = results.statements[option.id]
            statement = labels.option(option.id)
            for value in range(1, likert.points + 1):
                yield {
                    "option": f"{statement}: {value} {labels.point(question, value)}".strip(),
                    "selections": likert.distribution[value],
                    "mean": likert.mean,
                    "median": likert.median,
                }
            yield {"option": f"{statement}: {labels.no_opinion}", "selections": likert.no_opinion}

    def response_columns(self, question: Any) -> list[ResponseColumn]:
        return [ResponseColumn("value", o.id, N_("value")) for o in question.options]
