"""Engine settings and the writing transaction used by every service."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import queue as queues
import re
import sqlite3
import threading
import time
import urllib.parse
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
    record.info[_BUDGET] = busy_timeout_ms / 1000
    if queue is not None:
        cursor.execute("PRAGMA wal_autocheckpoint=0")  # see _sqlite_checkin
        record.info[_QUEUE] = os.open(queue, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        record.info[_WRITES] = 0
        record.info[_DATABASE] = queue.removesuffix(_QUEUE_SUFFIX)
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
# connections leave the checkpoint to a thread of their process (:func:`_checkpointer`, its
# own connection), which runs one every :data:`_CHECKPOINT_EVERY` writes of a connection
# (``PASSIVE``: what no reader still needs, without waiting for anyone). Done in the request
# that made the 32nd write, its 10–20 ms of fsync were added to one request in 32 (3%, the
# 99th percentile of the latency); the thread waits for the disk while the worker goes on.

#: The lock file's descriptor of a SQLite connection (in its pool record's ``info``), and
#: whether the connection holds it.
_QUEUE = "consult_writer_queue"
_QUEUED = "consult_writer_queued"
_QUEUE_POLL = 0.0002
_WRITES = "consult_writes"
_CHECKPOINT_EVERY = 32
_QUEUE_SUFFIX = "-writers"
#: The database file of a queued connection (in its pool record's ``info``).
_DATABASE = "consult_database"
#: How long a connection's writer waits for the queue (its busy timeout, in seconds).
_BUDGET = "consult_busy_budget"

#: ``sqlite_begin`` of a request that begins writing (:func:`begins_writing`): no BEGIN yet,
#: each statement reads on its own (SQLite's autocommit) and takes no lock, until
#: :func:`write_transaction` begins IMMEDIATE on the same connection.
_LATER = "LATER"


def _queue_file(engine: sa.Engine) -> str | None:
    """The writers' lock file of a SQLite database stored in a file (None in memory)."""
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return f"{database}{_QUEUE_SUFFIX}"


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
    if mode in ("DEFERRED", _LATER):
        _leave_queue(conn.info)
        if mode == _LATER:
            return
    else:
        _enter_queue(conn.info, busy_timeout_ms / 1000)
    conn.exec_driver_sql(f"BEGIN {mode}")


def _begin_immediate_now(conn: sa.Connection) -> None:
    """The write transaction of a request that began :data:`_LATER`: the queue, then
    ``BEGIN IMMEDIATE`` on the connection that read the signed-in user."""
    if conn.dialect.name != "sqlite":
        return
    _enter_queue(conn.info, conn.info.get(_BUDGET, 5.0))
    _BEGIN_IMMEDIATE.run(conn, {})


def _sqlite_checkin(dbapi_connection: Any, record: Any) -> None:
    if record is None or not record.info.get(_QUEUED):
        return
    _leave_queue(record.info)
    record.info[_WRITES] += 1
    if record.info[_WRITES] >= _CHECKPOINT_EVERY:
        record.info[_WRITES] = 0
        _checkpoint_soon(record.info[_DATABASE])


#: The databases to checkpoint, for this process's :func:`_checkpointer` (started with the
#: first one: a worker forked by gunicorn starts its own).
_checkpoints: tuple[int, queues.SimpleQueue[str]] | None = None
_checkpoints_lock = threading.Lock()


def _checkpoint_soon(database: str) -> None:
    global _checkpoints  # one thread per process
    with _checkpoints_lock:
        if _checkpoints is None or _checkpoints[0] != os.getpid():
            _checkpoints = (os.getpid(), queues.SimpleQueue())
            threading.Thread(
                target=_checkpointer,
                args=(_checkpoints[1],),
                name="consult-sqlite-checkpoint",
                daemon=True,
            ).start()
        _checkpoints[1].put(database)


def _checkpointer(databases: queues.SimpleQueue[str]) -> None:
    """Checkpoint each database put in ``databases`` (:func:`_checkpoint`)."""
    while True:
        database = databases.get()
        with contextlib.suppress(sqlite3.Error, OSError):  # gone, or busy: the next one will do
            _checkpoint(database)


#: Frames in the write-ahead log past which the checkpointer copies what is left inside the
#: writers' queue (SQLite's own automatic checkpoint starts at 1000).
_RESTART_FRAMES = 4000


def _checkpoint(database: str) -> None:
    """A ``PASSIVE`` checkpoint of ``database`` on a connection of its own (opened each time,
    never creating a database file removed meanwhile).

    SQLite starts the log again from its beginning only when a writer begins while the whole
    log has been copied; under writes that never pause, the writers' commits during the
    checkpoint leave some of it, and the log would grow without end. So past
    :data:`_RESTART_FRAMES` frames the checkpointer copies the rest (the frames written since
    its first pass, and one more fsync) inside the writers' queue."""
    address = f"file:{urllib.parse.quote(database)}?mode=rw"
    connection = sqlite3.connect(address, uri=True, isolation_level=None)
    try:
        connection.execute("PRAGMA synchronous=NORMAL")  # as the app's connections
        # ``log``: the frames of the log when the pass began (commits may have added more).
        _busy, log, _copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        if log <= _RESTART_FRAMES:
            return
        queued = {_QUEUE: os.open(f"{database}{_QUEUE_SUFFIX}", os.O_RDWR | os.O_CLOEXEC)}
        try:
            _enter_queue(queued, 5.0)
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").close()
        finally:
            _leave_queue(queued)
            os.close(queued[_QUEUE])
    finally:
        connection.close()


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


#: When its pool record's connection was last returned (or made), ``time.monotonic()``.
_RETURNED = "consult_returned_at"
#: A connection idle for longer is pinged before a request uses it (:func:`_ping_if_idle`).
PING_AFTER_SECONDS = 5.0


def _returned(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info[_RETURNED] = time.monotonic()


def _ping_if_idle(engine: sa.Engine):
    """SQLAlchemy's ``pool_pre_ping`` costs a round trip on every checkout (every request on
    PostgreSQL). A connection a request gave back moments ago is alive unless the server went
    away in those seconds (then that request fails with the 503 page, and SQLAlchemy renews
    the whole pool); one idle for longer (a restart at night, a firewall's idle timeout) is
    pinged first, and replaced by the pool if the ping fails, as ``pool_pre_ping`` would."""
    dialect = engine.dialect

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(_RETURNED)
        if returned is not None and time.monotonic() - returned < PING_AFTER_SECONDS:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            raise sa.exc.DisconnectionError(str(error)) from error
        if not alive:
            raise sa.exc.DisconnectionError("the ping failed")

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
    migrations are not limited). Either way the page then says 503, try again. A connection
    idle for :data:`PING_AFTER_SECONDS` is pinged before use (:func:`_ping_if_idle`).
    psycopg's cursors describe their columns when read (:mod:`consult.core.pgcursor`).

    Public so that the benchmarks' bare baseline runs on exactly the app's settings."""
    if id(engine) in _configured:
        return
    _configured.add(id(engine))
    sa.event.listen(engine, "connect", _returned)
    sa.event.listen(engine, "checkin", _returned)
    sa.event.listen(engine, "checkout", _ping_if_idle(engine))
    if engine.dialect.name == "sqlite":
        connect = functools.partial(
            _sqlite_connect, busy_timeout_ms=busy_timeout_ms, queue=_queue_file(engine)
        )
        sa.event.listen(engine, "connect", connect)
        begin = functools.partial(_sqlite_begin, busy_timeout_ms=busy_timeout_ms)
        sa.event.listen(engine, "begin", begin)
        sa.event.listen(engine, "checkin", _sqlite_checkin)
        sa.event.listen(engine, "close", _sqlite_close)
    elif engine.dialect.name == "postgresql":
        if engine.dialect.driver == "psycopg":
            from consult.core import pgcursor

            sa.event.listen(engine, "connect", pgcursor.use_on)
        if statement_timeout_ms:
            sa.event.listen(engine, "checkout", _statement_timeout(statement_timeout_ms))


def begins_writing(view: F) -> F:
    """Mark a view whose POST writes through one :func:`write_transaction`: the request's
    transaction is the one the service's :func:`write_transaction` continues, instead of
    rolling back and reading the signed-in user again. On SQLite the user is read before
    the write lock is taken, as a statement on its own (no BEGIN: :data:`_LATER`), and
    :func:`write_transaction` begins IMMEDIATE on the same connection: the lock is held
    from the service's first read, not from the request's (other workers' writers wait for
    the write, not for the sign-in check, the form's parsing and the view's checks)."""
    view.begins_writing = True  # type: ignore[attr-defined]
    return view


def reads_alone(view: F) -> F:
    """Mark a view whose GET needs no transaction around its reads: each statement is
    consistent on its own (one statement, or later ones that only follow rows the first one
    read, as a response's revisions are appended and never changed). Its statements then run
    in autocommit, the signed-in user's included: on PostgreSQL no BEGIN and no ROLLBACK,
    two round trips fewer per page; on SQLite no BEGIN (as :data:`_LATER`). A write
    (:func:`write_transaction`) still begins a transaction of its own."""
    view.reads_alone = True  # type: ignore[attr-defined]
    return view


def read_together() -> None:
    """In a view marked :func:`reads_alone`, the reads that follow are made in one
    transaction (statements that must agree, as a page of rows and their counts): the
    request's connection without a transaction is given back, and the next read begins one on
    a connection with the usual settings. For a branch of the view (the administrators' side
    of a page whose other side reads one statement)."""
    real = db.session()
    if real.in_transaction() and any(
        real.connection().get_execution_options().get(key) in (_LATER, "AUTOCOMMIT")
        for key in ("sqlite_begin", "isolation_level")
    ):
        real.close()


#: The connection's options of a request whose view :func:`reads_alone`, by dialect.
_ALONE = {"sqlite": {"sqlite_begin": _LATER}, "postgresql": {"isolation_level": "AUTOCOMMIT"}}


def _begin_request(alone: dict[str, Any] | None) -> None:
    """The request's connection as its view is marked: :func:`begins_writing` (POST) or
    :func:`reads_alone` (GET, HEAD, with the connection options ``alone`` of the app's
    database); others begin a transaction with their first read."""
    req = request._get_current_object()  # type: ignore[attr-defined]
    endpoint = req.endpoint
    if endpoint is None:
        return
    view = current_app.view_functions.get(endpoint)
    method = req.method
    if method == "POST":
        if getattr(view, "begins_writing", False):
            db.session.connection(execution_options={"sqlite_begin": _LATER, "writing": True})
    elif alone is not None and method in ("GET", "HEAD") and getattr(view, "reads_alone", False):
        db.session.connection(execution_options=alone)


def end_writing() -> None:
    """Roll back the transaction a refused request began for writing (:func:`begins_writing`):
    it will write nothing, and on SQLite a write lock taken meanwhile would make any other
    connection (the security log's own) wait out the busy timeout."""
    real = db.session()
    if real.in_transaction() and real.connection().get_execution_options().get("writing"):
        real.rollback()


def init_database(app: Flask) -> None:
    """The engines' settings, and the connection of a view marked :func:`begins_writing` or
    :func:`reads_alone` set before the signed-in user is read."""
    with app.app_context():
        configure_engines(app)
        # The options of a view that reads alone, by the app's database, found once (asking
        # the session for its bind on every request cost some 15 µs).
        alone = _ALONE.get(db.engine.dialect.name)
    app.before_request(functools.partial(_begin_request, alone))


@contextmanager
def write_transaction(session: DbSession) -> Iterator[Session]:
    """A transaction that reads then writes.

    Whatever the session read before is rolled back first, so the new transaction sees
    committed data only; on SQLite it starts with ``BEGIN IMMEDIATE``, taking the write lock
    before its first read (two deferred readers could otherwise deadlock on upgrade). A
    transaction the request began for writing (:func:`begins_writing`) is continued instead
    (on SQLite it has read only the signed-in user, in a statement of its own: it begins
    IMMEDIATE now, on the same connection). Commits on success (unless the block committed
    with its last statements: :func:`commit_with`) and rolls back on any error.
    """
    real = session() if isinstance(session, scoped_session) else session
    options = real.connection().get_execution_options() if real.in_transaction() else {}
    if not options.get("writing"):
        if real.in_transaction():
            real.rollback()
        real.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    elif options.get("sqlite_begin") == _LATER:
        _begin_immediate_now(real.connection())
    try:
        yield real
        if not real.info.pop(_ENDED, False):
            real.commit()
        elif real.in_transaction():
            raise AfterCommit("a statement ran after the transaction's COMMIT")
    except BaseException:
        real.info.pop(_ENDED, None)
        real.rollback()
        raise


class Prepared:
    """A Core statement built once and run as the SQL its dialect compiled it to, on the
    driver's cursor: for the few statements of a hot path (the ballot's save).

    ``connection.execute(statement)`` looks up the statement's compiled form by a key it
    computes from the statement's tree, builds and converts every parameter, renders the SQL
    again when the statement has expanding (``IN``) or literal-execute parameters, and wraps
    the cursor in a result whose columns it works out again (``exec_driver_sql`` too): 60 to
    150 µs a statement on SQLite, 200 µs for a read of twenty columns on PostgreSQL, where
    the database's own work is 15 to 100 µs. Here the SQL is rendered once per dialect and
    per length of each expanding parameter, a call only orders and converts its own values,
    and a select's columns are converted as SQLAlchemy would (:meth:`first`).

    What stays SQLAlchemy's: the connection and its transaction, the
    ``before_cursor_execute`` and ``after_cursor_execute`` events (statements counted or
    made to fail by tests and benchmarks) and the errors, raised as
    :class:`sqlalchemy.exc.DBAPIError` (``OperationalError``: the page says 503). Not
    written to SQLAlchemy's echo log."""

    __slots__ = ("_dialects", "_results", "_statement")

    def __init__(self, statement: sa.ClauseElement) -> None:
        self._statement = statement
        #: By dialect name: the compiled statement, the names of its expanding parameters and
        #: its forms by their lengths (:func:`_form`).
        self._dialects: dict[str, tuple[Any, tuple[str, ...], dict[tuple[int, ...], Any]]] = {}
        #: By dialect name: the conversions of a select's columns (:meth:`_conversions`).
        self._results: dict[str, tuple[tuple[int, Any], ...]] = {}

    def form(self, dialect: sa.Dialect, row: dict[str, Any]) -> tuple[str, Any, bool]:
        """The SQL for ``row``'s lengths of expanding parameters, the function that makes the
        driver's parameters of a row, and whether they are psycopg's raw ones (``$n``)."""
        known = self._dialects.get(dialect.name)
        if known is None:
            compiled: Any = self._statement.compile(dialect=dialect)
            expanding = tuple(b.key for b in compiled.binds.values() if b.expanding)
            known = self._dialects[dialect.name] = (compiled, expanding, {})
        compiled, expanding, forms = known
        lengths = tuple(len(row[name]) for name in expanding)
        form = forms.get(lengths)
        if form is None:
            sql, slots = _form(compiled, row)
            raw = dialect.driver == "psycopg"
            if raw:
                sql, slots = _numbered(sql, slots)
            convert = _converter(slots, positional=dialect.positional or raw)
            form = forms[lengths] = (sql, convert, raw)
        return form

    def run(self, connection: sa.Connection, params: dict[str, Any] | list[dict[str, Any]]) -> Any:
        """Execute with ``params`` (a list of rows: ``executemany``); the driver's cursor,
        for its ``rowcount``, ``lastrowid`` or rows."""
        many = isinstance(params, list)
        rows: list[dict[str, Any]] = params if isinstance(params, list) else [params]
        dialect = connection.dialect
        sql, convert, raw = self.form(dialect, rows[0])
        driver_params: Any = [convert(row) for row in rows] if many else convert(rows[0])
        cursor = (
            dialect.loaded_dbapi.RawCursor(connection.connection.driver_connection)
            if raw
            else connection.connection.cursor()
        )
        dispatch = connection.dispatch
        dispatch.before_cursor_execute(connection, cursor, sql, driver_params, None, many)
        try:
            if many:
                cursor.executemany(sql, driver_params)
            else:
                cursor.execute(sql, driver_params)
        except dialect.loaded_dbapi.Error as error:
            raise sa.exc.DBAPIError.instance(
                sql, driver_params, error, dialect.loaded_dbapi.Error, dialect=dialect
            ) from error
        dispatch.after_cursor_execute(connection, cursor, sql, driver_params, None, many)
        return cursor

    def first(self, connection: sa.Connection, params: dict[str, Any]) -> tuple[Any, ...] | None:
        """The first row of a select run with ``params``, its values converted as
        ``connection.execute`` would (enumerations, SQLite's dates and booleans), or None."""
        return self.first_of(connection, self.run(connection, params))

    def first_alone(
        self, connection: sa.Connection, params: dict[str, Any]
    ) -> tuple[Any, ...] | None:
        """:meth:`first`, on PostgreSQL outside the transaction if it has not begun on the
        server (:func:`consult.core.pgpipeline.before_transaction`: no BEGIN round trip of
        its own, and none at all for a request that reads nothing else in it), as SQLite
        reads the signed-in user of a request that begins writing. For a read that needs no
        snapshot shared with the statements after it."""
        if connection.dialect.driver != "psycopg":
            return self.first(connection, params)
        from consult.core import pgpipeline  # psycopg: imported by PostgreSQL's engines alone

        driver: Any = connection.connection.driver_connection
        with pgpipeline.before_transaction(driver):
            return self.first(connection, params)

    def first_of(self, connection: sa.Connection, cursor: Any) -> tuple[Any, ...] | None:
        """:meth:`first` of the cursor of a :meth:`run` (closed)."""
        try:
            row = cursor.fetchone()
        finally:
            cursor.close()
        if row is None:
            return None
        return self._converted(row, self._conversions(connection.dialect))

    def all(self, connection: sa.Connection, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """Every row of a select run with ``params``, converted as :meth:`first` converts."""
        cursor = self.run(connection, params)
        try:
            rows = cursor.fetchall()
        finally:
            cursor.close()
        conversions = self._conversions(connection.dialect)
        if not conversions:
            return [tuple(row) for row in rows]
        return [self._converted(row, conversions) for row in rows]

    @staticmethod
    def _converted(row: Any, conversions: tuple[tuple[int, Any], ...]) -> tuple[Any, ...]:
        if not conversions:
            return tuple(row)
        values = list(row)
        for i, convert in conversions:
            values[i] = convert(values[i])
        return tuple(values)

    def _conversions(self, dialect: sa.Dialect) -> tuple[tuple[int, Any], ...]:
        """The select's columns that SQLAlchemy converts (dates on SQLite, enumerations,
        JSON), each as its index and conversion: the others are left as the driver gives
        them, without a call per value."""
        conversions = self._results.get(dialect.name)
        if conversions is None:
            compiled = self._dialects[dialect.name][0]
            processors = (
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in compiled._result_columns
            )
            conversions = self._results[dialect.name] = tuple(
                (i, f) for i, f in enumerate(processors) if f is not None
            )
        return conversions


def _form(compiled: Any, params: dict[str, Any]) -> tuple[str, tuple[tuple[Any, ...], ...]]:
    """The SQL of ``compiled`` for expanding parameters of the lengths in ``params``, and per
    driver parameter (in order): its name, where its value is read in the caller's values
    (name, and index in an expanding one) or its constant value, and its conversion."""
    expanded = compiled._process_parameters_for_postcompile(compiled.construct_params(params))
    origin = {
        new: (name, i)
        for name, news in expanded.parameter_expansion.items()
        for i, new in enumerate(news)
    }
    processors = {**compiled._bind_processors, **expanded.processors}
    names = expanded.positiontup if compiled.positional else list(expanded.parameters)
    slots: list[tuple[Any, ...]] = []
    for name in names or ():
        convert = processors.get(name)
        if name in origin or name in params:
            slots.append((name, origin.get(name, (name, None)), convert))
        else:  # a constant of the statement, converted once
            value = expanded.parameters[name]
            slots.append((name, None, convert(value) if convert else value))
    return expanded.statement, tuple(slots)


#: A named parameter of psycopg's SQL, or an escaped percent sign.
_NAMED = re.compile(r"%\(([^)]+)\)s|%%")


def _numbered(
    sql: str, slots: tuple[tuple[Any, ...], ...]
) -> tuple[str, tuple[tuple[Any, ...], ...]]:
    """psycopg's SQL with PostgreSQL's own numbered parameters (``$1``: a name used twice
    is one parameter) and its slots in their order, for psycopg's ``RawCursor``, which sends
    the SQL as it is: psycopg otherwise parses a statement's SQL on every execution once it
    is longer than 4096 characters (it keeps the parsing of shorter ones), as the writes of
    a submission are."""
    by_name = {slot[0]: slot for slot in slots}
    numbers: dict[str, int] = {}

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return "%"
        if name not in numbers:
            numbers[name] = len(numbers) + 1
        return f"${numbers[name]}"

    return _NAMED.sub(number, sql), tuple(by_name[name] for name in numbers)


def _converter(
    slots: tuple[tuple[Any, ...], ...], *, positional: bool
) -> Callable[[dict[str, Any]], Any]:
    """The driver's parameters (a tuple, or a dict by name unless ``positional``) from the
    caller's values, as :func:`_form`'s ``slots`` say: one function built from their source
    (``row["name"]``, ``row["name"][i]``, a constant, wrapped in its conversion), so that a
    call is one function call rather than one per parameter (about a hundred a submission)."""
    namespace: dict[str, Any] = {}
    items: list[str] = []
    for i, (name, source, convert) in enumerate(slots):
        if source is None:  # a constant, converted once
            namespace[f"k{i}"] = convert
            value = f"k{i}"
        else:
            key, index = source
            value = f"row[{key!r}]" if index is None else f"row[{key!r}][{int(index)}]"
            if convert is not None:
                namespace[f"c{i}"] = convert
                value = f"c{i}({value})"
        items.append(value if positional else f"{name!r}: {value}")
    body = (
        f"({''.join(f'{item}, ' for item in items)})" if positional else f"{{{', '.join(items)}}}"
    )
    # The source holds only the statement's own parameter names, quoted by repr.
    return eval(f"lambda row: {body}", namespace)  # noqa: S307


def run_together(
    connection: sa.Connection, runs: list[tuple[Prepared, dict[str, Any]]]
) -> list[Any]:
    """Run each :class:`Prepared` statement with its parameters, in order; their cursors
    (:meth:`Prepared.run`), or on PostgreSQL their results, read the same way.

    On PostgreSQL they are sent in one round trip (:func:`consult.core.pgpipeline.send_together`,
    with psycopg's ``BEGIN`` if the transaction has not begun): each is still a statement of its
    own, with its own snapshot, so one that follows a statement that waited for a lock sees
    what was committed meanwhile; the server runs the next as soon as the previous one ends,
    without waiting for this process to read its result, so locks taken by the first are held
    for the server's work alone. An error stops the rest and is raised as :meth:`Prepared.run`
    raises it. Elsewhere they run one after the other."""
    return _run_together(connection, runs, commit=False)


def commit_with(session: Session, runs: list[tuple[Prepared, dict[str, Any]]]) -> list[Any]:
    """The last statements of a :func:`write_transaction`, and its COMMIT: on PostgreSQL sent
    with them in one round trip (:func:`run_together`), so that the locks the transaction took
    are released as soon as the server has written, without a round trip more; elsewhere
    right after them. The session's transaction ends here (SQLAlchemy's commit: it finds
    nothing left for the server on PostgreSQL), and :func:`write_transaction` refuses a
    statement the block runs after it (it rolls that back and raises :class:`AfterCommit`)."""
    results = _run_together(session.connection(), runs, commit=True)
    session.commit()
    session.info[_ENDED] = True
    return results


class AfterCommit(RuntimeError):
    """A write transaction ran a statement after the one it committed with
    (:func:`commit_with`): rolled back, and a bug in the service."""


#: In a session's ``info``: its write transaction was committed by :func:`commit_with`.
_ENDED = "consult_committed_with"


def _run_together(
    connection: sa.Connection, runs: list[tuple[Prepared, dict[str, Any]]], *, commit: bool
) -> list[Any]:
    dialect = connection.dialect
    if dialect.name != "postgresql":
        return [prepared.run(connection, params) for prepared, params in runs]
    statements = []
    dispatch = connection.dispatch
    for prepared, params in runs:
        sql, convert, _raw = prepared.form(dialect, params)
        values = convert(params)
        dispatch.before_cursor_execute(connection, None, sql, values, None, False)
        statements.append((sql, values))
    from consult.core import pgpipeline  # psycopg: imported by PostgreSQL's engines alone

    driver: Any = connection.connection.driver_connection
    try:
        results = pgpipeline.send_together(
            driver, [(_encoded(sql), values) for sql, values in statements], commit=commit
        )
    except dialect.loaded_dbapi.Error as error:
        raise sa.exc.DBAPIError.instance(
            "(statements run together)", None, error, dialect.loaded_dbapi.Error, dialect=dialect
        ) from error
    for (sql, values), result in zip(statements, results, strict=True):
        dispatch.after_cursor_execute(connection, result, sql, values, None, False)
    return results


@functools.lru_cache(maxsize=256)
def _encoded(sql: str) -> bytes:
    return sql.encode()


#: The submission's ``BEGIN IMMEDIATE`` (:func:`_begin_immediate_now`).
_BEGIN_IMMEDIATE = Prepared(sa.text("BEGIN IMMEDIATE"))
