"""In Chromium: the officer closes early through the confirmation page, records an outcome that
departs from the official winner (the reason is required), publishes after the confirmation
page; and the confirmation pages work without JavaScript."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import expect

from consult.consultations.lifecycle import Status
from consult.consultations.models import Consultation
from consult.extensions import db
from consult.members.models import Member
from tests.e2e.test_browser import sign_in
from tests.factories import AdminFactory, MemberFactory, UserFactory, build_consultation
from tests.integration.results_helpers import cast


def stored(slug: str = "idm-2010") -> Consultation:
    db.session.rollback()
    return db.session.scalars(sa.select(Consultation).where(Consultation.slug == slug)).one()


def test_officer_closes_records_a_departing_outcome_and_publishes(page, page_without_js, live):
    AdminFactory(email="admin@example.org")
    members = [MemberFactory(code=code) for code in ("CIV", "SEN")]
    UserFactory(email="civ@example.org", member=members[0], locale="fr")
    c = build_consultation()
    cast(c, members[0], ranking=[2, 1])
    cast(c, members[1], ranking=[2])
    admin, delegate = page, page_without_js

    # Close early: the confirmation page states the consequences and asks for the reason.
    sign_in(admin, live, "admin@example.org", "/admin/consultations/idm-2010")
    admin.get_by_role("link", name="Close now, before the deadline").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(
        "Close the consultation before its deadline?"
    )
    expect(admin.get_by_text("Delegates can no longer submit or revise responses")).to_be_visible()
    expect(admin.get_by_label("Notify the invited delegates by e-mail")).to_be_checked()
    admin.get_by_role("button", name="Close the consultation now").click()
    expect(admin.locator("#error-summary")).to_contain_text("This field is required.")
    assert stored().status is Status.OPEN
    admin.get_by_role("group", name="Reason for closing before the deadline").get_by_label(
        "English"
    ).fill("The Council meets earlier.")
    admin.get_by_role("button", name="Close the consultation now").click()
    expect(
        admin.get_by_text("The consultation is closed. Record its outcome next.")
    ).to_be_visible()
    expect(admin.get_by_text("Closed early on")).to_contain_text("The Council meets earlier.")

    # The outcome starts from the official result; naming another option needs a reason.
    admin.get_by_role("link", name="Record the outcome").click()
    outcome = admin.get_by_role("group", name="Outcome", exact=True)
    expect(outcome.get_by_label("English")).to_have_value(
        "Question 1: the membership has selected *Migration and Social Change*."
    )
    expect(outcome.get_by_label("French")).to_contain_text("Migration et changement social")
    winner = admin.get_by_role("checkbox", name="Migration and Social Change official result")
    expect(winner).to_be_checked()
    winner.uncheck()
    admin.get_by_role("checkbox", name="Migration and Health").check()
    outcome.get_by_label("English").fill("The membership has selected *Migration and Health*.")
    admin.get_by_role("button", name="Record the outcome").click()
    expect(admin.locator("#error-summary")).to_contain_text(
        "The options selected differ from the official result of question 1"
    )
    assert stored().outcome == ""
    admin.get_by_role(
        "group", name="Why the outcome departs from the official result"
    ).get_by_label("English").fill("Health follows the WHA resolution.")
    admin.get_by_role("button", name="Record the outcome").click()
    expect(admin.get_by_text("The outcome has been recorded.")).to_be_visible()

    # Publish after the confirmation page.
    admin.get_by_role("link", name="Publish the outcome and the results").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(
        "Publish the outcome and the results?"
    )
    admin.get_by_role("button", name="Publish the outcome and the results").click()
    expect(admin.get_by_text("The outcome and the results have been published.")).to_be_visible()
    assert stored().status is Status.PUBLISHED

    # The delegate, without JavaScript, reads the outcome with its reason.
    sign_in(delegate, live, "civ@example.org", "/consultations/idm-2010")
    section = delegate.locator("section.outcome")
    expect(section).to_contain_text("Health follows the WHA resolution.")
    expect(section).to_contain_text("Pourquoi la décision s’écarte du résultat officiel")


def test_confirmation_pages_work_without_javascript(page_without_js, live):
    AdminFactory(email="admin@example.org")
    MemberFactory(code="MEX", name="Mexico")
    build_consultation(status="draft")
    admin = page_without_js

    # Remove a question: cancel first, then confirm.
    sign_in(admin, live, "admin@example.org", "/admin/consultations/idm-2010")
    admin.get_by_role("link", name="Remove question 4").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Remove question 4?")
    expect(admin.get_by_text("The removal is recorded in the audit log")).to_be_visible()
    admin.get_by_role("link", name="Cancel, go back").click()
    assert len(stored().questions) == 4
    admin.get_by_role("link", name="Remove question 4").click()
    admin.get_by_role("button", name="Remove the question").click()
    expect(admin.get_by_text("The question has been removed.")).to_be_visible()
    assert len(stored().questions) == 3

    # Open: the confirmation page carries the choices of the action.
    admin.get_by_role("link", name="Open the consultation").click()
    admin.get_by_label("Notify the invited delegates by e-mail").uncheck()
    admin.get_by_role("button", name="Open the consultation").click()
    expect(admin.get_by_text("The consultation is open.")).to_be_visible()
    assert stored().status is Status.OPEN

    # Deactivate a member.
    mexico = db.session.scalars(sa.select(Member).where(Member.code == "MEX")).one()
    admin.goto(f"{live}/admin/members/{mexico.id}")
    admin.get_by_role("link", name="Deactivate this member").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Deactivate Mexico?")
    admin.get_by_role("button", name="Deactivate this member").click()
    db.session.rollback()
    assert db.session.get(Member, mexico.id).active is False
