"""The audit page and ``consult audit verify`` over the revision chains."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.ballots.models import Revision
from consult.consultations import cycle
from consult.core import audit, clock
from consult.core.actions import LABELS, Action
from consult.core.audit import AuditEvent
from consult.core.database import write_transaction
from consult.core.text import Text
from consult.extensions import db
from tests.conftest import as_owner, csrf_token
from tests.factories import AdminFactory, MemberFactory, UserFactory, build_consultation
from tests.integration.ballot_helpers import post_ballot, ranking_form
from tests.integration.builder_helpers import ADMIN, text


@pytest.fixture
def story(client, auth):
    """Chile submits, the Administration extends the deadline, and a few more events."""
    chile = MemberFactory(code="CHL", name="Chile")
    UserFactory(email="chl@example.org", name="Rosa Chile", member=chile)
    admin = AdminFactory(email=ADMIN, name="IDM Secretariat")
    c = build_consultation()
    other = build_consultation("idm-2011", status="draft")
    auth.login("chl@example.org")
    assert post_ballot(client, "idm-2010", ranking_form(c, {1: "1"})).status_code == 303
    auth.logout()
    cycle.extend_deadline(
        c.id,
        c.closes_at + timedelta(days=3),
        Text("Asked by GRULAC"),
        actor_id=admin.id,
        notify=False,
    )
    auth.login(ADMIN)
    return {"chile": chile, "admin": admin, "c": c, "other": other}


def rows(page: str) -> list[str]:
    return re.findall(r'<tr id="event-(\d+)"', page)


def test_every_submission_and_action_is_listed_with_who_what_when(client, story):
    page = client.get("/admin/audit/")
    assert page.status_code == 200
    body = text(page)
    assert "Response submitted" in body
    assert "Rosa Chile chl@example.org Response submitted idm-2010 CHL · Chile" in body
    assert "IDM Secretariat secretariat@example.org Deadline extended idm-2010" in body
    assert "reason Asked by GRULAC" in body
    assert "(Europe/Zurich)" in body


def test_filters(client, story):
    chile, admin, c = story["chile"], story["admin"], story["c"]
    submitted = text(client.get("/admin/audit/?action=ballot_submitted"))
    assert "Response submitted" in submitted
    assert "Deadline extended" not in submitted.split("Details")[1]
    by_member = client.get(f"/admin/audit/?member={chile.id}").get_data(as_text=True)
    assert len(rows(by_member)) == 1
    by_actor = text(client.get(f"/admin/audit/?actor={admin.id}"))
    assert "Deadline extended" in by_actor.split("Details")[1]
    assert "Response submitted" not in by_actor.split("Details")[1]
    other = client.get(f"/admin/audit/?consultation={story['other'].id}").get_data(as_text=True)
    assert len(rows(other)) == 1  # its creation (import)
    today = clock.now().date().isoformat()
    tomorrow = (clock.now() + timedelta(days=2)).date().isoformat()
    assert rows(client.get(f"/admin/audit/?since={today}").get_data(as_text=True))
    assert not rows(client.get(f"/admin/audit/?since={tomorrow}").get_data(as_text=True))
    assert not rows(client.get("/admin/audit/?until=2001-01-01").get_data(as_text=True))
    everything = rows(client.get("/admin/audit/").get_data(as_text=True))
    combined = rows(
        client.get(
            f"/admin/audit/?consultation={c.id}&member={chile.id}&action=ballot_submitted"
        ).get_data(as_text=True)
    )
    assert len(combined) == 1
    assert set(combined) < set(everything)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("member=abc", "was not understood"),
        ("since=15.12.2009", "Give dates as YYYY-MM-DD"),
        ("since=2010-01-02&until=2010-01-01", "The end date comes before the start date."),
        ("before=-1", "was not understood"),
    ],
)
def test_bad_filters_get_a_clear_message(client, story, query, message):
    response = client.get(f"/admin/audit/?{query}")
    assert response.status_code == 400
    assert message in text(response)


def add_events(n: int) -> None:
    with write_transaction(db.session) as session:
        for i in range(n):
            audit.record(session, Action.NOTICES_QUEUED, number=i)


def count_queries(client, path: str) -> int:
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
    return len(statements)


def test_pages_of_fifty_with_a_fixed_number_of_queries(client, story):
    few = count_queries(client, "/admin/audit/")
    add_events(120)
    many = count_queries(client, "/admin/audit/")
    assert many == few
    first = client.get("/admin/audit/").get_data(as_text=True)
    assert len(rows(first)) == 50
    older = re.search(r'href="([^"]+)">Older events', first).group(1).replace("&amp;", "&")
    second = client.get(older).get_data(as_text=True)
    assert len(rows(second)) == 50
    assert not set(rows(first)) & set(rows(second))
    assert max(map(int, rows(second))) < min(map(int, rows(first)))
    assert "Newest events" in second
    filtered = client.get("/admin/audit/?action=notices_queued").get_data(as_text=True)
    older = re.search(r'href="([^"]+)">Older events', filtered).group(1).replace("&amp;", "&")
    assert "action=notices_queued" in older


# consult audit verify ---------------------------------------------------------------------


def test_verify_reports_intact_chains(runner, story):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "revision chains intact (1 revisions of 1 responses)" in result.output


def test_verify_finds_an_altered_revision(runner, story):
    revision = db.session.scalars(sa.select(Revision)).one()
    content = dict(revision.content, comment="forged")
    as_owner("UPDATE revision SET content = :c", c=json.dumps(content))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert (
        f"revision chain broken: response {revision.response_id} revision 1: does not match its "
        "digest chain (CHL, idm-2010)"
    ) in result.output


def test_verify_finds_a_recomputed_digest_by_its_receipt(runner, story):
    from consult.ballots.receipts import GENESIS, chain_digest

    revision = db.session.scalars(sa.select(Revision)).one()
    content = dict(revision.content, comment="forged")
    digest = chain_digest(GENESIS, revision.response_id, 1, content)
    as_owner("UPDATE revision SET content = :c, digest = :d", c=json.dumps(content), d=digest)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "revision 1: does not match its receipt" in result.output


def test_verify_finds_a_removed_revision(client, auth, runner, story):
    auth.logout()
    auth.login("chl@example.org")
    c = story["c"]
    assert post_ballot(client, "idm-2010", ranking_form(c, {2: "1"})).status_code == 303
    assert post_ballot(client, "idm-2010", ranking_form(c, {3: "1"})).status_code == 303
    as_owner("DELETE FROM revision WHERE number = 2")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "revision 2: is missing" in result.output
    assert "revision 3: does not match its digest chain" in result.output


def test_verify_still_finds_an_altered_audit_event(runner, story):
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).first()
    as_owner(
        "UPDATE audit_event SET details = :d WHERE id = :id", d='{"forged": true}', id=event.id
    )
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"audit chain broken at event(s): {event.id}" in result.output


def test_verify_finds_answers_changed_behind_the_revisions(runner, story):
    from consult.ballots.models import Answer

    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    answer = db.session.scalars(sa.select(Answer).where(Answer.rank == 1)).one()
    other = next(o for o in story["c"].questions[0].options if o.id != answer.option_id)
    answer.option_id = other.id
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "revision 1: differs from the answers the tallies count (CHL, idm-2010)" in result.output


def test_verify_is_intact_after_the_demo(runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "revision chains intact (11 revisions of 12 responses)" in result.output


def test_an_action_outside_the_enum_is_refused(app):
    with pytest.raises(ValueError, match="not a valid Action"), write_transaction(db.session) as s:
        audit.record(s, "made_up_action")


def test_actions_and_details_read_in_the_reader_language(client, story):
    """Every action has a name, and the page words actions and details in French."""
    assert set(LABELS) == set(Action)
    client.post("/language", data={"lang": "fr", "csrf_token": csrf_token(client, "/")})
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert "Réponse soumise" in page
    assert "<dt>révision</dt>" in page
