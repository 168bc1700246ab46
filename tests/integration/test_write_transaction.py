"""A write transaction that commits with its last statements (``core.database.commit_with``):
on PostgreSQL sent in one round trip with them, and in every case all or nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from psycopg.pq import TransactionStatus

from consult.core.database import (
    AfterCommit,
    Prepared,
    commit_with,
    run_together,
    write_transaction,
)
from consult.extensions import db
from consult.members.models import Region

_REGION = Region.__table__
_ADD = Prepared(sa.insert(_REGION).values(name=sa.bindparam("name")))
_COUNT = Prepared(
    sa.select(sa.func.count()).select_from(_REGION).where(_REGION.c.name.like("Test %"))
)


def regions() -> list[str]:
    """The regions as another connection sees them (what was committed)."""
    with db.engine.connect() as connection:
        return sorted(connection.scalars(sa.select(_REGION.c.name)))


def test_the_last_statements_commit_the_transaction(app):
    with write_transaction(db.session) as session:
        session.execute(sa.insert(_REGION).values(name="Test Africa"))
        results = commit_with(session, [(_ADD, {"name": "Test Asia"}), (_COUNT, {})])
        assert not session.in_transaction()
        assert regions() == ["Test Africa", "Test Asia"]  # committed before the block ends
    assert results[1].fetchone()[0] == 2


def test_a_statement_after_the_commit_is_refused_and_not_written(app):
    def save() -> None:
        with write_transaction(db.session) as session:
            commit_with(session, [(_ADD, {"name": "Test Asia"})])
            session.execute(sa.insert(_REGION).values(name="Test Europe"))

    with pytest.raises(AfterCommit):
        save()
    assert regions() == ["Test Asia"]


def test_an_error_stops_the_statements_that_follow_and_the_commit(app):
    """The second statement breaks the unique constraint: the first one's row is rolled back
    with it, and the third is never run."""
    runs = [(_ADD, {"name": "Test Asia"}), (_ADD, {"name": "Test Asia"})]
    runs.append((_ADD, {"name": "Test Europe"}))
    with pytest.raises(sa.exc.IntegrityError), write_transaction(db.session) as session:
        commit_with(session, runs)
    assert regions() == []
    with write_transaction(db.session) as session:  # the connection is as good as new
        commit_with(session, [(_ADD, {"name": "Test Oceania"})])
    assert regions() == ["Test Oceania"]


def test_statements_run_together_give_what_sqlalchemy_gives(app):
    """Values of every kind the save sends (JSON, times, NULL, text with a percent sign)
    come back as ``connection.execute`` gives them, the first time and once the statement is
    prepared on the server, and again after psycopg has told the server to forget its
    prepared statements (on a ROLLBACK and on DEALLOCATE ALL)."""
    statement = sa.select(
        sa.bindparam("j", type_=sa.JSON),
        sa.bindparam("t", type_=sa.DateTime(timezone=True)),
        sa.bindparam("n", type_=sa.Integer),
        sa.bindparam("s", type_=sa.Text) + sa.literal_column("'%'"),
    )
    at = datetime(2026, 12, 6, 22, 30, tzinfo=UTC)
    params = {"j": {"ranking": [3, 1, 2], "comment": "é"}, "t": at, "n": None, "s": "100"}
    prepared = Prepared(statement)
    with db.engine.connect() as connection:
        expected = tuple(connection.execute(statement, params).one())
        for end in ("nothing", "nothing", "rollback", "deallocate", *["nothing"] * 6):
            first, second = run_together(connection, [(prepared, params), (prepared, params)])
            assert prepared.first_of(connection, first) == expected
            assert prepared.first_of(connection, second) == expected
            if end == "rollback":
                connection.rollback()
            elif end == "deallocate" and connection.dialect.name == "postgresql":
                connection.exec_driver_sql("DEALLOCATE ALL")
    assert expected[0] == params["j"]
    assert expected[2] is None
    assert expected[3] == "100%"


def test_a_read_before_the_transaction_begins_none_and_one_after_reads_in_it(app):
    """``Prepared.first_alone``: before the transaction has begun on the server, the read
    begins none (on PostgreSQL no BEGIN of its own: the server is still outside a transaction
    after it, and the next statement begins it); once it has begun, the read is made in it
    and sees its uncommitted rows."""
    postgresql = db.engine.dialect.name == "postgresql"

    def on_server() -> str:
        driver = session.connection().connection.driver_connection
        return TransactionStatus(driver.pgconn.transaction_status).name if postgresql else ""

    with write_transaction(db.session) as session:
        connection = session.connection()
        assert _COUNT.first_alone(connection, {}) == (0,)
        if postgresql:
            assert on_server() == "IDLE"
        session.execute(sa.insert(_REGION).values(name="Test Africa"))
        if postgresql:
            assert on_server() == "INTRANS"
        assert _COUNT.first_alone(connection, {}) == (1,)
        assert regions() == []  # not committed yet
    assert regions() == ["Test Africa"]
