"""Fixture chain app → client → auth, on SQLite or on a fresh PostgreSQL database."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask, has_app_context
from flask.testing import FlaskClient

from consult import create_app
from consult.config import database_url
from consult.extensions import db, limiter

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(scope="session")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A SQLite file, or a fresh PostgreSQL database when TEST_DATABASE_URL is set."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
        return
    name = f"consult_test_{uuid.uuid4().hex[:12]}"
    plain = base.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = database_url(plain.rsplit("/", 1)[0] + "/" + name)
    yield url
    sa.orm.close_all_sessions()
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def app(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    os.environ["CONSULT_INSTANCE_DIR"] = str(tmp_path_factory.mktemp("instance"))
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database})
    app.test_client_class = FreshContextClient
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(directory=str(Path(__file__).parents[1] / "migrations"))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _context(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test that uses the app runs in an app context and leaves empty tables behind."""
    if "app" not in request.fixturenames:
        yield
        return
    app: Flask = request.getfixturevalue("app")
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()
        empty_tables()
        limiter.reset()


def empty_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn, protections_lifted(conn):
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                conn.exec_driver_sql(f"DELETE FROM {table}")  # noqa: S608 - table names from metadata


#: Every row of every table, table by table in dependency order (see :func:`snapshot`).
Rows = list[tuple[sa.Table, list[dict[str, object]]]]


def snapshot() -> Rows:
    """Every row of every table: a world built once and put back before each test that reads
    it (:func:`restore`), instead of being built again for each."""
    with db.engine.connect() as conn:
        return [
            (table, [dict(row) for row in conn.execute(ordered(table)).mappings()])
            for table in db.metadata.sorted_tables
        ]


def ordered(table: sa.Table) -> sa.Select[tuple[object, ...]]:
    """The table's rows in key order: a row that refers to an earlier one of its table (a
    parent, a previous revision) is put back after it."""
    return sa.select(table).order_by(*table.primary_key.columns)


def restore(rows: Rows) -> None:
    """Put back the rows of :func:`snapshot` as they were (same keys, same values) in tables
    left empty by the previous test, with no trigger firing (the record's chains and the
    structure versions are copied, not recomputed)."""
    with db.engine.begin() as conn, protections_lifted(conn, every_table=True):
        for table, values in rows:
            if values:
                conn.execute(table.insert(), values)
        if conn.dialect.name == "postgresql":  # the sequences go on after the restored keys
            for table, values in rows:
                key = table.autoincrement_column
                if key is not None and values:
                    conn.execute(
                        sa.text("SELECT setval(pg_get_serial_sequence(:t, :c), :n)"),
                        {"t": table.name, "c": key.name, "n": max(v[key.name] for v in values)},
                    )


@contextmanager
def protections_lifted(conn: sa.Connection, *, every_table: bool = False) -> Iterator[None]:
    """The append-only triggers lifted inside ``conn``'s transaction, as the owner of the
    database would (docs/deploy.md): PostgreSQL disables them (transactional DDL: no other
    session ever sees them off), SQLite drops and recreates them from their stored SQL.
    ``every_table``: every table's triggers (SQLite always drops them all)."""
    from consult.core.hardening import APPEND_ONLY

    if conn.dialect.name == "postgresql":
        tables = [t.name for t in db.metadata.sorted_tables] if every_table else APPEND_ONLY
        for table in tables:
            conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        yield
        for table in tables:
            conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        return
    triggers = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
    ).all()
    for name, _sql in triggers:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for _name, sql in triggers:
        conn.exec_driver_sql(sql)


def as_owner(sql: str, **params: object) -> None:
    """Run ``sql`` as the owner who lifted the protections: the tampering the verifier must
    find."""
    db.session.rollback()
    with db.engine.begin() as conn, protections_lifted(conn):
        conn.execute(sa.text(sql), params)


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (and so its own database session), as in
    production; afterwards the test's session forgets what it had read."""

    def open(self, *args, **kwargs):  # type: ignore[override]
        ctx = self.application.app_context()
        ctx.push()
        try:
            return super().open(*args, **kwargs)
        finally:
            ctx.pop()
            if has_app_context():
                db.session.rollback()
                db.session.expire_all()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token of the session, read from a page as a browser would."""
    page = client.get(path).get_data(as_text=True)
    match = _CSRF.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class AuthActions:
    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, email: str, password: str = PASSWORD, **kwargs):
        token = csrf_token(self.client)
        return self.client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}, **kwargs
        )

    def logout(self):
        return self.client.post("/logout", data={"csrf_token": csrf_token(self.client, "/")})


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)
