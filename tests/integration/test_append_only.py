"""The database protects its own record (AUD-3, AUD-5): audit events, checkpoints and revisions
are append-only — triggers on both databases, and on PostgreSQL an application role without
UPDATE, DELETE or TRUNCATE on them (a real second role)."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from consult import create_app
from consult.ballots.models import Revision
from consult.core.audit import AuditEvent
from consult.extensions import db
from tests.conftest import PASSWORD, as_owner, csrf_token
from tests.factories import MemberFactory, UserFactory, build_consultation
from tests.integration.ballot_helpers import post_ballot, ranking_form

TAMPERING = [
    "UPDATE audit_event SET details = '{}'",
    "DELETE FROM audit_event WHERE seq = (SELECT max(seq) FROM audit_event)",
    "UPDATE revision SET content = '{}'",
    "DELETE FROM revision",
    "UPDATE audit_checkpoint SET digest = 'x'",
    "DELETE FROM audit_checkpoint",
]


@pytest.fixture
def record(client, auth, runner):
    """A submission (revisions, events) and a checkpoint, through the application."""
    member = MemberFactory(code="CHL", name="Chile")
    UserFactory(email="chl@example.org", member=member)
    c = build_consultation()
    auth.login("chl@example.org")
    assert post_ballot(client, "idm-2010", ranking_form(c, {1: "1"})).status_code == 303
    assert runner.invoke(args=["audit", "statement", "--new"]).exit_code == 0
    return c


def snapshot(conn) -> list:
    return [
        conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY id")).all()  # noqa: S608
        for table in ("audit_event", "audit_checkpoint", "revision")
    ]


@pytest.mark.parametrize("statement", TAMPERING)
def test_the_triggers_refuse_to_rewrite_the_record(record, statement):
    db.session.rollback()
    with db.engine.connect() as conn:
        before = snapshot(conn)
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.execute(sa.text(statement))
    with db.engine.connect() as conn:
        assert snapshot(conn) == before


def test_postgresql_triggers_refuse_truncate_too(record):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE audit_event CASCADE")


def test_drafts_revisions_and_the_verifier_still_work(client, runner, record):
    c = record
    draft = post_ballot(client, "idm-2010", ranking_form(c, {2: "1"}), action="draft")
    assert draft.status_code == 303
    assert post_ballot(client, "idm-2010", ranking_form(c, {3: "1"})).status_code == 303
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "revision chains intact (2 revisions of 1 responses)" in result.output


def test_an_owner_who_lifts_the_triggers_is_still_caught(runner, record):
    as_owner("DELETE FROM audit_event WHERE seq = (SELECT max(seq) FROM audit_event)")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "audit trail truncated" in result.output


def test_harden_on_sqlite_says_the_triggers_are_the_protection(runner):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    result = runner.invoke(args=["db", "harden", "--role", "consult_app"])
    assert result.exit_code == 1
    assert "SQLite has no roles" in result.output


# PostgreSQL: the application's own role -------------------------------------------------------


@pytest.fixture
def app_role(app):
    """A login role for the application, hardened by `consult db harden` run as the owner;
    dropped afterwards."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("roles are PostgreSQL's")
    role = f"consult_app_{uuid.uuid4().hex[:8]}"
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE ROLE "{role}" LOGIN')
    yield role
    db.session.rollback()
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f'DROP OWNED BY "{role}"')
        conn.exec_driver_sql(f'DROP ROLE "{role}"')


def url_as(role: str) -> str:
    return db.engine.url.set(username=role).render_as_string(hide_password=False)


def test_harden_leaves_the_application_role_only_reading_and_appending(
    app, runner, record, app_role
):
    unhardened = runner.invoke(args=["db", "harden", "--role", app_role, "--check"])
    assert unhardened.exit_code == 0  # a new role has no privilege at all yet
    result = runner.invoke(args=["db", "harden", "--role", app_role])
    assert result.exit_code == 0, result.output
    assert f"{app_role} may read and append to audit_event" in result.output
    engine = sa.create_engine(url_as(app_role))
    try:
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT count(*) FROM audit_event")) > 0
            before = snapshot(conn)
        for statement in [*TAMPERING, "TRUNCATE audit_event CASCADE", "TRUNCATE revision"]:
            with pytest.raises(DBAPIError, match="permission denied"), engine.begin() as conn:
                conn.execute(sa.text(statement))
        for statement in ("DROP TABLE audit_event", "ALTER TABLE revision DISABLE TRIGGER USER"):
            with pytest.raises(DBAPIError, match="must be owner"), engine.begin() as conn:
                conn.execute(sa.text(statement))
        with engine.connect() as conn:
            assert snapshot(conn) == before
    finally:
        engine.dispose()


def test_the_application_works_as_its_hardened_role(app, runner, record, app_role):
    """Sign-in, a draft, a submission: every write path the record sees, as the app's role."""
    assert runner.invoke(args=["db", "harden", "--role", app_role]).exit_code == 0
    as_role = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url_as(app_role)})
    client = as_role.test_client()  # each request in an app context of its own
    c = record
    token = csrf_token(client, "/login")
    signed_in = client.post(
        "/login", data={"email": "chl@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert signed_in.status_code == 302
    draft = post_ballot(client, "idm-2010", ranking_form(c, {2: "1"}), action="draft")
    assert draft.status_code == 303
    assert post_ballot(client, "idm-2010", ranking_form(c, {3: "1"})).status_code == 303
    with as_role.app_context():
        assert db.session.scalar(sa.select(sa.func.max(Revision.number))) == 2
        assert db.session.scalar(sa.select(sa.func.current_user())) == app_role
        db.session.remove()
        db.engine.dispose()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    submitted = sa.select(sa.func.count()).where(AuditEvent.action == "ballot_submitted")
    assert db.session.scalar(submitted) == 2


def test_check_reports_a_role_that_could_rewrite_the_record(runner, record, app_role):
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f'GRANT UPDATE, DELETE ON audit_event TO "{app_role}"')
        conn.exec_driver_sql("ALTER TABLE revision DISABLE TRIGGER USER")
    try:
        result = runner.invoke(args=["db", "harden", "--role", app_role, "--check"])
        assert result.exit_code == 1
        assert f"{app_role} may UPDATE audit_event" in result.output
        assert f"{app_role} may DELETE audit_event" in result.output
        assert "the append-only triggers of revision are not enabled" in result.output
    finally:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE revision ENABLE TRIGGER USER")
