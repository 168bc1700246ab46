"""Concurrent submissions for one member state, over real connections."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from consult.ballots.models import Response, Revision
from consult.core.audit import AuditEvent, verify
from consult.extensions import db
from tests.conftest import AuthActions
from tests.factories import MemberFactory, UserFactory, build_consultation
from tests.integration.ballot_helpers import hidden_fields, ranking_form

THREADS = 20


def test_simultaneous_submissions_make_one_response_and_lose_none(app):
    member = MemberFactory()
    users = [UserFactory(email=f"d{i}@example.org", member=member) for i in range(THREADS)]
    c = build_consultation()
    form = ranking_form(c, {1: "1", 2: "2"})
    clients = []
    for user in users:
        client = app.test_client()
        AuthActions(client).login(user.email)
        clients.append((client, hidden_fields(client, "idm-2010")))
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    lock = threading.Lock()

    def submit(client, fields):
        barrier.wait()
        response = client.post(
            "/consultations/idm-2010", data={**form, **fields, "action": "submit"}
        )
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=submit, args=pair) for pair in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.session.rollback()  # read what the threads committed, not an earlier snapshot

    assert all(s in (303, 409) for s in statuses), statuses
    assert statuses.count(303) >= 1
    responses = db.session.scalars(sa.select(Response)).all()
    assert len(responses) == 1
    revisions = db.session.scalar(sa.select(sa.func.count()).select_from(Revision))
    assert revisions == statuses.count(303) == responses[0].revision
    assert responses[0].version == statuses.count(303)
    events = db.session.scalar(
        sa.select(sa.func.count()).where(AuditEvent.action == "ballot_submitted")
    )
    assert events == revisions
    assert verify(db.session) == []


def test_revisions_race_from_same_version_one_wins(app):
    member = MemberFactory()
    users = [UserFactory(email=f"r{i}@example.org", member=member) for i in range(8)]
    c = build_consultation()
    first = app.test_client()
    AuthActions(first).login(users[0].email)
    fields = hidden_fields(first, "idm-2010")
    first.post(
        "/consultations/idm-2010", data={**ranking_form(c, {1: "1"}), **fields, "action": "submit"}
    )
    clients = []
    for user in users:
        client = app.test_client()
        AuthActions(client).login(user.email)
        clients.append((client, hidden_fields(client, "idm-2010")))
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []
    form = ranking_form(c, {2: "1"})

    def revise(client, fields):
        barrier.wait()
        r = client.post("/consultations/idm-2010", data={**form, **fields, "action": "submit"})
        statuses.append(r.status_code)

    threads = [threading.Thread(target=revise, args=pair) for pair in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.session.rollback()  # read what the threads committed, not an earlier snapshot
    assert sorted(statuses) == [303] + [409] * (len(clients) - 1)
    response = db.session.scalars(sa.select(Response)).one()
    assert response.revision == 2
    assert response.version == 2
