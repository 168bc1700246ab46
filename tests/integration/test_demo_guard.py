"""The demo never hands its published password to a real membership (issue 14): it refuses a
database holding data that is not the demo's unless forced, and even forced it creates
accounts only for the members it creates."""

from __future__ import annotations

import sqlalchemy as sa

from consult.auth.models import User
from consult.consultations.models import Consultation
from consult.demo.loader import ADMIN_EMAIL, PASSWORD, delegate_email
from consult.extensions import db
from consult.members.models import Member
from consult.members.services import import_members
from tests.factories import AdminFactory, MemberFactory, RegionFactory


def emails() -> set[str]:
    db.session.rollback()
    return set(db.session.scalars(sa.select(User.email)))


def test_after_a_member_is_imported_the_demo_refuses_and_creates_no_account(runner, auth):
    """The attack: `make run` again after a member was imported through the pages created
    `<code>@delegates.example.org` with the demo password, and it signed in."""
    assert runner.invoke(args=["demo"]).exit_code == 0
    RegionFactory(name="Asia and the Pacific")
    import_members("code,name,kind,region\nNZL,New Zealand,member_state,Asia and the Pacific\n")
    before = emails()
    refused = runner.invoke(args=["demo"])
    assert refused.exit_code == 1
    assert "member NZL" in refused.output
    assert "--force" in refused.output
    assert emails() == before
    assert delegate_email("NZL") not in before
    response = auth.login_form(delegate_email("NZL"), PASSWORD)
    assert response.status_code == 200  # the sign-in form again, not a session


def test_make_run_skips_the_demo_beside_other_data(runner):
    MemberFactory(code="XYZ", name="Xyzland")
    AdminFactory(email="secretariat@example.org")
    skipped = runner.invoke(args=["demo", "--skip-if-not-demo"])
    assert skipped.exit_code == 0
    assert "not loaded" in skipped.output
    assert "member XYZ" in skipped.output
    assert "account secretariat@example.org" in skipped.output
    assert emails() == {"secretariat@example.org"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consultation)) == 0


def test_forced_it_creates_accounts_only_for_the_members_it_creates(runner):
    region = RegionFactory(name="Europe")
    MemberFactory(code="CHE", name="Switzerland", region=region)  # a real member, demo code
    MemberFactory(code="XYZ", name="Xyzland", region=region)
    AdminFactory(email="secretariat@example.org")
    forced = runner.invoke(args=["demo", "--force"])
    assert forced.exit_code == 0, forced.output
    created = emails()
    assert delegate_email("FRA") in created  # a member the demo created
    assert delegate_email("CHE") not in created  # existed before: not the demo's to open
    assert "che.second@delegates.example.org" not in created
    assert delegate_email("XYZ") not in created
    assert ADMIN_EMAIL not in created  # the database had accounts already
    assert db.session.scalar(sa.select(Member.name).where(Member.code == "XYZ")) == "Xyzland"
