"""Free text: an answer of up to ``max_length`` characters; the results list the answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from consult.consultations.checks import Issue, Problem
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
)
from consult.consultations.kinds.fields import Code, QuestionAnswer, QuestionSpec, Reader

MIN_TEXT_LIMIT, MAX_TEXT_LIMIT = 10, 20_000
#: The longest answer, and the longest comment on an option of any kind.
MAX_LENGTH = Setting("max_length", SettingType.LIMIT, 2000, N_("Longest answer, in characters"))


class Text(Kind):
    name: ClassVar[QuestionKind] = QuestionKind.TEXT
    label: ClassVar[str] = N_("Free text")
    settings: ClassVar[tuple[Setting, ...]] = (MAX_LENGTH,)
    reads: ClassVar[frozenset[Source]] = frozenset({Source.TEXTS})

    def check(self, q: QuestionShape, *, for_opening: bool) -> list[Problem]:
        if not MIN_TEXT_LIMIT <= q.get("max_length") <= MAX_TEXT_LIMIT:
            limits = {"min": MIN_TEXT_LIMIT, "max": MAX_TEXT_LIMIT}
            return [Problem("max_length", Issue.TEXT_LIMIT_RANGE, limits)]
        return []

    def own_fields(self, q: QuestionSpec) -> set[str]:
        return {q.field("text")}

    def parse(self, q: QuestionSpec, reader: Reader, final: bool) -> QuestionAnswer:
        text = reader.text(q.field("text"), q.max_length)
        if final and q.required and not text:
            reader.error(q.field("text"), Code.REQUIRED)
        return QuestionAnswer(q.id, text=text)

    def summarise(self, question: QuestionLike, inputs: Inputs) -> dict[str, Any]:
        return {"answers": tuple(inputs.texts)}

    def result_rows(self, results: Any, question: Any, labels: Labels) -> Iterator[dict[str, Cell]]:
        yield {}

    def response_columns(self, question: Any) -> list[ResponseColumn]:
        return [ResponseColumn("free", None, N_("answer"))]
