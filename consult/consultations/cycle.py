"""Running a consultation: open, close, extend, reopen, record the outcome, publish.

Each action reads the consultation's row under lock, asks :mod:`lifecycle` whether the
transition is allowed (it raises :class:`~consult.consultations.lifecycle.Refused` otherwise,
and nothing is written), applies it, records an audit event and sends its signal — all in one
transaction, so that the notices the signals enqueue commit or roll back with the action.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from consult.consultations import (
    builder,
    invitations,
    kinds,
    lifecycle,
    outcomes,
    signals,
)
from consult.consultations.builder import Invalid, NotFound, clean_text
from consult.consultations.checks import Issue, Problem
from consult.consultations.departure import departures
from consult.consultations.document import Text
from consult.consultations.lifecycle import Schedule
from consult.consultations.models import Consultation, Erratum
from consult.consultations.texts import get_text, set_text
from consult.core import audit, clock
from consult.core.actions import Action
from consult.core.database import DbSession, write_transaction
from consult.extensions import db


class NotReady(Exception):
    """The consultation cannot open yet; ``problems`` say what is missing."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(", ".join(p.issue.value for p in problems))
        self.problems = problems


@contextmanager
def _running(consultation_id: int) -> Iterator[tuple[Session, Consultation]]:
    with write_transaction(db.session) as session:
        consultation = builder.hold(session, consultation_id)
        if consultation is None:
            raise NotFound
        yield session, consultation


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _apply(c: Consultation, schedule: Schedule) -> None:
    c.status = schedule.status
    c.opens_at = schedule.opens_at
    c.closes_at = schedule.closes_at
    c.published_at = schedule.published_at


def readiness(c: Consultation, invited: int) -> list[Problem]:
    """What prevents ``c`` from opening (empty when it may open)."""
    return kinds.check_ready([kinds.shape_of(q) for q in c.questions], invited)


def open_consultation(
    consultation_id: int, *, actor_id: int, scheduled: bool, notify: bool
) -> Consultation:
    """Open now, or at the draft's ``opens_at`` (``scheduled``); "all member states" is
    recomputed from the registry at this moment. Sends :data:`signals.opened`."""
    now = clock.now()
    with _running(consultation_id) as (session, c):
        schedule = lifecycle.open_(c.schedule(), now, at=c.opens_at if scheduled else None)
        if c.invite_all:
            invitations.refresh(session, c)
        problems = readiness(c, len(c.invited))
        if problems:
            raise NotReady(problems)
        _apply(c, schedule)
        audit.record(
            session,
            Action.CONSULTATION_OPENED,
            actor_id=actor_id,
            consultation_id=c.id,
            opens_at=_iso(c.opens_at),
            closes_at=_iso(c.closes_at),
            invited=len(c.invited),
            notify=notify,
        )
        signals.opened.send(None, session=session, consultation=c, actor_id=actor_id, notify=notify)
    return c


def close_consultation(
    consultation_id: int, *, actor_id: int, reason: Text, notify: bool = False
) -> Consultation:
    """Close ahead of the deadline, with the reason (required in English, shown to delegates
    in their language); the deadline becomes now and the one it replaces stays in the record
    beside it. Sends :data:`signals.closed`."""
    reason = _clean_reason(reason, required=True)
    now = clock.now()
    with _running(consultation_id) as (session, c):
        deadline = c.closes_at
        _apply(c, lifecycle.close(c.schedule(), now))
        c.original_closes_at = deadline
        set_text(c, "close_reason", reason)
        audit.record(
            session,
            Action.CONSULTATION_CLOSED,
            actor_id=actor_id,
            consultation_id=c.id,
            deadline_was=_iso(deadline),
            notify=notify,
            **_reason_fields(reason),
        )
        signals.closed.send(
            None, session=session, consultation=c, actor_id=actor_id, notify=notify, reason=reason
        )
    return c


def _clean_reason(reason: Text, *, required: bool = False) -> Text:
    """The reason for a change of deadline, in up to three languages (English first)."""
    text, problems = clean_text(reason, "reason", "reason", required=required)
    if problems:
        raise Invalid(problems)
    return text


def _reason_fields(reason: Text) -> dict[str, Any]:
    """The reason as the audit log keeps it: ``reason`` in English, ``reason_fr`` and
    ``reason_es`` when given."""
    return {"reason": reason.en} | {f"reason_{k}": v for k, v in reason.translations().items()}


def extend_deadline(
    consultation_id: int, new_closes_at: datetime, reason: Text, *, actor_id: int, notify: bool
) -> Consultation:
    """Move the deadline later; who, when and why go to the audit log, and delegates are shown
    "deadline extended to …". Sends :data:`signals.deadline_extended`."""
    reason = _clean_reason(reason)
    now = clock.now()
    with _running(consultation_id) as (session, c):
        schedule = lifecycle.extend(c.schedule(), now, new_closes_at, reason.en)
        _record_new_deadline(session, c, schedule, now, Action.DEADLINE_EXTENDED, reason, actor_id)
        signals.deadline_extended.send(
            None, session=session, consultation=c, actor_id=actor_id, notify=notify, reason=reason
        )
    return c


def reopen(
    consultation_id: int, new_closes_at: datetime, reason: Text, *, actor_id: int, notify: bool
) -> Consultation:
    """Reopen a closed consultation until a new deadline; audited with the reason. Sends
    :data:`signals.deadline_extended`."""
    reason = _clean_reason(reason)
    now = clock.now()
    with _running(consultation_id) as (session, c):
        schedule = lifecycle.reopen(c.schedule(), now, new_closes_at, reason.en)
        _record_new_deadline(
            session, c, schedule, now, Action.CONSULTATION_REOPENED, reason, actor_id
        )
        signals.deadline_extended.send(
            None, session=session, consultation=c, actor_id=actor_id, notify=notify, reason=reason
        )
    return c


def _record_new_deadline(
    session: DbSession,
    c: Consultation,
    schedule: Schedule,
    now: datetime,
    action: Action,
    reason: Text,
    actor_id: int,
) -> None:
    previous = c.closes_at
    _apply(c, schedule)
    c.previous_closes_at = previous
    c.extended_at = now
    c.original_closes_at = None  # open again: no longer closed early (the audit log keeps it)
    set_text(c, "close_reason", Text())
    audit.record(
        session,
        action,
        actor_id=actor_id,
        consultation_id=c.id,
        deadline_was=_iso(previous),
        deadline=_iso(c.closes_at),
        **_reason_fields(reason),
    )


def record_outcome(
    consultation_id: int,
    outcome: Text,
    rationale: Text,
    *,
    actor_id: int,
    selected: Collection[int],
    reason: Text | None = None,
) -> Consultation:
    """Record (or correct, until publication) the decision, the options it selects (ids of
    options of questions with an official result) and its rationale. Where the selection is not
    the official result, or that result is a tie, ``reason`` is required (checked here against
    the count, inside the transaction)."""
    outcome, problems = clean_text(outcome, "outcome", "outcome", required=True)
    rationale, found = clean_text(rationale, "rationale", "rationale")
    problems += found
    reason, found = clean_text(reason or Text(), "reason", "outcome_reason")
    problems += found
    now = clock.now()
    with _running(consultation_id) as (session, c):
        lifecycle.check_outcome_editable(c.schedule(), now)
        official = outcomes.official_results(c)
        options = {o.id: o for r in official for o in r.question.options}
        chosen = set(selected)
        if chosen - options.keys():
            problems.append(Problem("selected", Issue.NOT_AN_OPTION))
        departing = departures(
            chosen,
            {r.question.id: r.official for r in official},
            {r.question.id: [o.id for o in r.question.options] for r in official},
        )
        numbers = [r.number for r in official if r.question.id in departing]
        if numbers and not reason.en:
            problems.append(
                Problem(
                    "reason",
                    Issue.OUTCOME_REASON_REQUIRED,
                    {"questions": ", ".join(map(str, numbers))},
                )
            )
        if problems:
            raise Invalid(problems)
        changed = [
            name
            for name, text in (
                ("outcome", outcome),
                ("rationale", rationale),
                ("outcome_reason", reason),
            )
            if set_text(c, name, text)
        ]
        c.selected_options = [options[o] for o in options if o in chosen]
        c.outcome_recorded_at = now
        audit.record(
            session,
            Action.OUTCOME_RECORDED,
            actor_id=actor_id,
            consultation_id=c.id,
            fields=changed,
            outcome=outcome.en[:500],
            selected=sorted(chosen),
            departs_in_questions=numbers,
            reason=reason.en[:500],
        )
    return c


def correct_outcome(
    consultation_id: int, outcome: Text, reason: Text, *, actor_id: int, notify: bool
) -> Erratum:
    """Correct a published outcome by an erratum: the new text (English required) replaces it,
    the earlier text is kept in the erratum with the reason (English required), the delegates
    are told (:data:`signals.corrected`), and the event is audited, all in one transaction. The
    results, the selected options and the reason for a departure do not change."""
    outcome, problems = clean_text(outcome, "outcome", "outcome", required=True)
    reason, found = clean_text(reason, "reason", "reason", required=True)
    problems += found
    now = clock.now()
    with _running(consultation_id) as (session, c):
        lifecycle.check_correctable(c.schedule(), now)
        before = get_text(c, "outcome")
        if outcome == before:
            problems.append(Problem("outcome-en", Issue.OUTCOME_UNCHANGED))
        if problems:
            raise Invalid(problems)
        erratum = Erratum(
            number=len(c.errata) + 1,
            reason=reason.stored(),
            before=before.stored(),
            after=outcome.stored(),
            actor_id=actor_id,
            corrected_at=now,
        )
        c.errata.append(erratum)
        set_text(c, "outcome", outcome)
        session.flush()
        audit.record(
            session,
            "outcome_corrected",
            actor_id=actor_id,
            consultation_id=c.id,
            erratum=erratum.number,
            reason=reason.en[:500],
            before=before.en[:500],
            after=outcome.en[:500],
            notify=notify,
        )
        signals.corrected.send(
            None,
            session=session,
            consultation=c,
            actor_id=actor_id,
            notify=notify,
            reason=reason,
            erratum=erratum,
        )
    return erratum


def publish(consultation_id: int, *, actor_id: int, notify: bool) -> Consultation:
    """Publish the outcome and the results to the membership. Sends
    :data:`signals.published`."""
    now = clock.now()
    with _running(consultation_id) as (session, c):
        schedule = lifecycle.publish(
            c.schedule(),
            now,
            has_outcome=bool(c.outcome),
            unexplained=bool(outcomes.unexplained(c)),
        )
        _apply(c, schedule)
        audit.record(
            session,
            Action.CONSULTATION_PUBLISHED,
            actor_id=actor_id,
            consultation_id=c.id,
            results_attributed=c.results_attributed,
            notify=notify,
        )
        signals.published.send(
            None, session=session, consultation=c, actor_id=actor_id, notify=notify
        )
    return c
