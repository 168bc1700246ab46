"""The lifecycle services on a real database: audit, signals, and nothing written on refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.consultations import cycle, signals
from consult.consultations.document import Text
from consult.consultations.lifecycle import Refusal, Refused, Stage, Status
from consult.consultations.models import Consultation
from consult.core import clock
from consult.core.audit import AuditEvent
from consult.extensions import db
from tests.factories import AdminFactory, MemberFactory, build_consultation

DAY = timedelta(days=1)
pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def admin():
    return AdminFactory()


@pytest.fixture
def captured():
    """Every lifecycle signal sent, with its keyword arguments."""
    seen = []

    def receiver(sender, **kwargs):
        seen.append((kwargs["consultation"].slug, kwargs))

    connections = [(s, receiver) for s in (signals.opened, signals.deadline_extended)]
    connections.append((signals.published, receiver))
    for signal, fn in connections:
        signal.connect(fn)
    yield seen
    for signal, fn in connections:
        signal.disconnect(fn)


def actions() -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def reload(slug: str) -> Consultation:
    db.session.rollback()
    return db.session.scalars(sa.select(Consultation).where(Consultation.slug == slug)).one()


def test_open_close_outcome_publish(admin, captured):
    MemberFactory()
    c = build_consultation(status="draft")
    cycle.open_consultation(c.id, actor_id=admin.id, scheduled=False, notify=True)
    assert reload("idm-2010").stage() is Stage.OPEN
    cycle.close_consultation(c.id, actor_id=admin.id, reason=Text("The Council meets earlier."))
    assert reload("idm-2010").stage() is Stage.CLOSED
    cycle.record_outcome(
        c.id,
        Text("The membership has selected *Migration and Social Change*.", "", "Se ha elegido."),
        Text("Most first preferences."),
        actor_id=admin.id,
        selected=(),
    )
    cycle.publish(c.id, actor_id=admin.id, notify=False)
    done = reload("idm-2010")
    assert done.status is Status.PUBLISHED
    assert done.published_at is not None
    assert done.localized("outcome", "es") == "Se ha elegido."
    assert [a for a in actions() if a != "notices_queued"][-4:] == [
        "consultation_opened",
        "consultation_closed",
        "outcome_recorded",
        "consultation_published",
    ]
    assert [(slug, kw["notify"], kw["actor_id"]) for slug, kw in captured] == [
        ("idm-2010", True, admin.id),
        ("idm-2010", False, admin.id),
    ]


def test_extend_records_who_when_why_and_sends_the_reason(admin, captured):
    c = build_consultation()
    old = c.closes_at
    later = old + 3 * DAY
    cycle.extend_deadline(
        c.id, later, Text("Requested by the African Group"), actor_id=admin.id, notify=True
    )
    extended = reload("idm-2010")
    assert (extended.closes_at, extended.previous_closes_at) == (later, old)
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "deadline_extended")
    ).one()
    assert event.actor_id == admin.id
    assert event.details["reason"] == "Requested by the African Group"
    assert captured[-1][1]["reason"] == Text("Requested by the African Group")


def test_reopen_after_the_deadline_passed(admin, captured):
    c = build_consultation(closes_in_days=1)
    with clock.freeze(clock.now() + 2 * DAY):
        assert reload("idm-2010").stage() is Stage.CLOSED
        cycle.reopen(
            c.id,
            clock.now() + DAY,
            Text("Two missions could not connect"),
            actor_id=admin.id,
            notify=True,
        )
        assert reload("idm-2010").stage() is Stage.OPEN
    assert "consultation_reopened" in actions()
    assert captured[-1][1]["reason"] == Text("Two missions could not connect")


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (
            lambda c, a: cycle.close_consultation(
                c.id, actor_id=a.id, reason=Text("The Council meets earlier.")
            ),
            Refusal.NOT_OPEN,
        ),
        (
            lambda c, a: cycle.extend_deadline(
                c.id, c.closes_at + DAY, Text("x"), actor_id=a.id, notify=True
            ),
            Refusal.NOT_OPEN,
        ),
        (lambda c, a: cycle.publish(c.id, actor_id=a.id, notify=True), Refusal.NOT_CLOSED),
        (
            lambda c, a: cycle.record_outcome(c.id, Text("x"), Text(), actor_id=a.id, selected=()),
            Refusal.NOT_CLOSED,
        ),
    ],
)
def test_refused_transitions_write_nothing_and_send_nothing(admin, captured, call, code):
    c = build_consultation(status="draft")
    before = actions()
    with pytest.raises(Refused) as caught:
        call(c, admin)
    assert caught.value.code is code
    assert actions() == before
    assert captured == []
    assert reload("idm-2010").status is Status.DRAFT


def test_publish_without_outcome_is_refused(admin):
    c = build_consultation()
    cycle.close_consultation(c.id, actor_id=admin.id, reason=Text("The Council meets earlier."))
    with pytest.raises(Refused) as caught:
        cycle.publish(c.id, actor_id=admin.id, notify=True)
    assert caught.value.code is Refusal.OUTCOME_REQUIRED
    assert reload("idm-2010").status is Status.CLOSED


def test_a_failing_receiver_rolls_the_action_back(admin):
    MemberFactory()
    c = build_consultation(status="draft")
    before = actions()

    def broken(sender, **kwargs):
        raise RuntimeError("outbox unavailable")

    signals.opened.connect(broken)
    try:
        with pytest.raises(RuntimeError):
            cycle.open_consultation(c.id, actor_id=admin.id, scheduled=False, notify=True)
    finally:
        signals.opened.disconnect(broken)
    assert reload("idm-2010").status is Status.DRAFT
    assert actions() == before


def test_opening_needs_someone_invited_and_complete_questions(admin):
    c = build_consultation(
        status="draft",
        questions=[{"kind": "ranking", "prompt": "Rank", "options": [{"label": "Only one"}]}],
    )
    with pytest.raises(cycle.NotReady) as caught:
        cycle.open_consultation(c.id, actor_id=admin.id, scheduled=False, notify=False)
    assert {p.issue.value for p in caught.value.problems} == {"no_invitees", "too_few_options"}
    assert reload("idm-2010").status is Status.DRAFT


def test_opening_invites_member_states_registered_since_the_draft(admin):
    MemberFactory(code="AAA")
    c = build_consultation(status="draft")
    MemberFactory(code="BBB")
    cycle.open_consultation(c.id, actor_id=admin.id, scheduled=False, notify=False)
    assert [m.code for m in reload("idm-2010").invited] == ["AAA", "BBB"]
