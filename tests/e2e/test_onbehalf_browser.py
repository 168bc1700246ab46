"""The secretariat enters Kenya's answer from a note verbale with its scan, sees it marked on
the results page, and a Kenyan delegate sees it and revises it, in Chromium."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from consult.ballots import onbehalf
from consult.ballots.models import Entry, Response, Revision
from consult.core import clock
from consult.extensions import db
from consult.mail.models import OutboxMessage
from tests import document_files as samples
from tests.e2e.test_browser import sign_in
from tests.factories import AdminFactory, MemberFactory, UserFactory, build_consultation

SCAN = samples.pdf("Note verbale NV/KEN/2010/17")
MARK = re.compile(
    r"Entered by the secretariat \(IDM Secretariat\) from note verbale NV/KEN/2010/17"
)


def test_secretariat_enters_kenyas_note_verbale_and_a_kenyan_delegate_revises_it(
    page, page_without_js, live, tmp_path
):
    AdminFactory(email="admin@example.org", name="IDM Secretariat")
    kenya = MemberFactory(code="KEN", name="Kenya")
    UserFactory(email="ken@example.org", name="Wanjiru Kamau", member=kenya)
    c = build_consultation()
    scan = tmp_path / "NV-KEN-2010-17.pdf"
    scan.write_bytes(SCAN)
    received = onbehalf.today(clock.now(), "Europe/Zurich").isoformat()
    admin, delegate = page, page_without_js

    # From the results page, the secretariat opens Kenya's ballot.
    sign_in(admin, live, "admin@example.org", "/admin/consultations/idm-2010/results")
    admin.get_by_label("Enter the response received from").select_option(label="Kenya (KEN)")
    admin.get_by_role("button", name="Open its ballot").click()
    expect(admin.get_by_text("You are entering the response of Kenya (KEN)")).to_be_visible()

    # The same ballot as the delegates', with its ranking buttons.
    admin.get_by_role("button", name="Add to ranking: Migration and Social Change").click()
    admin.get_by_role("button", name="Add to ranking: South-South Migration").click()
    admin.get_by_label("Workshop 2").check()
    admin.get_by_label("Workshop 4").check()
    # Where it came from; the reference forgotten at first.
    admin.get_by_label("Note verbale").check()
    admin.get_by_label("Date of receipt").fill(received)
    admin.get_by_label("Scanned document").set_input_files(str(scan))
    admin.get_by_role("button", name="Record the response").click()
    summary = admin.locator("#error-summary")
    expect(summary).to_contain_text("Reference: this is required.")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 0
    # What was typed is kept; the file must be chosen again.
    expect(admin.get_by_label("Date of receipt")).to_have_value(received)
    admin.get_by_label("Reference").fill("NV/KEN/2010/17")
    admin.get_by_label("Scanned document").set_input_files(str(scan))
    admin.get_by_role("button", name="Record the response").click()
    expect(admin.get_by_text("The response of Kenya is recorded as revision 1")).to_be_visible()
    expect(admin.locator(".entry-mark").first).to_have_text(MARK)

    # Marked on the results page, with the scan.
    admin.get_by_role("link", name="Back to the results").click()
    entered = admin.get_by_role("region", name="Responses entered by the secretariat")
    expect(entered.get_by_role("row", name=re.compile("Kenya"))).to_contain_text(MARK)
    with admin.expect_download() as downloading:
        entered.get_by_role("link", name="Scanned document").click()
    download = downloading.value
    assert download.suggested_filename == "NV-KEN-2010-17.pdf"
    saved = tmp_path / "downloaded.pdf"
    download.save_as(saved)
    assert saved.read_bytes() == SCAN
    db.session.rollback()
    assert db.session.scalars(sa.select(OutboxMessage.recipient)).all() == ["ken@example.org"]

    # The Kenyan delegate sees it, without JavaScript, and revises it.
    sign_in(delegate, live, "ken@example.org", "/consultations/idm-2010")
    expect(delegate.locator(".entry-mark")).to_have_text(MARK)
    delegate.get_by_label("Rank for South-South Migration").select_option("1")
    delegate.get_by_label("Rank for Migration and Social Change").select_option("2")
    delegate.get_by_role("button", name="Submit the response").click()
    expect(delegate.get_by_role("heading", name="Receipt", exact=True)).to_be_visible()
    expect(delegate.get_by_text("It is revision 2, and it is the one that counts.")).to_be_visible()
    history = delegate.locator("table.revisions")
    expect(history.get_by_role("row", name=re.compile(r"^1 "))).to_contain_text(MARK)
    expect(history.get_by_role("row", name=re.compile(r"^2 "))).to_contain_text("Wanjiru Kamau")

    db.session.rollback()
    response = db.session.scalars(sa.select(Response)).one()
    assert response.revision == 2
    assert response.submitted_by.name == "Wanjiru Kamau"
    entry = db.session.scalars(sa.select(Entry)).one()
    assert (entry.revision, entry.reference, entry.late) == (1, "NV/KEN/2010/17", False)
    first, second = db.session.scalars(sa.select(Revision).order_by(Revision.number)).all()
    q = c.questions[0]
    assert first.content["questions"][0]["ranking"] == [q.options[1].id, q.options[0].id]
    assert second.content["questions"][0]["ranking"] == [q.options[0].id, q.options[1].id]

    # The results page no longer lists Kenya's entry: the delegate's revision counts now.
    admin.reload()
    expect(
        admin.get_by_role("region", name="Responses entered by the secretariat")
    ).to_contain_text("None of the responses that count was entered by the secretariat.")


def test_the_officer_reaches_the_entry_from_the_lists_and_reads_it_in_the_audit_log(
    page_without_js, live
):
    """Without JavaScript: from the reminders list to Kenya's entry page, then "Enter a
    revision received" on the participation list, and the audit log in words."""
    AdminFactory(email="admin@example.org", name="IDM Secretariat")
    kenya = MemberFactory(code="KEN", name="Kenya")
    UserFactory(email="ken@example.org", member=kenya)
    build_consultation()
    received = onbehalf.today(clock.now(), "Europe/Zurich")
    admin = page_without_js
    sign_in(admin, live, "admin@example.org", "/admin/consultations/idm-2010/reminders")
    admin.get_by_role("link", name="Enter a response received (Kenya)").click()
    expect(admin.get_by_text("You are entering the response of Kenya (KEN)")).to_be_visible()
    admin.get_by_label("Rank for South-South Migration").select_option("1")
    admin.get_by_label("Workshop 2").check()
    admin.get_by_label("Workshop 4").check()
    admin.get_by_label("Letter").check()
    admin.get_by_label("Date of receipt").fill(received.isoformat())
    admin.get_by_label("Reference").fill("L/KEN/3")
    admin.get_by_role("button", name="Record the response").click()
    expect(admin.get_by_text("The response of Kenya is recorded as revision 1")).to_be_visible()

    admin.goto(f"{live}/admin/consultations/idm-2010/results")
    admin.get_by_text("1 invited member has submitted").click()  # a <details>, no script
    admin.get_by_role("link", name="Enter a revision received (Kenya)").click()
    expect(admin.get_by_text("You are entering the response of Kenya (KEN)")).to_be_visible()

    admin.goto(f"{live}/admin/audit/?action=ballot_submitted")
    details = admin.locator("tbody tr").first.locator("dl.details")
    expect(details).to_contain_text("by the secretariat, on behalf of the member")
    expect(details).to_contain_text("Received as")
    expect(details).to_contain_text("Letter")
    expect(details).to_contain_text("L/KEN/3")
