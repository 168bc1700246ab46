"""Text the files need, worked out in SQL on both engines: moments and dates as ISO text, and
typed text neutralised against spreadsheet formulas (:mod:`~consult.results.csvsafe`'s rule),
so the export writes the rows as they come instead of converting each one in Python.

Each function is a ``FunctionElement`` with one ``@compiles`` per engine, SQLAlchemy's
documented form: the SQL each engine gets stays in sight.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles

from consult.results.csvsafe import FORMULA_START


class IsoUtc(sa.sql.functions.FunctionElement[str]):
    """A moment of a UTC column as the file writes it, ``2026-12-06T09:30:00Z`` (to the
    second), made in SQL: the file needs the text only, not a datetime parsed from each row
    and formatted back."""

    type = sa.String()
    inherit_cache = True
    name = "iso_utc"


@compiles(IsoUtc, "sqlite")
def _iso_sqlite(element: IsoUtc, compiler: Any, **kw: Any) -> str:
    # SQLAlchemy keeps a moment on SQLite as the text ``YYYY-MM-DD HH:MM:SS.ffffff`` (UTC,
    # the zone left out): cut from it, cheaper than strftime's parsing of every row.
    moment = compiler.process(element.clauses, **kw)
    return f"substr({moment}, 1, 10) || 'T' || substr({moment}, 12, 8) || 'Z'"


@compiles(IsoUtc, "postgresql")
def _iso_postgresql(element: IsoUtc, compiler: Any, **kw: Any) -> str:
    moment = compiler.process(element.clauses, **kw)
    return f"""to_char({moment} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""


class IsoDate(sa.sql.functions.FunctionElement[str]):
    """A date column as the file writes it, ``2026-12-06``, made in SQL."""

    type = sa.String()
    inherit_cache = True
    name = "iso_date"


@compiles(IsoDate, "sqlite")
def _iso_date_sqlite(element: IsoDate, compiler: Any, **kw: Any) -> str:
    # SQLAlchemy keeps a date on SQLite as its ISO text already.
    return str(compiler.process(element.clauses, **kw))


@compiles(IsoDate, "postgresql")
def _iso_date_postgresql(element: IsoDate, compiler: Any, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM-DD')"


class FirstCode(sa.sql.functions.FunctionElement[int]):
    """The code point of a text's first character (NULL, or 0, for an empty text)."""

    type = sa.Integer()
    inherit_cache = True
    name = "first_code"


@compiles(FirstCode, "sqlite")
def _first_code_sqlite(element: FirstCode, compiler: Any, **kw: Any) -> str:
    return f"unicode({compiler.process(element.clauses, **kw)})"


@compiles(FirstCode, "postgresql")
def _first_code_postgresql(element: FirstCode, compiler: Any, **kw: Any) -> str:
    # The code point of the first character in a UTF-8 database.
    return f"ascii({compiler.process(element.clauses, **kw)})"


#: The first characters :mod:`~consult.results.csvsafe` neutralises, as code points written
#: into the SQL.
_RISKY_CODES: list[sa.ColumnClause[Any]] = [
    sa.literal_column(str(ord(sign))) for sign in FORMULA_START
]


def neutralised(
    text: sa.ColumnElement[Any] | sa.orm.QueryableAttribute[Any],
) -> sa.ColumnElement[str]:
    """A text column as ``csvsafe.safe_cell`` writes it, worked out in SQL: prefixed with an
    apostrophe when it begins with one of ``csvsafe.FORMULA_START``."""
    quoted = sa.literal_column("''''", sa.String) + sa.type_coerce(text, sa.String)
    return sa.case((FirstCode(text).in_(_RISKY_CODES), quoted), else_=text)
