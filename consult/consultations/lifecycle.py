"""Lifecycle of a consultation: draft → open → closed → published (pure rules).

The stored ``status`` records what the Administration did; what a consultation *is* at a given
moment is derived from it and the server's clock:

* a consultation opened with an ``opens_at`` in the future is *scheduled*: it opens by itself
  at ``opens_at``;
* an open consultation is *closed* from ``closes_at`` on, whether or not anyone pressed a
  button (the closing instant itself is already closed: the deadline is exclusive).

Every transition is a function from a :class:`Schedule` to a new one, refusing what is illegal
with :class:`Refused`; nothing here touches a database, so every rule is unit-tested alone.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from consult.core import clock, refusals


class Status(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"


class Phase(enum.StrEnum):
    """What a delegate experiences, derived from the status and the clock."""

    NOT_YET_OPEN = "not_yet_open"
    OPEN = "open"
    CLOSED = "closed"


class Stage(enum.StrEnum):
    """What the Administration sees: the status, with scheduled and derived closing made
    explicit."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"


def phase(status: Status, opens_at: datetime | None, closes_at: datetime, now: datetime) -> Phase:
    """Derive the phase: an open consultation accepts answers from ``opens_at`` until
    ``closes_at``; the closing instant itself is already closed (the deadline is exclusive)."""
    if status is Status.DRAFT:
        return Phase.NOT_YET_OPEN
    if status is not Status.OPEN or now >= closes_at:
        return Phase.CLOSED
    if opens_at is not None and now < opens_at:
        return Phase.NOT_YET_OPEN
    return Phase.OPEN


def closed_early(status: Status, original_closes_at: datetime | None) -> bool:
    """Closed by hand before its deadline (and not reopened since): ``closes_at`` is the
    closing time, ``original_closes_at`` the deadline it had."""
    return original_closes_at is not None and status in (Status.CLOSED, Status.PUBLISHED)


def effective_status(status: Status, closes_at: datetime, now: datetime) -> Status:
    """The status as time has made it: an open consultation past its deadline is closed."""
    if status is Status.OPEN and now >= closes_at:
        return Status.CLOSED
    return status


def stage(status: Status, opens_at: datetime | None, closes_at: datetime, now: datetime) -> Stage:
    """The effective status, telling a scheduled consultation from an open one."""
    current = effective_status(status, closes_at, now)
    if current is Status.OPEN and opens_at is not None and now < opens_at:
        return Stage.SCHEDULED
    return Stage(current.value)


class _Dated(Protocol):
    @property
    def status(self) -> Status: ...
    @property
    def opens_at(self) -> datetime | None: ...
    @property
    def closes_at(self) -> datetime: ...
    @property
    def original_closes_at(self) -> datetime | None: ...


class Dated:
    """:func:`phase`, :func:`stage` and :func:`closed_early` as methods of what has a
    consultation's status and dates: the model and its plain row
    (:class:`consult.consultations.row.ConsultationRow`)."""

    __slots__ = ()

    def phase(self: _Dated, now: datetime | None = None) -> Phase:
        return phase(self.status, self.opens_at, self.closes_at, now or clock.now())

    def stage(self: _Dated, now: datetime | None = None) -> Stage:
        """Draft, scheduled, open, closed (by hand or by its deadline) or published."""
        return stage(self.status, self.opens_at, self.closes_at, now or clock.now())

    @property
    def closed_early(self: _Dated) -> bool:
        """Closed by hand before its deadline (and not reopened since): ``closes_at`` is the
        closing time, ``original_closes_at`` the deadline it had, ``close_reason`` why."""
        return closed_early(self.status, self.original_closes_at)


class Refusal(enum.StrEnum):
    """Why a transition is refused; the page words it in the reader's language."""

    NOT_A_DRAFT = "not_a_draft"
    ALREADY_OPEN = "already_open"
    NOT_OPEN_YET = "not_open_yet"
    NOT_OPEN = "not_open"
    ALREADY_CLOSED = "already_closed"
    NOT_CLOSED = "not_closed"
    ALREADY_PUBLISHED = "already_published"
    DEADLINE_PASSED = "deadline_passed"
    DEADLINE_NOT_LATER = "deadline_not_later"
    DEADLINE_IN_PAST = "deadline_in_past"
    OPENING_AFTER_DEADLINE = "opening_after_deadline"
    REASON_REQUIRED = "reason_required"
    OUTCOME_REQUIRED = "outcome_required"
    OUTCOME_UNEXPLAINED = "outcome_unexplained"
    NOT_PUBLISHED = "not_published"
    NOT_READY = "not_ready"


class Refused(refusals.Refused):
    """A transition that the lifecycle does not allow."""

    def __init__(self, code: Refusal, **params: Any) -> None:
        super().__init__(code.value)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Schedule:
    """The part of a consultation that the lifecycle reads and changes."""

    status: Status
    opens_at: datetime | None
    closes_at: datetime
    published_at: datetime | None = None
    extended_from: datetime | None = field(default=None)

    def stage(self, now: datetime) -> Stage:
        return stage(self.status, self.opens_at, self.closes_at, now)


def open_(schedule: Schedule, now: datetime, *, at: datetime | None = None) -> Schedule:
    """Open a draft now (``at`` is None or not later than ``now``) or schedule it to open by
    itself at ``at``. A scheduled consultation may also be opened now, ahead of time.

    Refused unless the deadline is still ahead and later than the opening.
    """
    current = schedule.stage(now)
    if current is Stage.OPEN:
        raise Refused(Refusal.ALREADY_OPEN)
    if current not in (Stage.DRAFT, Stage.SCHEDULED):
        raise Refused(Refusal.NOT_A_DRAFT)
    if current is Stage.SCHEDULED and at is not None and at > now:
        raise Refused(Refusal.ALREADY_OPEN)
    if schedule.closes_at <= now:
        raise Refused(Refusal.DEADLINE_PASSED, deadline=schedule.closes_at)
    opens_at = now if at is None or at <= now else at
    if opens_at >= schedule.closes_at:
        raise Refused(Refusal.OPENING_AFTER_DEADLINE, deadline=schedule.closes_at)
    return replace(schedule, status=Status.OPEN, opens_at=opens_at)


def close(schedule: Schedule, now: datetime) -> Schedule:
    """Close an open consultation now, ahead of its deadline (the deadline becomes ``now``)."""
    current = schedule.stage(now)
    if current is Stage.DRAFT:
        raise Refused(Refusal.NOT_OPEN)
    if current is Stage.SCHEDULED:
        raise Refused(Refusal.NOT_OPEN_YET, opens_at=schedule.opens_at)
    if current is Stage.PUBLISHED:
        raise Refused(Refusal.ALREADY_PUBLISHED)
    if current is Stage.CLOSED:
        raise Refused(Refusal.ALREADY_CLOSED)
    closes_at = now
    if schedule.opens_at is not None and schedule.opens_at >= now:
        # Opened and closed within the same instant: keep opening strictly before closing.
        closes_at = schedule.opens_at + timedelta(microseconds=1)
    return replace(schedule, status=Status.CLOSED, closes_at=closes_at)


def _check_reason(reason: str) -> None:
    if not reason.strip():
        raise Refused(Refusal.REASON_REQUIRED)


def extend(schedule: Schedule, now: datetime, new_closes_at: datetime, reason: str) -> Schedule:
    """Move the deadline of an open (or scheduled) consultation later; a reason is required."""
    refused = extend_refusal(schedule, now)
    if refused is not None:
        raise refused
    _check_reason(reason)
    if new_closes_at <= schedule.closes_at:
        raise Refused(Refusal.DEADLINE_NOT_LATER, deadline=schedule.closes_at)
    return replace(schedule, closes_at=new_closes_at, extended_from=schedule.closes_at)


def reopen(schedule: Schedule, now: datetime, new_closes_at: datetime, reason: str) -> Schedule:
    """Reopen a closed (not yet published) consultation until a new deadline; a reason is
    required."""
    refused = reopen_refusal(schedule, now)
    if refused is not None:
        raise refused
    _check_reason(reason)
    if new_closes_at <= now:
        raise Refused(Refusal.DEADLINE_IN_PAST)
    return replace(
        schedule, status=Status.OPEN, closes_at=new_closes_at, extended_from=schedule.closes_at
    )


def check_outcome_editable(schedule: Schedule, now: datetime) -> None:
    """The outcome is recorded after closing and frozen by publication."""
    current = schedule.stage(now)
    if current is Stage.PUBLISHED:
        raise Refused(Refusal.ALREADY_PUBLISHED)
    if current is not Stage.CLOSED:
        raise Refused(Refusal.NOT_CLOSED)


def check_correctable(schedule: Schedule, now: datetime) -> None:
    """Once published, the outcome changes only by an erratum (and the figures never)."""
    if schedule.stage(now) is not Stage.PUBLISHED:
        raise Refused(Refusal.NOT_PUBLISHED)


def publish(
    schedule: Schedule, now: datetime, *, has_outcome: bool, unexplained: bool = False
) -> Schedule:
    """Publish a closed consultation whose outcome has been recorded; not while the outcome
    departs from the official result without a reason (the count may have changed since it
    was recorded, by a reopening)."""
    check_outcome_editable(schedule, now)
    if not has_outcome:
        raise Refused(Refusal.OUTCOME_REQUIRED)
    if unexplained:
        raise Refused(Refusal.OUTCOME_UNEXPLAINED)
    return replace(schedule, status=Status.PUBLISHED, published_at=now)


class StructureLock(enum.StrEnum):
    """Why questions and options can no longer change."""

    RESPONSES = "responses"
    CLOSED = "closed"
    PUBLISHED = "published"


def structure_lock(
    status: Status, closes_at: datetime, now: datetime, has_responses: bool
) -> StructureLock | None:
    """Why the questions and options of a consultation cannot change now, or None while they
    can: they change before the first response (a draft included) and before closing, whether
    closed by hand or by its deadline. The builder, its pages and templates ask here alone."""
    if status is Status.PUBLISHED:
        return StructureLock.PUBLISHED
    if effective_status(status, closes_at, now) is Status.CLOSED:
        return StructureLock.CLOSED
    if has_responses:
        return StructureLock.RESPONSES
    return None


def questions_editable(status: Status, has_responses: bool) -> bool:
    """Questions and options change only before the first response and before closing."""
    return status in (Status.DRAFT, Status.OPEN) and not has_responses


def extend_refusal(schedule: Schedule, now: datetime) -> Refused | None:
    """Why the deadline of ``schedule`` cannot be extended now (None when it can)."""
    current = schedule.stage(now)
    if current is Stage.DRAFT:
        return Refused(Refusal.NOT_OPEN)
    if current in (Stage.CLOSED, Stage.PUBLISHED):
        return Refused(Refusal.ALREADY_CLOSED)
    return None


def reopen_refusal(schedule: Schedule, now: datetime) -> Refused | None:
    """Why ``schedule`` cannot be reopened now (None when it can)."""
    current = schedule.stage(now)
    if current is Stage.PUBLISHED:
        return Refused(Refusal.ALREADY_PUBLISHED)
    if current is not Stage.CLOSED:
        return Refused(Refusal.NOT_CLOSED)
    return None


def voting_rules_editable(status: Status) -> bool:
    """The official tally method and what observers may do are fixed at opening."""
    return status is Status.DRAFT


def dates_editable(status: Status) -> bool:
    """Dates are set freely in a draft; afterwards only open, close, extend and reopen move
    them (each recorded in the audit log)."""
    return status is Status.DRAFT


def settings_editable(status: Status) -> bool:
    """Titles, texts and settings are frozen once the consultation is published."""
    return status is not Status.PUBLISHED


def invitations_editable(status: Status, closes_at: datetime, now: datetime) -> bool:
    """Members may be invited until the consultation closes."""
    return effective_status(status, closes_at, now) in (Status.DRAFT, Status.OPEN)


def documents_replaceable(status: Status) -> bool:
    """A document's files can be replaced or removed only in a draft: once members may read
    them, a file is only superseded by a new version, and the record keeps every version."""
    return status is Status.DRAFT


def documents_editable(status: Status) -> bool:
    """Documents and new versions can be added until publication, which freezes the record."""
    return status is not Status.PUBLISHED
