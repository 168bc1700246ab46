"""The database refusing connections or too slow (FLT-3, FLT-4): every route, signed in or
not, exports and streamed downloads included, answers with the app's 503 page, Retry-After and
the security headers — never the WSGI server's bare 500 — and works again once it is back.

The test runs on a database of its own (a SQLite file, or a PostgreSQL database when
TEST_DATABASE_URL is set), since it stops connections to it."""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from consult import create_app
from consult.config import database_url
from consult.core.database import configure_engine
from consult.extensions import db
from tests.conftest import PASSWORD, FreshContextClient, csrf_token
from tests.factories import AdminFactory, MemberFactory, UserFactory, build_consultation

MIGRATIONS = str(Path(__file__).parents[2] / "migrations")
TEXT = re.compile(r"<[^>]+>")


class OwnDatabase:
    """A database that this test may stop and start again."""

    def __init__(self, tmp_path: Path) -> None:
        base = os.environ.get("TEST_DATABASE_URL")
        self.server = base.replace("postgresql+psycopg://", "postgresql://") if base else None
        if self.server:
            self.name = f"consult_down_{uuid.uuid4().hex[:12]}"
            self._admin(f'CREATE DATABASE "{self.name}"')
            self.url = database_url(self.server.rsplit("/", 1)[0] + "/" + self.name)
        else:
            self.folder = tmp_path / "db"
            self.folder.mkdir()
            self.url = f"sqlite:///{self.folder / 'own.sqlite'}"

    @property
    def engine_name(self) -> str:
        return "postgresql" if self.server else "sqlite"

    def _admin(self, *statements: str) -> None:
        with psycopg.connect(self.server, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    def stop(self) -> None:
        """Refuse new connections and end the open ones."""
        if self.server:
            self._admin(
                f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false',
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "  # noqa: S608 - our own name
                f"WHERE datname = '{self.name}' AND pid <> pg_backend_pid()",
            )
        else:
            self.folder.rename(self.folder.with_name("db-away"))  # "unable to open database file"
        db.engine.dispose()

    def start(self) -> None:
        if self.server:
            self._admin(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true')
        else:
            self.folder.with_name("db-away").rename(self.folder)

    def drop(self) -> None:
        if self.server:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        else:
            shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def own(tmp_path: Path) -> Iterator[tuple[Flask, OwnDatabase]]:
    """An app on its own database, configured like production where it matters here:
    exceptions are not propagated to the test client (the WSGI server would get them)."""
    database = OwnDatabase(tmp_path)
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": database.url,
            "PROPAGATE_EXCEPTIONS": False,
            "STATEMENT_TIMEOUT_MS": 300,
            "SQLITE_BUSY_TIMEOUT_MS": 300,
        },
    )
    app.test_client_class = FreshContextClient
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(directory=MIGRATIONS)
        try:
            yield app, database
        finally:
            db.session.remove()
            db.engine.dispose()
            database.drop()


def signed_in(app: Flask, email: str | None) -> tuple[FlaskClient, str]:
    client = app.test_client()
    token = csrf_token(client)
    if email:
        data = {"email": email, "password": PASSWORD, "csrf_token": token}
        assert client.post("/login", data=data).status_code == 302
        token = csrf_token(client, "/")
    return client, token


def concrete(rule, ids: dict[str, int]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(2)
        if name == "slug":
            return "idm-2010"
        if name == "token":
            return "x" * 43
        if name == "name":
            return "responses"
        return str(ids.get(name, 1))

    return re.sub(r"<(?:([^:<>]+):)?(\w+)>", value, rule.rule)


def assert_unavailable(response, what: str) -> None:
    assert response.status_code == 503, f"{what}: {response.status_code}"
    assert int(response.headers["Retry-After"]) >= 30, what  # more on a rate-limited route
    assert "object-src 'none'" in response.headers["Content-Security-Policy"], what
    assert response.headers["X-Content-Type-Options"] == "nosniff", what
    assert response.headers["Cache-Control"] == "no-store", what
    body = TEXT.sub(" ", response.get_data(as_text=True))
    assert "briefly unavailable" in body, what
    assert "Traceback" not in body, what
    assert "sqlalchemy" not in body.lower(), what


def test_every_route_says_503_while_the_database_refuses_connections(own):
    app, database = own
    AdminFactory(email="admin@example.org")
    member = MemberFactory()
    delegate = UserFactory(email="delegate@example.org", member=member)
    build_consultation("idm-2010")
    ids = {"member_id": member.id, "user_id": delegate.id, "region_id": member.region_id}
    sessions = {
        "anonymous": signed_in(app, None),
        "delegate": signed_in(app, "delegate@example.org"),
        "admin": signed_in(app, "admin@example.org"),
    }
    database.stop()
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    form = {"email": "someone@example.org", "password": "a password", "lang": "en"}
    for who, (client, token) in sessions.items():
        for rule in rules:
            path = concrete(rule, ids)
            responses = []
            if "GET" in rule.methods:
                responses.append(("GET", client.get(path)))
            if "POST" in rule.methods:
                if who == "anonymous":  # the sign-in page needs no database; sign-out forgets
                    token = csrf_token(client)
                responses.append(("POST", client.post(path, data={**form, "csrf_token": token})))
            for method, response in responses:
                what = f"{who} {method} {rule.rule}"
                if who != "anonymous" or response.status_code >= 500:
                    assert_unavailable(response, what)
                # Signed out, pages that need no database still work (the sign-in form, the
                # redirect to it); whatever needs it says 503.
    anonymous, _token = sessions["anonymous"]
    for path in ("/login", "/password/forgot"):
        data = {**form, "csrf_token": csrf_token(anonymous)}
        assert_unavailable(anonymous.post(path, data=data), path)
    assert_unavailable(anonymous.get(f"/invitation/{'x' * 43}"), "invitation link")
    database.start()
    client, _token = sessions["admin"]
    assert client.get("/admin/members").status_code == 200  # and back, still signed in


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="SQLite readers never wait for a lock"
)
def test_a_statement_timeout_in_pages_and_streamed_exports_says_503(own):
    """A table locked by someone else makes the statements of a request wait: after the
    statement timeout the page, or a download before it starts, says 503."""
    app, database = own
    AdminFactory(email="admin@example.org")
    build_consultation("idm-2010")
    client, token = signed_in(app, "admin@example.org")
    with psycopg.connect(database.url.replace("+psycopg", "")) as blocker:
        blocker.execute("LOCK TABLE response IN ACCESS EXCLUSIVE MODE")
        assert_unavailable(client.get("/admin/consultations/idm-2010/results"), "results page")
        for name in ("responses", "comments"):
            path = f"/admin/consultations/idm-2010/export/{name}.csv"
            assert_unavailable(client.post(path, data={"csrf_token": token}), name)
        zipped = client.post("/admin/consultations/idm-2010/export.zip", data={"csrf_token": token})
        assert_unavailable(zipped, "zip")
    assert client.get("/admin/consultations/idm-2010/results").status_code == 200


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="PostgreSQL's setting")
def test_a_connection_keeps_the_statement_timeout_from_the_first_request_that_used_it(own):
    """Set once per connection when a request first checks it out, not in any request's
    transaction; a connection no request used (a command's, such as a migration's) has none."""
    app, _database = own
    AdminFactory(email="admin@example.org")
    with db.engine.connect() as command:
        assert command.exec_driver_sql("SHOW statement_timeout").scalar() == "0"
    client, _token = signed_in(app, "admin@example.org")
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        for _ in range(3):
            assert client.get("/").status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    assert statements
    assert not [s for s in statements if "statement_timeout" in s]
    with app.test_request_context():
        timeout = db.session.connection().exec_driver_sql("SHOW statement_timeout").scalar()
        db.session.rollback()
    assert timeout == "300ms"


@pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="PostgreSQL writers wait per row"
)
@pytest.mark.parametrize("queued", [False, True], ids=["another program", "another worker"])
def test_a_write_that_waits_too_long_for_the_sqlite_lock_says_503(own, queued):
    """Whether the writer holding the lock is another program, or another worker of the app
    (which queues for the lock as the request does: it holds the queue too), the request
    waits no longer than its timeouts."""
    app, database = own
    UserFactory(email="delegate@example.org")
    client, _token = signed_in(app, None)
    token = csrf_token(client)
    sign_in = {"email": "delegate@example.org", "password": PASSWORD, "csrf_token": token}
    engine = sa.create_engine(database.url)
    if queued:
        configure_engine(engine, busy_timeout_ms=300)
    with engine.connect() as blocker:
        if queued:  # a writing transaction as the app's begin
            blocker.execution_options(sqlite_begin="IMMEDIATE").begin()
        else:
            blocker.exec_driver_sql("BEGIN IMMEDIATE")  # another writer holds the lock
        assert_unavailable(client.post("/login", data=sign_in), "sign-in writing its record")
        if queued:
            blocker.rollback()
        else:
            blocker.exec_driver_sql("ROLLBACK")
    sign_in["csrf_token"] = csrf_token(client)
    assert client.post("/login", data=sign_in).status_code == 302


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="PostgreSQL ends connections")
def test_connections_the_server_ended_while_idle_are_replaced_before_a_page_uses_them(
    own, monkeypatch
):
    """Connections are pinged only once idle for a few seconds (core.database): after a
    restart of the server, a page finds them dead at the ping and gets fresh ones."""
    from consult.core import database as database_module

    app, database = own
    member = MemberFactory()
    UserFactory(email="delegate@example.org", member=member)
    build_consultation("idm-2010")
    client, _token = signed_in(app, "delegate@example.org")
    for path in ("/", "/consultations/idm-2010", "/consultations/idm-2010/receipt"):
        assert client.get(path).status_code == 200, path
    database._admin(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "  # noqa: S608 - our own name
        f"WHERE datname = '{database.name}' AND pid <> pg_backend_pid()"
    )
    monkeypatch.setattr(database_module, "PING_AFTER_SECONDS", 0.0)  # as if idle for long
    for path in ("/", "/consultations/idm-2010", "/consultations/idm-2010/receipt"):
        assert client.get(path).status_code == 200, path
