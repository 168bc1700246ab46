"""SQLite's writers (consult/core/database.py): the write lock held for the save's reads and
writes only, and the write-ahead log checkpointed beside the requests, yet bounded."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from consult.core import database
from tests.factories import UserFactory, build_consultation
from tests.integration.ballot_helpers import hidden_fields, ranking_form
from tests.integration.test_database_down import own, signed_in  # noqa: F401 - the fixture

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="SQLite's write lock and log"
)


def _frames(path: Path) -> int:
    """The frames in the log since it last started again (a checkpoint of its own)."""
    with sqlite3.connect(path) as connection:
        return connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]


def test_writes_that_never_pause_keep_the_log_bounded(tmp_path):
    """The checkpoints run in a thread beside the writers; SQLite starts the log again only
    when a writer begins with all of it copied, so past a bound the checkpointer copies the
    rest inside the writers' queue."""
    path = tmp_path / "writes.sqlite"
    engine = sa.create_engine(f"sqlite:///{path}")
    database.configure_engine(engine)
    table = sa.Table(
        "t", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), sa.Column("b", sa.BLOB)
    )
    with engine.begin() as connection:
        table.create(connection)
    writes = 3 * database._RESTART_FRAMES // 4  # each write is about 5 pages: 4 bounds' worth
    for _ in range(writes):
        writer = engine.connect().execution_options(sqlite_begin="IMMEDIATE")
        with writer as connection, connection.begin():
            connection.execute(table.insert().values(b=os.urandom(16000)))
    # The log's frames stay as the last writer left them (only a writer starts it again); a
    # checkpoint of the thread still running makes the reading -1: read again.
    deadline = time.monotonic() + 1
    while (frames := _frames(path)) < 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert 0 <= frames < 2 * database._RESTART_FRAMES
    engine.dispose()


def test_a_save_refused_before_it_writes_does_not_wait_for_the_write_lock(own):  # noqa: F811
    """The signed-in user is read before the write lock is taken, in a statement of its own:
    a request refused then (here a version field that the page never wrote) answers at once
    while another writer holds the lock."""
    app, db_ = own
    UserFactory(email="delegate@example.org")
    consultation = build_consultation()
    from consult.extensions import db

    db.session.commit()
    client, _token = signed_in(app, "delegate@example.org")
    fields = hidden_fields(client, "idm-2010")
    form = {**ranking_form(consultation, {1: "1"}), **fields, "version": "x", "action": "submit"}
    engine = sa.create_engine(db_.url)
    database.configure_engine(engine, busy_timeout_ms=300)
    with engine.connect() as blocker:
        blocker.execution_options(sqlite_begin="IMMEDIATE").begin()  # another worker's save
        started = time.perf_counter()
        assert client.post("/consultations/idm-2010", data=form).status_code == 400
        assert time.perf_counter() - started < 0.2  # not the 300 ms busy timeout
        blocker.rollback()
    engine.dispose()
