"""Times typed in the organisation's zone: one moment or a clear refusal."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consult.consultations.timeinput import TimeInputError, TimeProblem, format_local, parse_local

ZURICH = "Europe/Zurich"


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2009-12-15T18:00", datetime(2009, 12, 15, 17, 0, tzinfo=UTC)),  # CET, UTC+1
        ("2009-12-15 18:00", datetime(2009, 12, 15, 17, 0, tzinfo=UTC)),
        ("2009-07-01T09:30:15", datetime(2009, 7, 1, 7, 30, 15, tzinfo=UTC)),  # CEST, UTC+2
        (" 2010-03-28T03:00 ", datetime(2010, 3, 28, 1, 0, tzinfo=UTC)),  # just after the gap
    ],
)
def test_wall_clock_time_becomes_utc(text, utc):
    assert parse_local(text, ZURICH) == utc


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", TimeProblem.EMPTY),
        ("   ", TimeProblem.EMPTY),
        ("15/12/2009 18:00", TimeProblem.FORMAT),
        ("2009-12-15", TimeProblem.FORMAT),
        ("2009-12-15T18:00+01:00", TimeProblem.FORMAT),
        ("2009-02-30T10:00", TimeProblem.INVALID),
        ("2009-12-15T24:00", TimeProblem.INVALID),
        ("2010-03-28T02:30", TimeProblem.GAP),  # clocks go from 02:00 to 03:00
        ("2009-10-25T02:30", TimeProblem.FOLD),  # 02:00-03:00 happens twice
    ],
)
def test_unclear_times_are_refused(text, problem):
    with pytest.raises(TimeInputError) as caught:
        parse_local(text, ZURICH)
    assert caught.value.problem is problem


def test_a_zone_without_daylight_saving_has_no_gap():
    assert parse_local("2010-03-28T02:30", "UTC") == datetime(2010, 3, 28, 2, 30, tzinfo=UTC)


@given(st.integers(min_value=946_684_800 // 60, max_value=2_208_988_800 // 60))
def test_format_then_parse_round_trips_to_the_minute(minutes):
    moment = datetime.fromtimestamp(minutes * 60, tz=UTC)
    text = format_local(moment, ZURICH)
    first = datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(ZURICH), fold=0)
    if first.utcoffset() != first.replace(fold=1).utcoffset():
        # The repeated hour when clocks go back cannot be typed back: it is refused.
        with pytest.raises(TimeInputError):
            parse_local(text, ZURICH)
    else:
        assert parse_local(text, ZURICH) == moment


def test_format_local_of_nothing_is_empty():
    assert format_local(None, ZURICH) == ""
