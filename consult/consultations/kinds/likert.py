"""Likert scale: one answer on a labelled scale, "no opinion" allowed; a distribution."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from consult import tally
from consult.consultations.checks import Problem
from consult.consultations.enums import QuestionKind
from consult.consultations.kinds.base import (
    N_,
    Cell,
    Inputs,
    Kind,
    Labels,
    QuestionLike,
    QuestionShape,
    ResponseColumn,
    Setting,
    SettingType,
    Source,
    ValueCounts,
    check_scale,
)
from consult.consultations.kinds.fields import Code, QuestionAnswer, QuestionSpec, Reader

#: A scale has this many points when none are given (a question read without its scale).
DEFAULT_POINTS = 5
MIN_SCALE, MAX_SCALE = 2, 11
SCALE = Setting(
    "scale",
    SettingType.SCALE,
    (),
    N_("Points of the scale, one label per line, from the lowest to the highest"),
)
ALLOW_NO_OPINION = Setting("allow_no_opinion", SettingType.FLAG, False, N_("Offer “No opinion”"))


def points_of(scale: Sequence[Any] | None) -> int:
    """The number of points of a stored scale."""
    return len(scale or ()) or DEFAULT_POINTS


def read_point(raw: str, points: int, allow_no_opinion: bool) -> tuple[int | None, bool] | None:
    """A point ``1..points`` or ``none`` ("no opinion", when offered); None when neither."""
    if raw == "none" and allow_no_opinion:
        return None, True
    if raw.isascii() and raw.isdigit() and len(raw) <= 2 and 1 <= int(raw) <= points:
        return int(raw), False
    return None


def parse_point(
    q: QuestionSpec, reader: Reader, name: str, final: bool
) -> tuple[int | None, bool] | None:
    """The answer on the scale in field ``name``: a point, or "no opinion"; None when left
    blank (refused on submission when the question is required) or off the scale."""
    raw = reader.one(name).strip()
    if not raw:
        if final and q.required:
            reader.error(name, Code.REQUIRED)
        return None
    point = read_point(raw, q.points, q.allow_no_opinion)
    if point is None:
        reader.error(name, Code.NOT_ON_SCALE, max=q.points)
    return point


def distribution(points: int, counts: ValueCounts | None) -> tally.Likert:
    counts = counts or ValueCounts()
    values = (v for v, n in counts.values.items() for _ in range(n))
    return tally.likert(points, values, no_opinion=counts.no_opinion)


class Likert(Kind):
    name: ClassVar[QuestionKind] = QuestionKind.LIKERT
    label: ClassVar[str] = N_("Likert scale")
    settings: ClassVar[tuple[Setting, ...]] = (ALLOW_NO_OPINION, SCALE)
    reads: ClassVar[frozenset[Source]] = frozenset({Source.VALUES})

    def check(self, q: QuestionShape, *, for_opening: bool) -> list[Problem]:
        """A scale has 2 to 11 labelled points."""
        return check_scale(q.get("scale"), MIN_SCALE, MAX_SCALE)

    def own_fields(self, q: QuestionSpec) -> set[str]:
        return {q.field("value")}

    def parse(self, q: QuestionSpec, reader: Reader, final: bool) -> QuestionAnswer:
        point = parse_point(q, reader, q.field("value"), final)
        if point is None:
            return QuestionAnswer(q.id)
        value, no_opinion = point
        return QuestionAnswer(q.id, value=value, no_opinion=no_opinion)

    def summarise(self, question: QuestionLike, inputs: Inputs) -> dict[str, Any]:
        points = points_of(getattr(question, "scale", None))
        return {
            "likert": distribution(points, inputs.values.get(False)),
            "likert_observers": distribution(points, inputs.values[True])
            if True in inputs.values
            else None,
        }

    def result_rows(self, results: Any, question: Any, labels: Labels) -> Iterator[dict[str, Cell]]:
        likert = results.likert
        for value in range(1, likert.points + 1):
            yield {
                "option": f"{value} {labels.point(question, value)}".strip(),
                "selections": likert.distribution[value],
                "mean": likert.mean,
                "median": likert.median,
            }
        yield {"option": labels.no_opinion, "selections": likert.no_opinion}

    def response_columns(self, question: Any) -> list[ResponseColumn]:
        return [ResponseColumn("value", None, N_("value"))]
