"""The provenance of a response entered by the secretariat (consult/ballots/onbehalf.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from consult.ballots.onbehalf import (
    Channel,
    Issue,
    Provenance,
    admits_late,
    deadline_day,
    parse,
    today,
)

TODAY = date(2010, 3, 10)
LAST_DAY = date(2010, 3, 5)


def fields(**values: str) -> dict[str, str]:
    base = {
        "entry-channel": "note_verbale",
        "entry-received-on": "2010-03-04",
        "entry-reference": "NV/KEN/2010/17",
        "entry-reason": "",
    }
    base.update({f"entry-{k.replace('_', '-')}": v for k, v in values.items()})
    return base


def issues(form: dict[str, str], *, late: bool = False) -> dict[str, Issue]:
    provenance, problems = parse(form, today=TODAY, late=late, last_day=LAST_DAY)
    assert (provenance is None) == bool(problems)
    return {p.field: p.issue for p in problems}


def test_a_complete_entry_is_read_and_cleaned():
    provenance, problems = parse(
        fields(reference="  NV/KEN/2010/17 ", reason="ignored while open"),
        today=TODAY,
        late=False,
        last_day=LAST_DAY,
    )
    assert problems == []
    assert provenance == Provenance(Channel.NOTE_VERBALE, date(2010, 3, 4), "NV/KEN/2010/17")
    assert provenance.details() == {
        "entered_by_secretariat": True,
        "channel": "note_verbale",
        "received_on": "2010-03-04",
        "reference": "NV/KEN/2010/17",
    }


@pytest.mark.parametrize("channel", [c.value for c in Channel])
def test_every_channel_is_accepted(channel):
    assert issues(fields(channel=channel)) == {}


def test_channel_reference_and_date_are_required():
    assert issues(fields(channel="", reference=" ", received_on="")) == {
        "entry-channel": Issue.REQUIRED,
        "entry-reference": Issue.REQUIRED,
        "entry-received-on": Issue.REQUIRED,
    }


@pytest.mark.parametrize("channel", ["fax", "NOTE_VERBALE", "note_verbale ", "0"])
def test_an_unknown_channel_is_refused(channel):
    expected = {} if channel.strip() == "note_verbale" else {"entry-channel": Issue.UNKNOWN_CHANNEL}
    assert issues(fields(channel=channel)) == expected


@pytest.mark.parametrize(
    "text", ["4 March 2010", "2010-02-30", "2010-3-4", "٢٠١٠-٠٣-٠٤", "20100-03-04", "2010-03-04T10"]
)
def test_a_date_that_is_not_a_calendar_day_is_refused(text):
    assert issues(fields(received_on=text)) == {"entry-received-on": Issue.NOT_A_DATE}


def test_a_date_of_receipt_in_the_future_is_refused():
    assert issues(fields(received_on="2010-03-11")) == {"entry-received-on": Issue.IN_FUTURE}
    assert issues(fields(received_on="2010-03-10")) == {}


def test_a_reference_too_long_or_with_control_characters_is_refused():
    assert issues(fields(reference="N" * 61)) == {"entry-reference": Issue.TOO_LONG}
    assert issues(fields(reference="NV\x07")) == {"entry-reference": Issue.CONTROL_CHARACTER}


def test_a_late_entry_needs_a_reason_and_a_receipt_by_the_deadline():
    assert issues(fields(), late=True) == {"entry-reason": Issue.REQUIRED}
    after = fields(received_on="2010-03-06", reason="Mislaid in the registry")
    assert issues(after, late=True) == {"entry-received-on": Issue.AFTER_DEADLINE}
    provenance, problems = parse(
        fields(received_on="2010-03-05", reason="Mislaid in the registry"),
        today=TODAY,
        late=True,
        last_day=LAST_DAY,
    )
    assert problems == []
    assert provenance is not None
    assert provenance.late
    assert provenance.details()["late_entry"] is True
    assert provenance.details()["late_reason"] == "Mislaid in the registry"
    assert admits_late(provenance, LAST_DAY)
    assert not admits_late(provenance, date(2010, 3, 4))
    on_time = Provenance(Channel.LETTER, date(2010, 3, 1), "L/1")
    assert not admits_late(on_time, LAST_DAY)
    assert not admits_late(None, LAST_DAY)


def test_the_deadline_day_is_the_day_of_the_last_instant_before_it():
    zurich = "Europe/Zurich"
    # 17:00 in Zurich on 5 March: the 5th still counts.
    assert deadline_day(datetime(2010, 3, 5, 16, 0, tzinfo=UTC), zurich) == date(2010, 3, 5)
    # Midnight in Zurich (23:00 UTC): the deadline is the end of the day before.
    assert deadline_day(datetime(2010, 3, 5, 23, 0, tzinfo=UTC), zurich) == date(2010, 3, 5)
    assert deadline_day(datetime(2010, 3, 5, 23, 0, 1, tzinfo=UTC), zurich) == date(2010, 3, 6)
    assert today(datetime(2010, 3, 5, 23, 30, tzinfo=UTC), zurich) == date(2010, 3, 6)
