"""Number: a whole or decimal number between optional bounds, with a unit (e.g. "experts");
the results give the distribution, sum, mean and median."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, ClassVar

from consult import tally
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
from consult.core.text import Text

#: At most this many digits before the decimal separator, and this many after it.
MAX_DIGITS, MAX_PLACES = 15, 6
#: ASCII digits, an optional sign, a point or a comma (French, Spanish) before the decimals.
_NUMBER = re.compile(rf"[+-]?[0-9]{{1,{MAX_DIGITS}}}(?:[.,][0-9]{{1,{MAX_PLACES}}})?")


def read_number(raw: str) -> Decimal | None:
    """``raw`` as a decimal, or None: no exponent, no NaN or infinity, no grouping, at most
    15 digits and 6 decimals."""
    text = raw.strip()
    if not _NUMBER.fullmatch(text):
        return None
    return Decimal(text.replace(",", "."))


def canonical(number: Decimal) -> str:
    """The number written without exponent or trailing zeros ("12.5", "3", "-0.25")."""
    if number == 0:
        return "0"
    text = format(number.normalize(), "f")
    return text


def cell(number: Decimal) -> int | float:
    """A number for the CSV report: whole numbers stay whole."""
    return int(number) if number == number.to_integral_value() else float(number)


class Number(Kind):
    name: ClassVar[QuestionKind] = QuestionKind.NUMBER
    label: ClassVar[str] = N_("Number")
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting("integer", SettingType.FLAG, True, N_("Whole numbers only"), column=False),
        Setting("minimum", SettingType.DECIMAL, None, N_("Smallest number allowed"), column=False),
        Setting("maximum", SettingType.DECIMAL, None, N_("Largest number allowed"), column=False),
        Setting("unit", SettingType.TEXT, Text(), N_("Unit (e.g. experts, days)"), column=False),
    )
    reads: ClassVar[frozenset[Source]] = frozenset({Source.NUMBERS})

    def check(self, q: QuestionShape, *, for_opening: bool) -> list[Problem]:
        """The minimum is not above the maximum; with whole numbers only, both are whole."""
        low, high = q.get("minimum"), q.get("maximum")
        problems: list[Problem] = []
        if q.get("integer"):
            for name, bound in (("minimum", low), ("maximum", high)):
                if bound is not None and bound != bound.to_integral_value():
                    problems.append(Problem(name, Issue.NOT_WHOLE))
        if low is not None and high is not None and low > high:
            problems.append(Problem("minimum", Issue.BOUNDS_ORDER))
        return problems

    def own_fields(self, q: QuestionSpec) -> set[str]:
        return {q.field("number")}

    def parse(self, q: QuestionSpec, reader: Reader, final: bool) -> QuestionAnswer:
        name = q.field("number")
        raw = reader.one(name).strip()
        if not raw:
            if final and q.required:
                reader.error(name, Code.REQUIRED)
            return QuestionAnswer(q.id)
        number = read_number(raw)
        low, high = q.get("minimum"), q.get("maximum")
        if number is None:
            reader.error(name, Code.NOT_A_NUMBER)
        elif q.get("integer") and number != number.to_integral_value():
            reader.error(name, Code.NOT_WHOLE)
        elif low is not None and number < low:
            reader.error(name, Code.BELOW_MINIMUM, minimum=canonical(low))
        elif high is not None and number > high:
            reader.error(name, Code.ABOVE_MAXIMUM, maximum=canonical(high))
        else:
            return QuestionAnswer(q.id, number=canonical(number))
        return QuestionAnswer(q.id)

    def summarise(self, question: QuestionLike, inputs: Inputs) -> dict[str, Any]:
        return {
            "numbers": tally.numbers(Decimal(n) for n in inputs.numbers.get(False, ())),
            "numbers_observers": tally.numbers(Decimal(n) for n in inputs.numbers[True])
            if True in inputs.numbers
            else None,
        }

    def result_rows(self, results: Any, question: Any, labels: Labels) -> Iterator[dict[str, Cell]]:
        n = results.numbers
        summary: dict[str, Cell] = {
            "mean": None if n.mean is None else float(n.mean),
            "median": None if n.median is None else cell(n.median),
            "total": None if n.total is None else cell(n.total),
        }
        for value, count in n.distribution:
            yield {"option": cell(value), "selections": count, **summary}
        if not n.distribution:
            yield summary

    def response_columns(self, question: Any) -> list[ResponseColumn]:
        return [ResponseColumn("number", None, N_("number"))]
