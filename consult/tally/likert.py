"""Likert-scale questions: the distribution of answers, mean and median (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Likert:
    """Answers on a scale of 1 to ``points``.

    ``distribution`` lists every value of the scale (0 allowed). ``answers`` counts answers on
    the scale; "no opinion" answers are counted apart in ``no_opinion`` and are left out of the
    mean and the median. The median is the middle answer, or the average of the two middle
    answers when their number is even. Mean and median are ``None`` without answers.
    """

    points: int
    distribution: Mapping[int, int]
    answers: int
    no_opinion: int
    mean: float | None
    median: float | None


def likert(points: int, values: Iterable[int], no_opinion: int = 0) -> Likert:
    """Summarise the answers; a value off the scale raises ``ValueError``."""
    if points < 1 or no_opinion < 0:
        raise ValueError(f"a scale of {points} points with {no_opinion} 'no opinion' answers")
    distribution = dict.fromkeys(range(1, points + 1), 0)
    for value in values:
        if value not in distribution:
            raise ValueError(f"{value!r} is not on a scale of 1 to {points}")
        distribution[value] += 1
    answers = sum(distribution.values())
    if not answers:
        return Likert(points, distribution, 0, no_opinion, None, None)
    mean = sum(value * count for value, count in distribution.items()) / answers
    median = (_nth(distribution, (answers - 1) // 2) + _nth(distribution, answers // 2)) / 2
    return Likert(points, distribution, answers, no_opinion, mean, median)


def _nth(distribution: Mapping[int, int], index: int) -> int:
    """The ``index``-th answer (0-based) in increasing order, answers given as value -> count."""
    for value, count in distribution.items():
        if index < count:
            return value
        index -= count
    raise IndexError(index)
