"""Dates and times typed in the organisation's time zone, read safely (pure).

An administrator types a wall-clock time (``2009-12-15 18:00``, or what an HTML
``datetime-local`` field sends: ``2009-12-15T18:00``) that means a moment in the organisation's
zone. Two wall-clock times do not name exactly one moment: the hour skipped when clocks go
forward (a gap: it never happens) and the hour repeated when they go back (a fold: it happens
twice). Both are refused, so that a deadline is never moved silently by an hour.
"""

from __future__ import annotations

import enum
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

_FORMAT = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?\s*$",
)


class TimeProblem(enum.StrEnum):
    EMPTY = "empty"
    FORMAT = "format"
    INVALID = "invalid"
    GAP = "gap"
    FOLD = "fold"


class TimeInputError(ValueError):
    """The text does not name exactly one moment."""

    def __init__(self, problem: TimeProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def parse_local(text: str, zone: str) -> datetime:
    """The UTC moment meant by ``text``, a wall-clock date and time in ``zone``."""
    if not text or not text.strip():
        raise TimeInputError(TimeProblem.EMPTY)
    match = _FORMAT.match(text)
    if match is None:
        raise TimeInputError(TimeProblem.FORMAT)
    year, month, day, hour, minute = (int(g) for g in match.groups()[:5])
    second = int(match.group(6) or 0)
    tz = ZoneInfo(zone)
    try:
        naive = datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 - wall clock, zone attached below
    except ValueError as error:
        raise TimeInputError(TimeProblem.INVALID) from error
    first = naive.replace(tzinfo=tz, fold=0)
    second_reading = naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second_reading.utcoffset():
        # Either the wall-clock time is skipped (gap) or it happens twice (fold).
        round_trip = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
        raise TimeInputError(TimeProblem.GAP if round_trip != naive else TimeProblem.FOLD)
    return first.astimezone(UTC)


def format_local(moment: datetime | None, zone: str) -> str:
    """The value for a ``datetime-local`` field: ``YYYY-MM-DDTHH:MM`` in ``zone``."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")
