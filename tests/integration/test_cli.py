"""The consult command group: demo, users, members, migrations, audit."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consult.auth.models import User
from consult.ballots.models import Response
from consult.consultations.models import Consultation
from consult.extensions import db
from consult.members.models import Member
from tests.conftest import as_owner


def test_demo_loads_story_and_is_idempotent(runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    counts = (
        db.session.scalar(sa.select(sa.func.count()).select_from(Member)),
        db.session.scalar(sa.select(sa.func.count()).select_from(User)),
        db.session.scalar(sa.select(sa.func.count()).select_from(Response)),
    )
    assert counts[0] >= 30
    slugs = set(db.session.scalars(sa.select(Consultation.slug)))
    assert slugs == {"idm-2010-theme", "idm-2010-workshops", "idm-effectiveness-survey"}
    theme = db.session.scalar(sa.select(Consultation).where(Consultation.slug == "idm-2010-theme"))
    assert [o.label for o in theme.questions[0].options] == [
        "South-South Migration",
        "Migration and Social Change",
    ]
    france = db.session.scalar(sa.select(Member).where(Member.code == "CIV"))
    assert france.localized("name", "fr") == "Côte d'Ivoire"
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0
    assert counts == (
        db.session.scalar(sa.select(sa.func.count()).select_from(Member)),
        db.session.scalar(sa.select(sa.func.count()).select_from(User)),
        db.session.scalar(sa.select(sa.func.count()).select_from(Response)),
    )


def test_users_create_with_password_from_stdin(runner, client, auth):
    runner.invoke(args=["demo"])
    result = runner.invoke(
        args=[
            "users",
            "create",
            "new@example.org",
            "--role",
            "delegate",
            "--member",
            "SEN",
            "--password-stdin",
        ],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert auth.login_form("new@example.org", "a long enough password").status_code == 302


@pytest.mark.parametrize("password", ["too short", "x" * 201])
def test_users_create_refuses_a_password_outside_the_rule_and_creates_nothing(runner, password):
    result = runner.invoke(
        args=["users", "create", "new@example.org", "--role", "admin", "--password-stdin"],
        input=password + "\n",
    )
    assert result.exit_code != 0
    assert "the password needs between 10 and 200 characters" in result.output
    assert db.session.scalar(sa.select(User).where(User.email == "new@example.org")) is None


def test_users_create_refuses_unknown_member(runner):
    result = runner.invoke(
        args=["users", "create", "x@example.org", "--role", "delegate", "--member", "ZZZ"]
    )
    assert result.exit_code != 0
    assert "no member with code ZZZ" in result.output


def test_members_import_reports_bad_line_and_imports_nothing(runner, tmp_path):
    path = tmp_path / "members.csv"
    path.write_text(
        "code,name,kind,region\nFRA,France,member_state,Europe\nXX,Bad,planet,Europe\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["members", "import", str(path)])
    assert result.exit_code != 0
    assert "line 3" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 0


def test_members_import_names_states_in_three_languages(runner, tmp_path):
    path = tmp_path / "members.csv"
    path.write_text("code,name,kind,region\nDEU,,member_state,Europe\n", encoding="utf-8")
    refused = runner.invoke(args=["members", "import", str(path)])
    assert refused.exit_code == 1
    assert "line 2: The region “Europe” is not in the list of regions." in refused.output
    assert db.session.scalar(sa.select(Member)) is None
    result = runner.invoke(args=["members", "import", str(path), "--new-region", "Europe"])
    assert result.exit_code == 0, result.output
    germany = db.session.scalar(sa.select(Member))
    assert (germany.name, germany.localized("name", "fr"), germany.localized("name", "es")) == (
        "Germany",
        "Allemagne",
        "Alemania",
    )


def test_audit_verify_detects_tampering(runner):
    from consult.core.audit import AuditEvent

    runner.invoke(args=["demo"])
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id).limit(1)).one()
    as_owner(
        "UPDATE audit_event SET details = :d WHERE id = :id", d='{"forged": true}', id=event.id
    )
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "broken" in result.output


def test_migrations_match_models(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata
        )
    assert diff == []
