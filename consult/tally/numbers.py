"""Number questions: how many answered, the distribution, sum, mean and median (pure)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Numbers:
    """Numbers answered, computed exactly (decimals, never floats).

    ``distribution`` lists each distinct value with how many gave it, smallest first. The
    median is the middle value, or the average of the two middle values when their number is
    even. ``total``, ``mean`` and ``median`` are ``None`` without answers.
    """

    count: int
    distribution: tuple[tuple[Decimal, int], ...]
    total: Decimal | None
    mean: Decimal | None
    median: Decimal | None


def numbers(values: Iterable[Decimal]) -> Numbers:
    """Summarise the numbers answered."""
    ordered = sorted(values)
    if not ordered:
        return Numbers(0, (), None, None, None)
    count = len(ordered)
    total = sum(ordered, Decimal(0))
    middle = (ordered[(count - 1) // 2] + ordered[count // 2]) / 2
    return Numbers(
        count=count,
        distribution=tuple(sorted(Counter(ordered).items())),
        total=total,
        mean=total / count,
        median=middle,
    )
