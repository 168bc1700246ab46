"""Engine settings and the writing transaction used by every service."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session, scoped_session

from consult.extensions import db

_configured: set[int] = set()


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN: pysqlite otherwise opens transactions lazily.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def configure_engines(app: Flask) -> None:
    """The app's engine with the settings below."""
    configure_engine(db.engine)


def configure_engine(engine: sa.Engine) -> None:
    """SQLite: foreign keys, WAL, 5 s busy timeout, explicit BEGIN (IMMEDIATE for writers).

    Public so that the benchmarks' bare baseline runs on exactly the app's settings."""
    if engine.dialect.name == "sqlite" and id(engine) not in _configured:
        _configured.add(id(engine))
        sa.event.listen(engine, "connect", _sqlite_connect)
        sa.event.listen(engine, "begin", _sqlite_begin)


@contextmanager
def write_transaction(session: Session | scoped_session[Session]) -> Iterator[Session]:
    """A transaction that reads then writes.

    Whatever the session read before is rolled back first, so the new transaction sees
    committed data only; on SQLite it starts with ``BEGIN IMMEDIATE``, taking the write lock
    before its first read (two deferred readers could otherwise deadlock on upgrade). Commits
    on success and rolls back on any error.
    """
    real = session() if isinstance(session, scoped_session) else session
    if real.in_transaction():
        real.rollback()
    real.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    try:
        yield real
        real.commit()
    except BaseException:
        real.rollback()
        raise
