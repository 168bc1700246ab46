"""A response the secretariat enters on behalf of a member state: where it came from (pure).

Many missions answer by note verbale, letter or e-mail, or hand their answer over in person.
The Administration then fills in the member's ballot exactly as a delegate would (the same
rules, revision and receipt: :mod:`consult.ballots.services`) and records its provenance:

- how it was received (:class:`Channel`), required;
- the date of receipt, required: a calendar date (``YYYY-MM-DD``) not after today in the
  organisation's time zone;
- the reference of the document (for example ``NV/KEN/2010/17``), required;
- after the deadline, a *late entry*: the date of receipt must be on or before the day of the
  deadline (the day in the organisation's time zone that holds the last instant before the
  deadline; only the date of receipt is known, not the hour) and a reason is required.

The same provenance, once stored, gives the mark shown everywhere the revision appears
("entered by the secretariat (NAME) from note verbale REF of DATE").
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from consult.consultations import checks
from consult.consultations.lifecycle import Phase, Status


class Channel(enum.StrEnum):
    NOTE_VERBALE = "note_verbale"
    LETTER = "letter"
    EMAIL = "email"
    IN_PERSON = "in_person"


class Issue(enum.StrEnum):
    REQUIRED = "required"
    TOO_LONG = "too_long"
    CONTROL_CHARACTER = "control_character"
    UNKNOWN_CHANNEL = "unknown_channel"
    NOT_A_DATE = "not_a_date"
    IN_FUTURE = "in_future"
    AFTER_DEADLINE = "after_deadline"


@dataclass(frozen=True)
class Problem:
    field: str
    issue: Issue
    params: Mapping[str, Any] = dataclass_field(default_factory=dict)


#: The form's field names.
FIELDS = ("entry-channel", "entry-received-on", "entry-reference", "entry-reason")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Provenance:
    """Where an entered response came from. ``late``: entered after the deadline."""

    channel: Channel
    received_on: date
    reference: str
    late: bool = False
    reason: str = ""

    def details(self) -> dict[str, Any]:
        """What the audit event of the submission records about it."""
        out: dict[str, Any] = {
            "entered_by_secretariat": True,
            "channel": self.channel.value,
            "received_on": self.received_on.isoformat(),
            "reference": self.reference,
        }
        if self.late:
            out["late_entry"] = True
            out["late_reason"] = self.reason
        return out


@dataclass(frozen=True)
class Mark:
    """What every page, file and export shows of an entered revision."""

    channel: Channel
    reference: str
    received_on: date
    by: str
    late: bool = False
    reason: str = ""
    #: The stored entry's id when it holds a scanned document (for the download link).
    scan_entry_id: int | None = None


def window(status: Status, phase: Phase) -> tuple[bool, bool]:
    """(an entry is possible, it is a late entry): while the consultation is open, and after
    its deadline as a late entry until its results are published."""
    if phase is Phase.OPEN:
        return True, False
    late = phase is Phase.CLOSED and status not in (Status.PUBLISHED, Status.DRAFT)
    return late, late


def deadline_day(closes_at: datetime, zone: str) -> date:
    """The last day on which an answer was in time: the day of the last instant before the
    deadline (a deadline at midnight is the end of the day before)."""
    return (closes_at - timedelta(microseconds=1)).astimezone(ZoneInfo(zone)).date()


def today(now: datetime, zone: str) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


def _text(value: str, name: str, kind: str, *, required: bool) -> tuple[str, list[Problem]]:
    cleaned, found = checks.clean(value, name, kind, required=required)
    return cleaned, [Problem(name, Issue(p.issue.value), p.params) for p in found]


def parse(
    form: Mapping[str, str], *, today: date, late: bool, last_day: date
) -> tuple[Provenance | None, list[Problem]]:
    """Read and check the provenance fields; ``late`` when the deadline has passed, then
    ``last_day`` (:func:`deadline_day`) bounds the date of receipt. Every problem is returned
    (and no provenance) when any field is wrong."""
    problems: list[Problem] = []
    channel_text = (form.get("entry-channel") or "").strip()
    channel: Channel | None = None
    if not channel_text:
        problems.append(Problem("entry-channel", Issue.REQUIRED))
    elif channel_text not in Channel.__members__.values():
        problems.append(Problem("entry-channel", Issue.UNKNOWN_CHANNEL))
    else:
        channel = Channel(channel_text)
    received_on = _date(form.get("entry-received-on") or "", today, late, last_day, problems)
    reference, found = _text(
        form.get("entry-reference") or "", "entry-reference", "reference", required=True
    )
    problems += found
    reason, found = _text(form.get("entry-reason") or "", "entry-reason", "reason", required=late)
    problems += found
    if problems or channel is None or received_on is None:
        return None, problems
    return Provenance(channel, received_on, reference, late, reason if late else ""), []


def _date(
    text: str, today: date, late: bool, last_day: date, problems: list[Problem]
) -> date | None:
    text = text.strip()
    name = "entry-received-on"
    if not text:
        problems.append(Problem(name, Issue.REQUIRED))
        return None
    if not text.isascii() or not _DATE.fullmatch(text):
        problems.append(Problem(name, Issue.NOT_A_DATE))
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        problems.append(Problem(name, Issue.NOT_A_DATE))
        return None
    if value > today:
        problems.append(Problem(name, Issue.IN_FUTURE, {"today": today}))
        return None
    if late and value > last_day:
        problems.append(Problem(name, Issue.AFTER_DEADLINE, {"last_day": last_day}))
        return None
    return value


def admits_late(provenance: Provenance | None, last_day: date) -> bool:
    """Whether an entry may still be made after the deadline: received in time, with a
    reason (checked again inside the saving transaction, on the server's clock)."""
    return (
        provenance is not None
        and provenance.late
        and bool(provenance.reason)
        and provenance.received_on <= last_day
    )
