"""The end of the audit trail is anchored (AUD-5): heads recorded in receipts, checkpoints and
filed statements show a trail cut short or rewritten."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
import sqlalchemy as sa

from consult.ballots.models import Revision
from consult.consultations import cycle
from consult.core import audit
from consult.core.actions import Action
from consult.core.anchors import parse_statement
from consult.core.audit import AuditCheckpoint, AuditEvent
from consult.core.database import write_transaction
from consult.extensions import db
from tests.conftest import as_owner, csrf_token
from tests.factories import (
    AdminFactory,
    MemberFactory,
    UserFactory,
    build_consultation,
    official_winners,
)
from tests.integration.ballot_helpers import post_ballot, ranking_form
from tests.integration.builder_helpers import ADMIN


@pytest.fixture
def chile(client, auth):
    member = MemberFactory(code="CHL", name="Chile")
    UserFactory(email="chl@example.org", member=member)
    AdminFactory(email=ADMIN)
    c = build_consultation()
    auth.login("chl@example.org")
    return c


def newest_seq() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.max(AuditEvent.seq))) or 0


def add_events(n: int) -> None:
    with write_transaction(db.session) as session:
        for i in range(n):
            audit.record(session, Action.NOTICES_QUEUED, number=i)


def verify(runner, *args: str):
    return runner.invoke(args=["audit", "verify", *args])


def test_an_intact_trail_counts_its_recorded_heads(client, runner, chile):
    assert post_ballot(client, "idm-2010", ranking_form(chile, {1: "1"})).status_code == 303
    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert re.search(r"audit chain intact \(\d+ events, 1 recorded heads\)", result.output)


@pytest.mark.parametrize("cut", [1, 20])
def test_the_newest_events_deleted_are_named_from_a_receipt(client, runner, chile, cut):
    add_events(25)
    assert post_ballot(client, "idm-2010", ranking_form(chile, {1: "1"})).status_code == 303
    last = newest_seq()
    (revision,) = db.session.scalars(sa.select(Revision)).all()
    assert revision.audit_seq == last
    as_owner("DELETE FROM audit_event WHERE seq > :keep", keep=last - cut)
    result = verify(runner)
    assert result.exit_code == 1
    gone = f"event {last} is" if cut == 1 else f"events {last - cut + 1}–{last} are"
    assert (
        f"audit trail truncated: it ends at event {last - cut}, but event {last} is recorded in "
        f"the receipt of response {revision.response_id} revision 1 (CHL, idm-2010): {gone} missing"
    ) in result.output


def test_a_checkpoint_names_the_missing_range_when_receipts_are_older(client, auth, runner, chile):
    assert post_ballot(client, "idm-2010", ranking_form(chile, {1: "1"})).status_code == 303
    auth.logout()
    auth.login(ADMIN)
    token = csrf_token(client, "/admin/consultations/idm-2010/results")
    exported = client.post(
        "/admin/consultations/idm-2010/export/results.csv", data={"csrf_token": token}
    )
    assert exported.status_code == 200
    assert exported.data.startswith(b"\xef\xbb\xbfquestion")
    head = exported.headers["Consult-Audit-Head"]
    add_events(5)
    seq = int(head.split()[0])
    (checkpoint,) = db.session.scalars(sa.select(AuditCheckpoint)).all()
    assert (checkpoint.seq, checkpoint.digest) == (seq, head.split()[1])
    as_owner("DELETE FROM audit_event WHERE seq >= :first", first=seq - 1)
    result = verify(runner)
    assert result.exit_code == 1
    assert (
        f"it ends at event {seq - 2}, but event {seq} is recorded in checkpoint {checkpoint.id} "
        f"(results_exported): events {seq - 1}–{seq} are missing"
    ) in result.output


def test_a_tail_cut_and_written_again_shows_as_rewritten(client, runner, chile):
    assert post_ballot(client, "idm-2010", ranking_form(chile, {1: "1"})).status_code == 303
    last = newest_seq()
    as_owner("DELETE FROM audit_event WHERE seq = :last", last=last)
    add_events(3)  # the application goes on; the chain itself is intact again
    result = verify(runner)
    assert result.exit_code == 1
    assert f"audit trail rewritten: event {last} no longer has the digest recorded in" in (
        result.output
    )
    assert "truncated" not in result.output


def test_a_filed_statement_finds_a_trail_cut_with_its_receipts_and_checkpoints(
    client, runner, chile, tmp_path
):
    assert post_ballot(client, "idm-2010", ranking_form(chile, {1: "1"})).status_code == 303
    issued = runner.invoke(args=["audit", "statement", "--new"])
    assert issued.exit_code == 0, issued.output
    statement = parse_statement(issued.output)
    filed = tmp_path / "statement.txt"
    filed.write_text("Forwarded message\n\n" + issued.output)
    add_events(2)
    as_owner("DELETE FROM audit_checkpoint")
    as_owner("DELETE FROM revision")
    as_owner("DELETE FROM response")
    as_owner("DELETE FROM audit_event WHERE seq >= :first", first=statement.head.seq - 1)
    assert verify(runner).exit_code == 0  # nothing left inside the database shows it
    result = verify(runner, "--statement", str(filed))
    assert result.exit_code == 1
    assert (
        f"but event {statement.head.seq} is recorded in the statement statement.txt"
        in result.output
    )


def test_an_altered_statement_is_refused(client, runner, chile, tmp_path):
    issued = runner.invoke(args=["audit", "statement", "--new"]).output
    filed = tmp_path / "statement.txt"
    filed.write_text(re.sub(r"event: (\d+)", lambda m: f"event: {int(m[1]) - 1}", issued))
    result = verify(runner, "--statement", str(filed))
    assert result.exit_code == 1
    assert "the signature does not match" in result.output
    filed.write_text("no statement here")
    assert "no statement found" in verify(runner, "--statement", str(filed)).output


def test_statements_print_the_newest_or_a_given_checkpoint(runner, chile):
    assert "no checkpoint yet" in runner.invoke(args=["audit", "statement"]).output
    first = runner.invoke(args=["audit", "statement", "--new"]).output
    second = runner.invoke(args=["audit", "statement", "--new"]).output
    assert runner.invoke(args=["audit", "statement"]).output == second
    number = db.session.scalar(
        sa.select(AuditCheckpoint.id).where(AuditCheckpoint.seq == parse_statement(first).head.seq)
    )
    assert runner.invoke(args=["audit", "statement", str(number)]).output == first
    assert parse_statement(second).head.seq == parse_statement(first).head.seq + 1
    assert first.startswith("consult audit statement\ntime: ")
    assert "\nreason: audit_statement_issued\n" in first


def test_exports_carry_the_signed_statement(client, auth, runner, chile, tmp_path):
    auth.logout()
    auth.login(ADMIN)
    token = csrf_token(client, "/admin/consultations/idm-2010/results")
    archive = client.post("/admin/consultations/idm-2010/export.zip", data={"csrf_token": token})
    assert archive.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(archive.data)).namelist()
    assert "idm-2010-audit-statement.txt" in names
    text = zipfile.ZipFile(io.BytesIO(archive.data)).read("idm-2010-audit-statement.txt")
    statement = parse_statement(text.decode())
    assert (statement.reason, statement.consultation) == ("results_exported", "idm-2010")
    out = runner.invoke(args=["export", "idm-2010", "--out", str(tmp_path)])
    assert out.exit_code == 0, out.output
    filed = tmp_path / "idm-2010-audit-statement.txt"
    assert parse_statement(filed.read_text()).head.seq == statement.head.seq + 1
    assert verify(runner, "--statement", str(filed)).exit_code == 0


def test_outcome_and_publication_write_checkpoints_shown_with_the_results(client, auth, chile):
    from consult.consultations.document import Text
    from consult.core import clock

    assert post_ballot(client, "idm-2010", ranking_form(chile, {1: "1"})).status_code == 303
    admin_id = db.session.scalar(sa.select(AuditEvent.actor_id).where(AuditEvent.actor_id > 0))
    c = chile
    cycle.close_consultation(c.id, actor_id=admin_id, reason=Text("The Council meets earlier."))
    cycle.record_outcome(
        c.id,
        Text(en="South-South Migration"),
        Text(en=""),
        actor_id=admin_id,
        selected=official_winners(c.id),
    )
    cycle.publish(c.id, actor_id=admin_id, notify=False)
    reasons = db.session.scalars(sa.select(AuditCheckpoint.reason).order_by(AuditCheckpoint.id))
    assert list(reasons) == ["outcome_recorded", "consultation_published"]
    published = db.session.scalars(
        sa.select(AuditCheckpoint).where(AuditCheckpoint.reason == "consultation_published")
    ).one()
    page = client.get("/consultations/idm-2010/results").get_data(as_text=True)
    assert (
        f"Recorded in the audit trail at event {published.seq}, digest {published.digest}."
    ) in page
    assert clock.now()


def test_the_receipt_page_says_whether_the_trail_still_holds_the_submission(client, chile):
    assert post_ballot(client, "idm-2010", ranking_form(chile, {1: "1"})).status_code == 303
    (revision,) = db.session.scalars(sa.select(Revision)).all()
    page = client.get("/consultations/idm-2010/receipt").get_data(as_text=True)
    assert (
        f"Recorded in the audit trail as event {revision.audit_seq}, digest "
        f"{revision.audit_digest}."
    ) in page
    checked = client.get(
        "/consultations/idm-2010/receipt", query_string={"code": revision.receipt}
    ).get_data(as_text=True)
    assert f"The audit trail still holds this submission (event {revision.audit_seq})." in checked
    as_owner("DELETE FROM audit_event WHERE seq = :seq", seq=revision.audit_seq)
    checked = client.get(
        "/consultations/idm-2010/receipt", query_string={"code": revision.receipt}
    ).get_data(as_text=True)
    assert f"The audit trail no longer holds event {revision.audit_seq}" in checked
    assert 'role="alert"' in checked


def test_the_receipt_mail_carries_the_head(client, chile, mailbox):
    from tests.smtp import html_of, text_of

    assert post_ballot(client, "idm-2010", ranking_form(chile, {1: "1"})).status_code == 303
    (revision,) = db.session.scalars(sa.select(Revision)).all()
    (message,) = mailbox.wait(1)
    line = (
        f"Recorded in the audit trail as event {revision.audit_seq}, digest "
        f"{revision.audit_digest}."
    )
    assert line in text_of(message)
    assert line in html_of(message)


def test_the_secretariat_downloads_a_signed_statement_from_the_audit_page(
    client, auth, runner, chile, tmp_path
):
    auth.logout()
    auth.login(ADMIN)
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert "Download a signed statement" in page
    token = csrf_token(client, "/admin/audit/")
    response = client.post("/admin/audit/statement", data={"csrf_token": token})
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.headers["Content-Disposition"] == 'attachment; filename="audit-statement.txt"'
    statement = parse_statement(response.get_data(as_text=True))
    assert statement.reason == "audit_statement_issued"
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert (event.seq, event.digest, event.action) == (
        statement.head.seq,
        statement.head.digest,
        "audit_statement_issued",
    )
    assert event.actor_id is not None
    filed = tmp_path / "statement.txt"
    filed.write_bytes(response.data)
    assert verify(runner, "--statement", str(filed)).exit_code == 0
    assert client.post("/admin/audit/statement").status_code == 400  # no CSRF token
