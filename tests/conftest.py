"""Fixture chain app → client → auth, on SQLite or on a fresh PostgreSQL database."""

from __future__ import annotations

import functools
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask, has_app_context, session
from flask.testing import FlaskClient
from hypothesis import settings

from consult import create_app
from consult.config import database_url
from consult.extensions import db, limiter

#: Hypothesis's own time limit per example (200 ms) is a timed assertion: under a loaded machine
#: a valid example took longer and the suite failed (test_valid_ballot_round_trips, in the
#: benchmark of the suite). Speed is measured in bench/, never asserted in a test.
settings.register_profile("consult", deadline=None)
settings.load_profile("consult")

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


#: The longest tests (``--durations``), longest first: none of them is left for the end, when
#: ``make test``'s two workers share out the short ones (``--dist worksteal``, pyproject.toml:
#: the first worker starts with the first half of the tests, these among them, and the other
#: takes half of its queue, from the end, whenever it runs out) rather than one of them
#: running a long test alone while the other has finished.
LONGEST = [
    "integration/test_hostile_input.py::test_hostile_queries",
    "integration/test_hostile_input.py::test_hypothesis_walk",
    "e2e/test_every_page.py::test_every_page_fits_a_phone",
    "integration/test_production.py::test_with_redis_the_sign_in_limit_holds",
    "integration/test_hostile_input.py::test_hostile_path_parameters",
    "e2e/test_translated_pages.py::test_no_catalogue_string_left_in_english",
    "integration/test_production.py::test_with_redis_down",
    "integration/test_hostile_input.py::test_hostile_forms",
    "integration/test_query_counts.py::test_yaml_replace_costs",
    "integration/test_builder_fuzz.py::test_option_texts",
    "unit/test_tally_oracle.py::test_every_method_agrees_with_pref_voting",
    "e2e/test_cycle.py::test_administrator_runs_the_cycle",
    "integration/test_query_counts.py::test_results_page_with_more_members",
    "integration/test_query_counts.py::test_the_receipt_lists_revisions",
    "integration/test_mail_worker.py::test_the_worker_process_answers",
    "unit/test_tally_oracle.py::test_runoff_agrees_with_pref_voting",
    "integration/test_onbehalf_links.py::test_the_submitted_list_comes_fifty",
    "unit/test_tally_properties.py::test_runoff_matches_a_plain_recount",
    "integration/test_reminders.py::test_remind_all_delivers",
    "integration/test_sqlite_writers.py::test_writes_that_never_pause",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests of :data:`LONGEST` first, in its order; the others as collected."""

    def rank(item: pytest.Item) -> int:
        name = item.nodeid.removeprefix("tests/")
        return next((i for i, p in enumerate(LONGEST) if name.startswith(p)), len(LONGEST))

    items.sort(key=rank)


@pytest.fixture(scope="session")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A SQLite file, or a fresh PostgreSQL database when TEST_DATABASE_URL is set."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        with memory_folder(tmp_path_factory) as folder:
            yield f"sqlite:///{folder / 'test.sqlite'}"
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


#: A file system in memory (Linux): what the suite's SQLite file and its log are written to.
MEMORY = Path("/dev/shm")  # noqa: S108 - a folder of its own is made in it (mkdtemp)


@contextmanager
def memory_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder of the worker's own in memory where there is one, else in pytest's temporary
    folder: the checkpoints of the write-ahead log (every 32 commits, consult/core/database.py)
    then cost no disk flush (3 ms each on this machine's disk), and SQLite behaves the same."""
    if not MEMORY.is_dir() or not os.access(MEMORY, os.W_OK):
        yield tmp_path_factory.mktemp("db")
        return
    folder = Path(tempfile.mkdtemp(prefix="consult-test-", dir=MEMORY))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def app(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    os.environ["CONSULT_INSTANCE_DIR"] = str(tmp_path_factory.mktemp("instance"))
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database})
    app.test_client_class = FreshContextClient
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(directory=str(Path(__file__).parents[1] / "migrations"))
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                no_autovacuum(conn)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _one_limiter() -> Iterator[None]:
    """The rate limiter is one object per process: a test that builds an app of its own
    (``create_app``: its ``init_app``) changes it for the suite's app too — turned off by
    ``RATELIMIT_ENABLED=False``, given new storage — so every test gives it back as it found
    it (the suite's app, a session fixture, is set up before this)."""
    before = dict(vars(limiter))
    yield
    vars(limiter).clear()
    vars(limiter).update(before)


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
    """Every table emptied, touching only the tables that hold rows (most tests write to a
    few of them), by DELETE with no trigger firing, dependents first; on PostgreSQL the
    sequences that gave out a key are set back, so keys start again from 1.

    PostgreSQL once truncated instead (TRUNCATE … RESTART IDENTITY CASCADE): new files for
    every table that refers to one holding rows and a flush of each at commit, 0.3–0.9 s per
    test on this machine where DELETE takes 5–8 ms. Rows then come back in the order they
    were inserted to a query without ORDER BY, as after a truncation, because nothing
    reclaims the deleted rows' space during the run (autovacuum is off for the tests'
    tables, :func:`no_autovacuum`): new rows go after them."""
    with db.engine.begin() as conn:
        full = holding_rows(conn)
        if full:
            with triggers_off(conn, full):
                for table in full:
                    conn.exec_driver_sql(f"DELETE FROM {table}")  # noqa: S608 - metadata
        if conn.dialect.name == "postgresql":
            for sequence in conn.exec_driver_sql(ADVANCED_SEQUENCES).scalars().all():
                conn.execute(sa.text("SELECT setval(:s, 1, false)"), {"s": sequence})


def no_autovacuum(conn: sa.Connection) -> None:
    """Autovacuum off for every table of the tests' PostgreSQL database (see
    :func:`empty_tables`: the space of deleted rows is never reused within a run)."""
    for table in dependents_first():
        conn.exec_driver_sql(
            f"ALTER TABLE {table} SET (autovacuum_enabled = false, "
            "toast.autovacuum_enabled = false)"
        )


@contextmanager
def triggers_off(conn: sa.Connection, tables: list[str]) -> Iterator[None]:
    """No trigger of ``tables`` fires inside ``conn``'s transaction (to empty or fill them as
    they were). On PostgreSQL, when the tests' role may (a superuser), as ``pg_restore`` does:
    ``session_replication_role`` (no user trigger, no check of foreign keys; one setting
    rather than locking and altering each table); otherwise :func:`protections_lifted`."""
    if conn.dialect.name == "postgresql" and superuser(conn):
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        yield
        conn.exec_driver_sql("SET LOCAL session_replication_role = origin")
        return
    with protections_lifted(conn, tables=tables):
        yield


@functools.cache
def dependents_first() -> list[str]:
    """Every table's name, dependents first (the metadata's sort, done once: a millisecond
    that every test's :func:`empty_tables` paid)."""
    return [t.name for t in reversed(db.metadata.sorted_tables)]


def holding_rows(conn: sa.Connection) -> list[str]:
    """The tables that hold at least one row, dependents first (the order to empty them in),
    asked in one query."""
    tables = dependents_first()
    probes = " UNION ALL ".join(
        f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM {t})"  # noqa: S608 - names from metadata
        for t in tables
    )
    full = set(conn.exec_driver_sql(probes).scalars())
    return [t for t in tables if t in full]


#: The sequences (of the tests' schema) that gave out a key since they were last set back.
ADVANCED_SEQUENCES = (
    "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) FROM pg_sequences "
    "WHERE schemaname = current_schema() AND last_value IS NOT NULL"
)
_SUPERUSER: dict[str, bool] = {}


def superuser(conn: sa.Connection) -> bool:
    """Whether the tests' role on PostgreSQL is a superuser (asked once per database)."""
    url = str(conn.engine.url)
    if url not in _SUPERUSER:
        query = "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        _SUPERUSER[url] = bool(conn.exec_driver_sql(query).scalar())
    return _SUPERUSER[url]


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
    every_table = [table.name for table, _values in rows]
    with db.engine.begin() as conn, triggers_off(conn, every_table):
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
def protections_lifted(
    conn: sa.Connection, *, every_table: bool = False, tables: list[str] | None = None
) -> Iterator[None]:
    """The append-only triggers lifted inside ``conn``'s transaction, as the owner of the
    database would (docs/deploy.md): PostgreSQL disables them (transactional DDL: no other
    session ever sees them off), SQLite drops and recreates them from their stored SQL.
    ``every_table``: every table's triggers (SQLite otherwise drops them all); ``tables``: the
    triggers of these tables only (those a DELETE from them would fire)."""
    from consult.core.hardening import APPEND_ONLY

    if conn.dialect.name == "postgresql":
        if tables is not None:
            lifted = tables
        elif every_table:
            lifted = [t.name for t in db.metadata.sorted_tables]
        else:
            lifted = list(APPEND_ONLY)
        for table in lifted:
            conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        yield
        for table in lifted:
            conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        return
    triggers = [
        (name, sql)
        for name, sql, table in conn.exec_driver_sql(
            "SELECT name, sql, tbl_name FROM sqlite_master WHERE type = 'trigger'"
        )
        if tables is None or table in tables
    ]
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


@contextmanager
def fresh_context(app: Flask) -> Iterator[None]:
    """An app context of its own (and so a database session of its own), as a request has in
    production; afterwards the test's session forgets what it had read."""
    ctx = app.app_context()
    ctx.push()
    try:
        yield
    finally:
        ctx.pop()
        if has_app_context():
            db.session.rollback()
            db.session.expire_all()


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (:func:`fresh_context`)."""

    def open(self, *args, **kwargs):  # type: ignore[override]
        with fresh_context(self.application):
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@contextmanager
def on_session_of(client: FlaskClient, path: str = "/", **request: object) -> Iterator[None]:
    """A request of ``client`` (its cookies, address and browser) pushed here in an app context
    of its own, for code of the app to run in; the session it leaves is stored in the client's
    cookies as that request's response would store it."""
    app = client.application
    context = app.test_request_context(path, environ_base=client.environ_base, **request)
    client._add_cookies_to_wsgi(context.request.environ)
    response = app.response_class()
    with fresh_context(app), context:
        yield
        app.session_interface.save_session(app, session, response)
    client._update_cookies_from_response(
        context.request.host.partition(":")[0],
        context.request.path,
        response.headers.getlist("Set-Cookie"),
    )


def session_csrf_token(client: FlaskClient) -> str:
    """The CSRF token a page of the client's session would carry (made by the app's own
    :func:`consult.core.csrf.token`), without rendering a page for it: for a test that posts a
    form which is not its subject (:func:`csrf_token` reads a page's)."""
    from consult.core import csrf

    with on_session_of(client):
        return csrf.token()


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token of the session, read from a page as a browser would."""
    page = client.get(path).get_data(as_text=True)
    match = _CSRF.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class AuthActions:
    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, email: str, password: str = PASSWORD, **kwargs) -> None:
        """Sign in as the sign-in page does, without its page and its post: the same services
        check the password and record the sign-in, the same ``session.start`` starts the
        session, and the session cookie is the one its response would set (40 ms of CPU saved
        per sign-in, most integration tests sign in). Every later request of the test goes
        through the app's session and account checks as before.

        Through the sign-in page instead (:meth:`login_form`) when anything but a successful
        first sign-in could follow: a wrong password (the refusal, its limit and its log are
        the page's), a session already signed in (the page keeps it), request options."""
        if kwargs or not self.signed_in_directly(email, password):
            self.login_form(email, password, **kwargs)

    def login_form(self, email: str, password: str = PASSWORD, **kwargs):
        """Sign in through the sign-in page, as a browser does: its response."""
        token = csrf_token(self.client)
        return self.client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}, **kwargs
        )

    def signed_in_directly(self, email: str, password: str) -> bool:
        """Whether :meth:`login` could sign in without the page (a right password, a session
        not signed in); if so, the client's session cookie is now signed in."""
        from consult.auth import services
        from consult.auth import session as sessions

        with on_session_of(self.client, "/login", method="POST"):
            if session.get("_user_id") is not None:
                return False
            user = services.authenticate(email, password)
            if user is None:
                return False
            services.record_sign_in(user)  # services.sign_in, its failure left to the page
            sessions.start(user)
        return True

    def logout(self):
        return self.client.post("/logout", data={"csrf_token": session_csrf_token(self.client)})


def signed_in_client(
    app: Flask, email: str, password: str = PASSWORD, *, form: bool = False
) -> FlaskClient:
    """A client of its own signed in as ``email`` (:meth:`AuthActions.login`); ``form``:
    through the sign-in page, where signing in is what the test checks."""
    client = app.test_client()
    auth = AuthActions(client)
    if form or not auth.signed_in_directly(email, password):
        response = auth.login_form(email, password)
        assert response.status_code == 302, f"{email} could not sign in"
    return client


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)
