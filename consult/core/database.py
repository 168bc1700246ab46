"""Engine settings and the writing transaction used by every service."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeAlias, TypeVar

import sqlalchemy as sa
from flask import Flask, current_app, has_request_context, request
from sqlalchemy.orm import Session, scoped_session

from consult.extensions import db

F = TypeVar("F", bound=Callable[..., Any])

#: A session as services take it: a plain one or Flask-SQLAlchemy's scoped ``db.session``.
DbSession: TypeAlias = Session | scoped_session[Any]

_configured: set[int] = set()


def _sqlite_connect(
    dbapi_connection: Any, record: Any, busy_timeout_ms: int = 5000, queue: str | None = None
) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN: pysqlite otherwise opens transactions lazily.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    if queue is not None:
        cursor.execute("PRAGMA wal_autocheckpoint=0")  # see _sqlite_checkin
        record.info[_QUEUE] = os.open(queue, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        record.info[_WRITES] = 0
    cursor.close()


# SQLite's writers queue: a writer that finds the write lock taken waits in SQLite's busy
# handler, which sleeps 1, 2, 5, 10, 15, 20, 25… ms between tries, so it often wakes long
# after the lock was released, or after the writer that held it took it again for its next
# request (the tail of the latency under concurrent writes). Before ``BEGIN IMMEDIATE``, a
# connection therefore takes an exclusive ``flock`` on a file beside the database (its own
# open file: connections of one process exclude one another too), tried every
# :data:`_QUEUE_POLL` seconds, and keeps it until it returns to the pool (just after its
# COMMIT or ROLLBACK). ``flock`` cannot wait with a timeout, hence the tries; after the busy
# timeout the writer goes on to ``BEGIN IMMEDIATE`` all the same and SQLite's busy handler
# decides (a writer outside the queue, e.g. another program, is waited for there).
#
# SQLite copies the write-ahead log into the database (a checkpoint, with an fsync) inside the
# COMMIT that finds the log past 1000 pages, every 20-odd submissions; it no longer holds the
# write lock then, but the committing connection would still hold the queue. So queued
# connections checkpoint themselves, once out of the queue: every :data:`_CHECKPOINT_EVERY`
# writes (``PASSIVE``: what no reader still needs, without waiting for anyone).

#: The lock file's descriptor of a SQLite connection (in its pool record's ``info``), and
#: whether the connection holds it.
_QUEUE = "consult_writer_queue"
_QUEUED = "consult_writer_queued"
_QUEUE_POLL = 0.0002
_WRITES = "consult_writes"
_CHECKPOINT_EVERY = 32


def _queue_file(engine: sa.Engine) -> str | None:
    """The writers' lock file of a SQLite database stored in a file (None in memory)."""
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return f"{database}-writers"


def _enter_queue(info: dict[Any, Any], budget_s: float) -> None:
    fd = info.get(_QUEUE)
    if fd is None or info.get(_QUEUED):
        return
    deadline = None
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            now = time.monotonic()
            if deadline is None:
                deadline = now + budget_s
            elif now >= deadline:
                return  # SQLite's busy handler decides
            time.sleep(_QUEUE_POLL)
        else:
            info[_QUEUED] = True
            return


def _leave_queue(info: dict[Any, Any]) -> None:
    if info.pop(_QUEUED, False):
        fcntl.flock(info[_QUEUE], fcntl.LOCK_UN)


def _sqlite_begin(conn: sa.Connection, busy_timeout_ms: int = 5000) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    if mode == "DEFERRED":
        _leave_queue(conn.info)
    else:
        _enter_queue(conn.info, busy_timeout_ms / 1000)
    conn.exec_driver_sql(f"BEGIN {mode}")


def _sqlite_checkin(dbapi_connection: Any, record: Any) -> None:
    if record is None or not record.info.get(_QUEUED):
        return
    _leave_queue(record.info)
    record.info[_WRITES] += 1
    if record.info[_WRITES] >= _CHECKPOINT_EVERY and dbapi_connection is not None:
        record.info[_WRITES] = 0
        with contextlib.suppress(sqlite3.Error):  # busy: the next one will do it
            dbapi_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").close()


def _sqlite_close(_dbapi_connection: Any, record: Any) -> None:
    fd = record.info.pop(_QUEUE, None) if record is not None else None
    if fd is not None:
        record.info.pop(_QUEUED, None)
        os.close(fd)  # releases its lock


#: The DBAPI connection that has the statement timeout (in its pool record's ``info``).
_TIMEOUT = "consult_statement_timeout"


def _statement_timeout(milliseconds: int):
    """A connection checked out by a request gets its statement timeout once, for its life
    (set and committed before the request's transaction: not again on every transaction or
    request, and not part of any request's statements)."""

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if not has_request_context() or record.info.get(_TIMEOUT) == id(dbapi_connection):
            return
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"SET statement_timeout = {int(milliseconds)}")
        finally:
            cursor.close()
        dbapi_connection.commit()
        record.info[_TIMEOUT] = id(dbapi_connection)

    return checkout


def configure_engines(app: Flask) -> None:
    """The app's engine with the settings below, timeouts from the configuration."""
    configure_engine(
        db.engine,
        busy_timeout_ms=int(app.config.get("SQLITE_BUSY_TIMEOUT_MS", 5000)),
        statement_timeout_ms=int(app.config.get("STATEMENT_TIMEOUT_MS", 0)),
    )


def configure_engine(
    engine: sa.Engine, *, busy_timeout_ms: int = 5000, statement_timeout_ms: int = 0
) -> None:
    """SQLite: foreign keys, WAL, the busy timeout, explicit BEGIN (IMMEDIATE for writers,
    which queue for the write lock: see :func:`_enter_queue`).
    PostgreSQL: statements of a request stop after ``statement_timeout_ms`` (commands such as
    migrations are not limited). Either way the page then says 503, try again.

    Public so that the benchmarks' bare baseline runs on exactly the app's settings."""
    if id(engine) in _configured:
        return
    _configured.add(id(engine))
    if engine.dialect.name == "sqlite":
        connect = functools.partial(
            _sqlite_connect, busy_timeout_ms=busy_timeout_ms, queue=_queue_file(engine)
        )
        sa.event.listen(engine, "connect", connect)
        begin = functools.partial(_sqlite_begin, busy_timeout_ms=busy_timeout_ms)
        sa.event.listen(engine, "begin", begin)
        sa.event.listen(engine, "checkin", _sqlite_checkin)
        sa.event.listen(engine, "close", _sqlite_close)
    elif engine.dialect.name == "postgresql" and statement_timeout_ms:
        sa.event.listen(engine, "checkout", _statement_timeout(statement_timeout_ms))


def begins_writing(view: F) -> F:
    """Mark a view whose POST writes through one :func:`write_transaction`: the request's
    transaction begins for writing (``BEGIN IMMEDIATE`` on SQLite) before anything is read,
    the signed-in user included, and the service's :func:`write_transaction` continues it
    instead of rolling back and reading the user again."""
    view.begins_writing = True  # type: ignore[attr-defined]
    return view


def _begin_writing() -> None:
    if request.method != "POST" or request.endpoint is None:
        return
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "begins_writing", False):
        db.session.connection(execution_options={"sqlite_begin": "IMMEDIATE", "writing": True})


def end_writing() -> None:
    """Roll back the transaction a refused request began for writing (:func:`begins_writing`):
    it will write nothing, and on SQLite its write lock would make any other connection (the
    security log's own) wait out the busy timeout."""
    real = db.session()
    if real.in_transaction() and real.connection().get_execution_options().get("writing"):
        real.rollback()


def init_database(app: Flask) -> None:
    """The engines' settings, and the transaction of a view marked :func:`begins_writing`
    begun before the signed-in user is read."""
    with app.app_context():
        configure_engines(app)
    app.before_request(_begin_writing)


@contextmanager
def write_transaction(session: DbSession) -> Iterator[Session]:
    """A transaction that reads then writes.

    Whatever the session read before is rolled back first, so the new transaction sees
    committed data only; on SQLite it starts with ``BEGIN IMMEDIATE``, taking the write lock
    before its first read (two deferred readers could otherwise deadlock on upgrade). A
    transaction the request began for writing (:func:`begins_writing`) is continued instead:
    it has held the write lock since its first read. Commits on success and rolls back on any
    error.
    """
    real = session() if isinstance(session, scoped_session) else session
    if not (real.in_transaction() and real.connection().get_execution_options().get("writing")):
        if real.in_transaction():
            real.rollback()
        real.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    try:
        yield real
        real.commit()
    except BaseException:
        real.rollback()
        raise
