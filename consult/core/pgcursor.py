"""psycopg's cursor with a description made when it is read, not when it is asked for.

SQLAlchemy asks every select's cursor for its ``description`` and, once it has compiled the
statement and kept its result's columns (every statement of a running app after its first
execution), only checks that it is not None. psycopg builds a ``Column`` object per column
for that check, some 1.7 µs each: about 90 µs for the receipt's 53 columns, a twentieth of a
page. :class:`Cursor` answers with a :class:`Description` that makes the same columns when one
is first read, from the result the cursor had when it was asked (exactly psycopg's, whenever
it is read)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, overload

import psycopg
from psycopg.pq import ExecStatus

#: Results that have columns even without fields (psycopg's rule: ``SELECT ;``).
_TUPLES = (ExecStatus.TUPLES_OK, ExecStatus.SINGLE_TUPLE, ExecStatus.TUPLES_CHUNK)


class _Result:
    """What ``psycopg.Column`` reads of a cursor, as it was when the description was asked."""

    __slots__ = ("_encoding", "adapters", "pgresult")

    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self.pgresult = cursor.pgresult
        self._encoding = cursor._encoding
        self.adapters = cursor.adapters


class Description(Sequence[psycopg.Column]):
    """A cursor's description (a list of ``psycopg.Column``), its columns made when first
    read."""

    __slots__ = ("_columns", "_count", "_result")

    def __init__(self, cursor: psycopg.Cursor[Any], count: int) -> None:
        self._result = _Result(cursor)
        self._count = count
        self._columns: list[psycopg.Column] | None = None

    def _made(self) -> list[psycopg.Column]:
        if self._columns is None:
            result: Any = self._result
            self._columns = [psycopg.Column(result, i) for i in range(self._count)]
        return self._columns

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> psycopg.Column: ...
    @overload
    def __getitem__(self, index: slice) -> list[psycopg.Column]: ...
    def __getitem__(self, index: int | slice) -> psycopg.Column | list[psycopg.Column]:
        return self._made()[index]

    def __repr__(self) -> str:
        return repr(self._made())


class Cursor(psycopg.Cursor[Any]):
    """psycopg's cursor, its :attr:`description` a :class:`Description`."""

    @property
    def description(self) -> Description | None:  # type: ignore[override]
        res = self.pgresult
        if res and (res.nfields or res.status in _TUPLES):
            return Description(self, res.nfields)
        return None


def use_on(dbapi_connection: Any, _record: Any = None) -> None:
    """Make the connection's cursors :class:`Cursor` (a pool's ``connect`` event)."""
    if dbapi_connection.cursor_factory is psycopg.Cursor:  # psycopg's default, not a choice
        dbapi_connection.cursor_factory = Cursor
