"""The lifecycle of a consultation: every allowed and refused transition, time-derived state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from consult.consultations import lifecycle as lc
from consult.consultations.lifecycle import Phase, Refusal, Refused, Schedule, Stage, Status

NOW = datetime(2009, 11, 20, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)


def draft(opens=NOW + DAY, closes=NOW + 10 * DAY) -> Schedule:
    return Schedule(Status.DRAFT, opens, closes)


def running(closes=NOW + 10 * DAY) -> Schedule:
    return Schedule(Status.OPEN, NOW - DAY, closes)


def scheduled() -> Schedule:
    return Schedule(Status.OPEN, NOW + DAY, NOW + 10 * DAY)


def past_deadline() -> Schedule:
    return Schedule(Status.OPEN, NOW - 10 * DAY, NOW - DAY)


def closed_by_hand() -> Schedule:
    return Schedule(Status.CLOSED, NOW - 10 * DAY, NOW - DAY)


def published() -> Schedule:
    return Schedule(Status.PUBLISHED, NOW - 10 * DAY, NOW - 2 * DAY, published_at=NOW - DAY)


def refusal(call) -> Refusal:
    with pytest.raises(Refused) as caught:
        call()
    return caught.value.code


# Derived state ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "expected"),
    [(-SECOND, Stage.OPEN), (timedelta(0), Stage.CLOSED), (SECOND, Stage.CLOSED)],
)
def test_deadline_closes_by_itself_and_is_exclusive(offset, expected):
    schedule = running(closes=NOW)
    assert schedule.stage(NOW + offset) is expected
    assert lc.effective_status(Status.OPEN, NOW, NOW + offset) is Status(expected.value)


def test_scheduled_consultation_opens_by_itself_at_opens_at():
    schedule = scheduled()
    assert schedule.stage(NOW) is Stage.SCHEDULED
    assert (
        lc.phase(schedule.status, schedule.opens_at, schedule.closes_at, NOW) is Phase.NOT_YET_OPEN
    )
    opens = schedule.opens_at
    assert schedule.stage(opens - SECOND) is Stage.SCHEDULED
    assert schedule.stage(opens) is Stage.OPEN
    assert lc.phase(schedule.status, opens, schedule.closes_at, opens) is Phase.OPEN


@pytest.mark.parametrize(
    ("schedule", "stage", "phase"),
    [
        (draft(), Stage.DRAFT, Phase.NOT_YET_OPEN),
        (running(), Stage.OPEN, Phase.OPEN),
        (past_deadline(), Stage.CLOSED, Phase.CLOSED),
        (closed_by_hand(), Stage.CLOSED, Phase.CLOSED),
        (published(), Stage.PUBLISHED, Phase.CLOSED),
    ],
)
def test_stage_and_phase_of_each_state(schedule, stage, phase):
    assert schedule.stage(NOW) is stage
    assert lc.phase(schedule.status, schedule.opens_at, schedule.closes_at, NOW) is phase


def test_a_draft_stays_a_draft_whatever_the_time():
    schedule = draft(opens=NOW - 10 * DAY, closes=NOW - DAY)
    assert schedule.stage(NOW) is Stage.DRAFT


# Open ------------------------------------------------------------------------------------


def test_open_a_draft_now():
    opened = lc.open_(draft(), NOW)
    assert (opened.status, opened.opens_at, opened.stage(NOW)) == (Status.OPEN, NOW, Stage.OPEN)


def test_schedule_a_draft_to_open_later():
    opened = lc.open_(draft(), NOW, at=NOW + DAY)
    assert (opened.status, opened.opens_at) == (Status.OPEN, NOW + DAY)
    assert opened.stage(NOW) is Stage.SCHEDULED


def test_an_opening_time_already_past_opens_now():
    assert lc.open_(draft(), NOW, at=NOW - DAY).opens_at == NOW


def test_a_scheduled_consultation_can_be_opened_ahead_of_time():
    opened = lc.open_(scheduled(), NOW)
    assert opened.opens_at == NOW
    assert opened.stage(NOW) is Stage.OPEN


@pytest.mark.parametrize(
    ("schedule", "at", "code"),
    [
        (running(), None, Refusal.ALREADY_OPEN),
        (scheduled(), NOW + 2 * DAY, Refusal.ALREADY_OPEN),
        (past_deadline(), None, Refusal.NOT_A_DRAFT),
        (closed_by_hand(), None, Refusal.NOT_A_DRAFT),
        (published(), None, Refusal.NOT_A_DRAFT),
        (draft(closes=NOW - DAY, opens=NOW - 2 * DAY), None, Refusal.DEADLINE_PASSED),
        (draft(closes=NOW, opens=None), None, Refusal.DEADLINE_PASSED),
        (draft(closes=NOW + DAY), NOW + 2 * DAY, Refusal.OPENING_AFTER_DEADLINE),
        (draft(closes=NOW + DAY), NOW + DAY, Refusal.OPENING_AFTER_DEADLINE),
    ],
)
def test_open_refused(schedule, at, code):
    assert refusal(lambda: lc.open_(schedule, NOW, at=at)) is code


# Close -----------------------------------------------------------------------------------


def test_close_an_open_consultation_ahead_of_its_deadline():
    closed = lc.close(running(), NOW)
    assert (closed.status, closed.closes_at) == (Status.CLOSED, NOW)
    assert closed.stage(NOW) is Stage.CLOSED


def test_close_in_the_instant_of_opening_keeps_opening_before_closing():
    closed = lc.close(lc.open_(draft(), NOW), NOW)
    assert closed.opens_at < closed.closes_at
    assert closed.stage(NOW) is Stage.CLOSED


@pytest.mark.parametrize(
    ("schedule", "code"),
    [
        (draft(), Refusal.NOT_OPEN),
        (scheduled(), Refusal.NOT_OPEN_YET),
        (past_deadline(), Refusal.ALREADY_CLOSED),
        (closed_by_hand(), Refusal.ALREADY_CLOSED),
        (published(), Refusal.ALREADY_PUBLISHED),
    ],
)
def test_close_refused(schedule, code):
    assert refusal(lambda: lc.close(schedule, NOW)) is code


# Extend ----------------------------------------------------------------------------------


@pytest.mark.parametrize("schedule", [running(), scheduled()])
def test_extend_the_deadline(schedule):
    extended = lc.extend(schedule, NOW, schedule.closes_at + DAY, "Requested by the regions")
    assert extended.closes_at == schedule.closes_at + DAY
    assert extended.extended_from == schedule.closes_at
    assert extended.status is Status.OPEN


@pytest.mark.parametrize(
    ("schedule", "new", "reason", "code"),
    [
        (draft(), NOW + 20 * DAY, "x", Refusal.NOT_OPEN),
        (past_deadline(), NOW + DAY, "x", Refusal.ALREADY_CLOSED),
        (closed_by_hand(), NOW + DAY, "x", Refusal.ALREADY_CLOSED),
        (published(), NOW + DAY, "x", Refusal.ALREADY_CLOSED),
        (running(), NOW + 20 * DAY, "   ", Refusal.REASON_REQUIRED),
        (running(), NOW + 10 * DAY, "x", Refusal.DEADLINE_NOT_LATER),
        (running(), NOW + 5 * DAY, "x", Refusal.DEADLINE_NOT_LATER),
    ],
)
def test_extend_refused(schedule, new, reason, code):
    assert refusal(lambda: lc.extend(schedule, NOW, new, reason)) is code


# Reopen ----------------------------------------------------------------------------------


@pytest.mark.parametrize("schedule", [past_deadline(), closed_by_hand()])
def test_reopen_a_closed_consultation(schedule):
    reopened = lc.reopen(schedule, NOW, NOW + 3 * DAY, "Two missions could not connect")
    assert (reopened.status, reopened.closes_at) == (Status.OPEN, NOW + 3 * DAY)
    assert reopened.extended_from == schedule.closes_at
    assert reopened.stage(NOW) is Stage.OPEN


@pytest.mark.parametrize(
    ("schedule", "new", "reason", "code"),
    [
        (draft(), NOW + DAY, "x", Refusal.NOT_CLOSED),
        (running(), NOW + 20 * DAY, "x", Refusal.NOT_CLOSED),
        (scheduled(), NOW + 20 * DAY, "x", Refusal.NOT_CLOSED),
        (published(), NOW + DAY, "x", Refusal.ALREADY_PUBLISHED),
        (closed_by_hand(), NOW + DAY, "", Refusal.REASON_REQUIRED),
        (closed_by_hand(), NOW, "x", Refusal.DEADLINE_IN_PAST),
        (closed_by_hand(), NOW - SECOND, "x", Refusal.DEADLINE_IN_PAST),
    ],
)
def test_reopen_refused(schedule, new, reason, code):
    assert refusal(lambda: lc.reopen(schedule, NOW, new, reason)) is code


# Outcome and publication -------------------------------------------------------------------


@pytest.mark.parametrize("schedule", [past_deadline(), closed_by_hand()])
def test_outcome_recorded_after_closing_then_published(schedule):
    lc.check_outcome_editable(schedule, NOW)
    done = lc.publish(schedule, NOW, has_outcome=True)
    assert (done.status, done.published_at) == (Status.PUBLISHED, NOW)


@pytest.mark.parametrize(
    ("schedule", "code"),
    [
        (draft(), Refusal.NOT_CLOSED),
        (running(), Refusal.NOT_CLOSED),
        (scheduled(), Refusal.NOT_CLOSED),
        (published(), Refusal.ALREADY_PUBLISHED),
    ],
)
def test_outcome_and_publication_refused_unless_closed(schedule, code):
    assert refusal(lambda: lc.check_outcome_editable(schedule, NOW)) is code
    assert refusal(lambda: lc.publish(schedule, NOW, has_outcome=True)) is code


def test_publication_needs_an_outcome():
    assert refusal(lambda: lc.publish(closed_by_hand(), NOW, has_outcome=False)) is (
        Refusal.OUTCOME_REQUIRED
    )


def test_the_whole_cycle():
    schedule = draft()
    schedule = lc.open_(schedule, NOW)
    later = NOW + 5 * DAY
    schedule = lc.extend(schedule, later, schedule.closes_at + DAY, "More time")
    schedule = lc.close(schedule, later)
    schedule = lc.reopen(schedule, later, later + DAY, "One more day")
    after = later + 2 * DAY
    assert schedule.stage(after) is Stage.CLOSED
    schedule = lc.publish(schedule, after, has_outcome=True)
    assert schedule.stage(after) is Stage.PUBLISHED


# What stays editable -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "has_responses", "editable"),
    [
        (Status.DRAFT, False, True),
        (Status.OPEN, False, True),
        (Status.OPEN, True, False),
        (Status.CLOSED, False, False),
        (Status.PUBLISHED, False, False),
    ],
)
def test_questions_locked_once_a_response_exists(status, has_responses, editable):
    assert lc.questions_editable(status, has_responses) is editable


@pytest.mark.parametrize("status", list(Status))
def test_official_method_and_dates_locked_at_opening(status):
    assert lc.voting_rules_editable(status) is (status is Status.DRAFT)
    assert lc.dates_editable(status) is (status is Status.DRAFT)
    assert lc.settings_editable(status) is (status is not Status.PUBLISHED)


def test_invitations_editable_until_closing():
    assert lc.invitations_editable(Status.OPEN, NOW + DAY, NOW)
    assert not lc.invitations_editable(Status.OPEN, NOW, NOW)
    assert not lc.invitations_editable(Status.PUBLISHED, NOW + DAY, NOW)
