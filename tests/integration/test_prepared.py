"""``core.database.Prepared`` runs a statement as SQLAlchemy would: its parameters, however
often each is used, percent signs in its SQL, and long statements."""

from __future__ import annotations

import sqlalchemy as sa

from consult.core.database import Prepared
from consult.extensions import db


def test_a_prepared_statement_gives_what_sqlalchemy_gives(app):
    """A parameter used twice, a literal percent sign, and SQL longer than psycopg parses
    once and keeps (4096 characters): the same row as ``connection.execute``."""
    x = sa.bindparam("x", type_=sa.Integer)
    long = sa.literal_column("'" + "a" * 5000 + "'")
    statement = sa.select(
        x + x, sa.literal_column("'5%'"), sa.func.length(long), sa.bindparam("y", type_=sa.Text)
    )
    params = {"x": 20, "y": "it's 100%"}
    with db.engine.connect() as connection:
        expected = tuple(connection.execute(statement, params).one())
        prepared = Prepared(statement)
        for _ in range(7):  # past psycopg's threshold for preparing on the server
            assert prepared.first(connection, params) == expected
    assert expected == (40, "5%", 5000, "it's 100%")
