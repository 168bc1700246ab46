"""A few statements sent to PostgreSQL in one round trip, on libpq's pipeline mode directly.

psycopg's own pipeline (``connection.pipeline()``) runs each statement through its cursor
machinery and polls the socket after every statement queued: about 300 µs of CPU for a
statement and its COMMIT, where the same three messages sent one after the other without a
pipeline cost 150 µs (and two round trips more). Here the statements are adapted by psycopg's
:class:`~psycopg.adapt.Transformer` as its cursors adapt them, sent together with one Sync,
flushed once, and their results read back in order: about 100 µs.

Each statement is prepared on the server the first time a connection sends it (with the same
parameter types), in the same round trip, and executed by name after that (the server neither
parses nor plans it again): by psycopg's own cache of prepared statements
(``connection._prepared``, as its cursors use it), which forgets them, and tells the server,
whenever psycopg may find them stale (after a ROLLBACK, a DROP or an ALTER). A statement is
still a statement of its own, with its own snapshot. The first error stops the rest (the
server skips everything up to the Sync, a COMMIT included) and is raised as psycopg raises it;
the transaction is then in error, for its ROLLBACK.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any, NamedTuple

import psycopg
from psycopg import abc, errors, pq
from psycopg._preparing import Prepare
from psycopg.adapt import PyFormat, Transformer
from psycopg.generators import fetch_many, send

_FATAL = pq.ExecStatus.FATAL_ERROR
_ABORTED = pq.ExecStatus.PIPELINE_ABORTED
_IDLE = pq.TransactionStatus.IDLE
_TEXT = pq.Format.TEXT


class _Query(NamedTuple):
    """What psycopg's cache of prepared statements knows a statement by."""

    query: bytes
    types: tuple[int, ...]


class Result:
    """A statement's rows, read as a psycopg cursor gives them (``fetchone``, ``rowcount``)."""

    __slots__ = ("_result", "_row", "_tx")

    def __init__(self, tx: abc.Transformer, result: pq.abc.PGresult) -> None:
        self._tx = tx
        self._result = result
        self._row = 0

    @property
    def rowcount(self) -> int:
        return self._result.command_tuples or 0

    def fetchone(self) -> tuple[Any, ...] | None:
        if self._row >= self._result.ntuples:
            return None
        self._tx.set_pgresult(self._result)
        row = self._tx.load_row(self._row, tuple)
        self._row += 1
        return row

    def close(self) -> None:
        """Nothing to release (for the callers of a cursor)."""


def send_together(
    connection: psycopg.Connection[Any],
    statements: Sequence[tuple[bytes, Sequence[Any]]],
    *,
    commit: bool = False,
) -> list[Result]:
    """Run each ``(sql, parameters)`` (``$n`` parameters), in order, and with ``commit`` then
    COMMIT, in one round trip; the transaction begins first, as psycopg begins it, if it has
    not (unless the connection is in autocommit). Their results, in order."""
    pgconn = connection.pgconn
    cache = connection._prepared
    commands: list[Callable[[], None]] = []
    #: Per command: None (a BEGIN, COMMIT or PREPARE) or the statement's transformer and
    #: what psycopg's cache is told of its results.
    expected: list[Any] = []
    if not connection.autocommit and pgconn.transaction_status == _IDLE:
        begin = connection._get_tx_start_command()  # psycopg's BEGIN, with its options
        commands.append(partial(pgconn.send_query_params, begin, None))
        expected.append(None)
    for sql, params in statements:
        tx = Transformer(connection)
        dumped = tx.dump_sequence(params, [PyFormat.AUTO] * len(params))
        query = _Query(sql, tuple(tx.types or ()))
        prep, name = cache.get(query, prepare=True)  # type: ignore[arg-type]
        if prep is Prepare.NO:
            commands.append(
                partial(
                    pgconn.send_query_params,
                    sql,
                    dumped,
                    param_types=tx.types,
                    param_formats=tx.formats,
                    result_format=_TEXT,
                )
            )
        else:
            if prep is Prepare.SHOULD:
                commands.append(partial(pgconn.send_prepare, name, sql, param_types=tx.types))
                expected.append(None)
            commands.append(
                partial(
                    pgconn.send_query_prepared,
                    name,
                    dumped,
                    param_formats=tx.formats,
                    result_format=_TEXT,
                )
            )
        key = cache.maybe_add_to_cache(query, prep, name)  # type: ignore[arg-type]
        expected.append((tx, None if key is None else (key, prep, name)))
    if commit:
        commands.append(partial(pgconn.send_query_params, b"COMMIT", None))
        expected.append(None)
    with connection.lock:
        pgconn.enter_pipeline_mode()
        try:
            for command in commands:
                command()
            pgconn.pipeline_sync()
            connection.wait(send(pgconn))
            # One list of results per command, then the Sync's.
            fetched = [connection.wait(fetch_many(pgconn)) for _ in range(len(commands) + 1)]
        except BaseException:
            with contextlib.suppress(psycopg.Error):
                pgconn.exit_pipeline_mode()
            raise
        pgconn.exit_pipeline_mode()
    results = _results(connection, expected, fetched)
    if cache._to_flush:  # statements psycopg evicted from its cache (a hundred at most)
        connection.wait(cache.maintain_gen(connection))
    return results


@contextlib.contextmanager
def before_transaction(connection: psycopg.Connection[Any]) -> Iterator[None]:
    """The statements of the block in autocommit if the connection's transaction has not
    begun on the server: psycopg would otherwise send its BEGIN first, a round trip of its
    own; the transaction then begins with the next statement (:func:`send_together` sends
    its BEGIN with it), or not at all. For a read that shares no snapshot with what follows
    (at READ COMMITTED, the app's isolation level, each statement has its own anyway)."""
    if connection.autocommit or connection.pgconn.transaction_status != _IDLE:
        yield
        return
    connection.autocommit = True
    try:
        yield
    finally:
        connection.autocommit = False


def _results(
    connection: psycopg.Connection[Any], expected: list[Any], fetched: list[list[Any]]
) -> list[Result]:
    """The statements' results, psycopg's cache of prepared statements told of each; the
    first error raised, once every result has been read."""
    error: psycopg.Error | None = None
    results: list[Result] = []
    for wanted, fetch in zip(expected, fetched, strict=False):
        result = fetch[0]
        if wanted is not None:
            tx, prepared = wanted
            if prepared is not None:
                key, prep, name = prepared
                connection._prepared.validate(key, prep, name, fetch)
            if result.status not in (_FATAL, _ABORTED):
                results.append(Result(tx, result))
        if result.status == _FATAL and error is None:
            error = errors.error_from_result(result, encoding=connection.info.encoding)
    if error is not None:
        raise error
    return results
