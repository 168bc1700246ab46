"""How a submission writes its rows: only the answers that changed, and on PostgreSQL in one
statement sent with its COMMIT, which writes nothing when the response changed under it."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from consult.ballots import services
from consult.ballots.models import Answer, Response, Revision
from consult.core.audit import AuditEvent
from consult.extensions import db
from consult.mail.models import OutboxMessage
from tests.factories import MemberFactory, UserFactory, build_consultation
from tests.integration.ballot_helpers import post_ballot, ranking_form, snapshot, submit_and_check

#: Every column of an answer the save writes but its response: where the save names them.
COLUMNS = tuple(getattr(Answer, name) for name in services._ANSWER_FIELDS)


def stored(member_id: int) -> dict[tuple[Any, ...], int]:
    """The member's answer rows (every column but the response) and their ids."""
    rows = db.session.execute(
        sa.select(Answer.id, *COLUMNS)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.member_id == member_id)
    )
    return {tuple(row[1:]): row[0] for row in rows}


def test_a_ballot_submitted_again_stores_exactly_its_answers(app):
    """A ballot submitted again, then changed in some of its questions, stores the same rows
    as a first submission of that ballot would; the results' counts stay in step; and the
    answers given again as they were are not written again (their rows, ids included, stay as
    they were)."""
    delegate, newcomer = (UserFactory(member=MemberFactory()) for _ in range(2))
    consultation = build_consultation()
    ranking, choose, likert, text = consultation.questions

    def form(choices: list[int], words: str) -> dict[str, list[str]]:
        ids = [o.id for o in ranking.options]
        return {
            f"q{ranking.id}-rank-{ids[0]}": ["2"],
            f"q{ranking.id}-rank-{ids[1]}": ["1"],
            f"q{choose.id}-choice": [str(choose.options[i].id) for i in choices],
            f"q{likert.id}-value": ["4"],
            f"q{text.id}-text": [words],
        }

    first = form([0, 2], "More case studies")
    submit_and_check(consultation, delegate, first)
    before = stored(delegate.member_id)
    # Rows written after the delegate's: a row of theirs written again would take a new id
    # (SQLite gives a new row the highest id plus one, and would give a deleted one's back).
    submit_and_check(consultation, newcomer, first)
    submit_and_check(consultation, delegate, first)
    again = stored(delegate.member_id)
    assert again == before

    changed = form([0, 1], "Fewer case studies")
    submit_and_check(consultation, delegate, changed)
    submit_and_check(consultation, newcomer, changed)
    after = stored(delegate.member_id)
    assert after.keys() == stored(newcomer.member_id).keys()
    # The ranking, the first choice and the scale were given again as they were.
    unchanged = after.keys() & before.keys()
    assert {row[0] for row in unchanged} == {ranking.id, choose.id, likert.id}
    assert all(after[row] == before[row] for row in unchanged)
    assert after.keys() - before.keys()
    assert before.keys() - after.keys()


@pytest.fixture
def delegate(client, auth):
    member = MemberFactory(name="Testland")
    UserFactory(email="d@example.org", name="Ana Delegate", member=member)
    consultation = build_consultation()
    auth.login("d@example.org")
    return member, consultation


def outbox() -> list[tuple[Any, ...]]:
    return [tuple(r) for r in db.session.execute(sa.select(OutboxMessage.__table__)).all()]


def test_a_write_the_database_refuses_keeps_nothing(client, delegate):
    """The database refuses the submission's write (here a trigger on the audit trail; on
    PostgreSQL the COMMIT sent with the write is then not run): nothing of it is kept, the
    page says so, and the next submission goes through."""
    _member, c = delegate
    post_ballot(client, "idm-2010", ranking_form(c, {1: "1"}))
    before, queued = snapshot(), outbox()
    postgresql = db.engine.dialect.name == "postgresql"
    if postgresql:
        db.session.execute(
            sa.text(
                "CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'refused'; END $$"
            )
        )
        body = "FOR EACH ROW EXECUTE FUNCTION test_refuse()"
    else:
        body = "BEGIN SELECT RAISE(ABORT, 'refused'); END"
    db.session.execute(sa.text(f"CREATE TRIGGER test_refuse BEFORE INSERT ON audit_event {body}"))
    db.session.commit()
    try:
        response = post_ballot(client, "idm-2010", ranking_form(c, {2: "1"}))
    finally:
        db.session.rollback()
        db.session.execute(
            sa.text("DROP TRIGGER test_refuse" + (" ON audit_event" if postgresql else ""))
        )
        if postgresql:
            db.session.execute(sa.text("DROP FUNCTION test_refuse()"))
        db.session.commit()
    assert response.status_code >= 500
    assert "Traceback" not in response.get_data(as_text=True)
    assert snapshot() == before
    assert outbox() == queued
    assert post_ballot(client, "idm-2010", ranking_form(c, {2: "1"})).status_code == 303
    assert db.session.scalar(sa.select(Response.revision)) == 2


def test_a_response_changed_under_the_save_gets_nothing_written(client, delegate):
    """PostgreSQL: another writer that does not take the audit trail's lock changes the
    response between the save's read and its write. The write, sent with its COMMIT, writes
    nothing (no revision, answer, audit event or receipt) and the delegate is told that the
    response changed."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's write lock keeps every other writer out of the save")
    member, c = delegate
    post_ballot(client, "idm-2010", ranking_form(c, {1: "1"}))
    version = db.session.scalar(sa.select(Response.version))
    counts = [
        db.session.scalar(sa.select(sa.func.count()).select_from(t))
        for t in (Revision, Answer, AuditEvent, OutboxMessage)
    ]
    answers = stored(member.id)
    db.session.rollback()

    def meanwhile(_conn, _cursor, statement, *_args) -> None:
        if statement.startswith("WITH responded"):
            with db.engine.connect() as other:
                other.execute(sa.update(Response).values(version=Response.version + 1))
                other.commit()

    sa.event.listen(db.engine, "before_cursor_execute", meanwhile)
    try:
        response = post_ballot(client, "idm-2010", ranking_form(c, {2: "1"}), version=str(version))
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", meanwhile)
    assert response.status_code == 409
    assert "This response was changed by" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(sa.select(Response.version)) == version + 1
    assert [
        db.session.scalar(sa.select(sa.func.count()).select_from(t))
        for t in (Revision, Answer, AuditEvent, OutboxMessage)
    ] == counts
    assert stored(member.id) == answers
