"""The keys holding the largest or smallest value, ties kept, in their order (pure)."""

from __future__ import annotations

from collections.abc import Mapping


def most(values: Mapping[int, float]) -> tuple[int, ...]:
    """The keys holding the largest value, in their order (several on a tie; none if empty)."""
    top = max(values.values(), default=None)
    return tuple(key for key, value in values.items() if value == top)


def fewest(values: Mapping[int, float]) -> tuple[int, ...]:
    """The keys holding the smallest value, in their order (several on a tie; none if empty)."""
    bottom = min(values.values(), default=None)
    return tuple(key for key, value in values.items() if value == bottom)
