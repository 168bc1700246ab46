"""The whole cycle in Chromium: build, open, answer, close, decide, publish, read the outcome."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from consult.auth.models import User
from consult.ballots.models import Response, ResponseStatus
from consult.consultations.lifecycle import Status
from consult.consultations.models import Consultation
from consult.extensions import db
from tests.e2e.test_browser import sign_in
from tests.factories import (
    AdminFactory,
    MemberFactory,
    UserFactory,
    build_consultation,
    official_winners,
)


def stored(slug: str) -> Consultation:
    db.session.rollback()
    return db.session.scalars(sa.select(Consultation).where(Consultation.slug == slug)).one()


def test_administrator_runs_the_cycle_and_the_delegate_reads_the_outcome_in_spanish(
    page, page_without_js, live
):
    AdminFactory(email="admin@example.org", name="IDM Secretariat")
    mexico = MemberFactory(code="MEX", name="Mexico", translations={"es": {"name": "México"}})
    UserFactory(email="mex@example.org", name="Delegada de México", member=mexico, locale="es")
    admin, delegate = page, page_without_js

    # Build: a draft with a ranking question and a free-text question.
    sign_in(admin, live, "admin@example.org")
    admin.get_by_role("link", name="New consultation").first.click()
    admin.get_by_label("Short name (in addresses)").fill("idm-2010-theme")
    title = admin.get_by_role("group", name="Title")
    title.get_by_label("English").fill("IDM 2010: choice of the overarching theme")
    title.get_by_label("French").fill("DIM 2010 : choix du thème général")
    title.get_by_label("Spanish").fill("DIM 2010: elección del tema general")
    admin.get_by_label("Reference document symbol").fill("IC/2009/1")
    admin.get_by_role("group", name="Summary and background").get_by_label("English").fill(
        "Please rank the **two themes**."
    )
    admin.get_by_label("Deadline").fill("2030-12-15T18:00")
    admin.get_by_role("button", name="Create the draft").click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("IDM 2010")
    expect(admin.get_by_text("15 December 2030, 18:00 CET (Europe/Zurich)")).to_be_visible()

    admin.get_by_label("Add a question").select_option("ranking")
    admin.get_by_role("button", name="Continue").click()
    admin.get_by_role("group", name="Question").get_by_label("English").fill(
        "Rank the proposed themes"
    )
    admin.get_by_role("group", name="Question").get_by_label("Spanish").fill(
        "Clasifique los temas propuestos"
    )
    admin.get_by_label("Members may suggest an alternative (write-in)").check()
    admin.get_by_label("Options, one per line").fill(
        "South-South Migration\nMigration and Social Change"
    )
    admin.get_by_role("button", name="Add the question").click()
    expect(admin.get_by_text("The question has been added.")).to_be_visible()
    admin.get_by_role("link", name="Edit “Migration and Social Change”").click()
    admin.get_by_role("group", name="Label").get_by_label("Spanish").fill(
        "Migración y cambio social"
    )
    admin.get_by_role("button", name="Save the option").click()

    admin.get_by_role("link", name="IDM 2010: choice of the overarching theme").first.click()
    admin.get_by_label("Add a question").select_option("text")
    admin.get_by_role("button", name="Continue").click()
    admin.get_by_role("group", name="Question").get_by_label("English").fill(
        "Suggestions for case studies and speakers"
    )
    admin.get_by_role("button", name="Add the question").click()
    admin.get_by_role("link", name="IDM 2010: choice of the overarching theme").first.click()
    expect(admin.get_by_role("heading", name="2. Suggestions for case studies")).to_be_visible()

    # The preview shows the ballot as the delegate will see it.
    admin.get_by_role("link", name="Preview as a member state").click()
    expect(
        admin.get_by_role("button", name="Add to ranking: South-South Migration")
    ).to_be_visible()
    expect(admin.get_by_role("button", name="Submit the response")).to_have_count(0)
    admin.go_back()

    # Open it now, through the confirmation page.
    admin.get_by_role("link", name="Open the consultation").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Open the consultation?")
    admin.get_by_label("Notify the invited delegates by e-mail").uncheck()
    admin.get_by_role("button", name="Open the consultation").click()
    expect(admin.get_by_text("The consultation is open.")).to_be_visible()
    assert stored("idm-2010-theme").status is Status.OPEN

    # The delegate answers, in Spanish, without JavaScript.
    sign_in(delegate, live, "mex@example.org")
    delegate.get_by_role("link", name="DIM 2010: elección del tema general").click()
    expect(delegate.get_by_role("heading", level=1)).to_have_text(
        "DIM 2010: elección del tema general"
    )
    delegate.get_by_label("Puesto para Migración y cambio social").select_option("1")
    delegate.get_by_label("Puesto para South-South Migration").select_option("2")
    delegate.get_by_role("button", name="Enviar la respuesta").click()
    expect(delegate.locator("#receipt-code")).to_have_text(
        re.compile(r"[A-Z2-7]{5}(-[A-Z2-7]{5}){3}")
    )
    db.session.rollback()
    assert db.session.scalars(sa.select(Response)).one().status is ResponseStatus.SUBMITTED

    # Before publication the delegate sees no outcome.
    delegate.goto(f"{live}/consultations/idm-2010-theme")
    expect(delegate.locator("section.outcome")).to_have_count(0)

    # Close, record the outcome in three languages, publish (from the page the opening left).
    admin.get_by_role("link", name="Close now, before the deadline").click()
    admin.get_by_role("group", name="Reason for closing before the deadline").get_by_label(
        "English"
    ).fill("The Council meets earlier.")
    admin.get_by_label("Notify the invited delegates by e-mail").uncheck()
    admin.get_by_role("button", name="Close the consultation now").click()
    expect(
        admin.get_by_text("The consultation is closed. Record its outcome next.")
    ).to_be_visible()
    admin.get_by_role("link", name="Record the outcome").click()
    outcome = admin.get_by_role("group", name="Outcome", exact=True)
    outcome.get_by_label("English").fill(
        "The membership has selected *Migration and Social Change* as the overarching theme "
        "for 2010."
    )
    outcome.get_by_label("French").fill(
        "Les membres ont retenu *Migration et changement social* comme thème général pour 2010."
    )
    outcome.get_by_label("Spanish").fill(
        "Los miembros han elegido *Migración y cambio social* como tema general para 2010."
    )
    admin.get_by_role("group", name="Rationale (Markdown)").get_by_label("Spanish").fill(
        "Obtuvo la mayoría de las primeras preferencias."
    )
    admin.get_by_role("button", name="Record the outcome").click()
    expect(admin.get_by_text("The outcome has been recorded.")).to_be_visible()
    admin.get_by_role("link", name="Publish the outcome and the results").click()
    admin.get_by_role("button", name="Publish the outcome and the results").click()
    expect(admin.get_by_text("The outcome and the results have been published.")).to_be_visible()
    assert stored("idm-2010-theme").status is Status.PUBLISHED

    # The delegate reads the outcome in Spanish, on the consultation and on the home page.
    delegate.reload()
    section = delegate.locator("section.outcome")
    expect(section).to_contain_text(
        "Los miembros han elegido Migración y cambio social como tema general para 2010."
    )
    expect(section.locator("em")).to_have_text("Migración y cambio social")
    expect(section).to_contain_text("Obtuvo la mayoría de las primeras preferencias.")
    delegate.goto(f"{live}/")
    expect(delegate.get_by_text("Los miembros han elegido")).to_be_visible()


def test_follow_up_round_with_a_promoted_suggestion_and_a_merge(page, live):
    from consult.consultations import cycle
    from consult.consultations.document import Text
    from tests.integration.builder_helpers import submit

    AdminFactory(email="admin@example.org")
    users = {
        code: UserFactory(member=MemberFactory(code=code, name=name))
        for code, name in (("ARG", "Argentina"), ("PHL", "Philippines"))
    }
    c = build_consultation("idm-2010-theme")
    submit("idm-2010-theme", users["ARG"], {2: 1}, "Migration and climate change")
    submit("idm-2010-theme", users["PHL"], {2: 1}, "migration and climate change")
    admin_id = db.session.scalar(sa.select(User.id).where(User.email == "admin@example.org"))
    cycle.close_consultation(c.id, actor_id=admin_id, reason=Text("The Council meets earlier."))
    cycle.record_outcome(
        c.id,
        Text("Migration and Social Change."),
        Text(),
        actor_id=admin_id,
        selected=official_winners(c.id),
    )
    cycle.publish(c.id, actor_id=admin_id, notify=False)

    sign_in(page, live, "admin@example.org", "/admin/consultations/idm-2010-theme")
    page.get_by_role("link", name="Start a follow-up round").click()
    page.get_by_label("Short name (in addresses)").fill("idm-2010-workshops")
    page.get_by_role("group", name="Title").get_by_label("English").fill(
        "IDM 2010: intersessional workshops"
    )
    page.get_by_label("Kind of the new question").select_option("choose")
    page.get_by_role("group", name="The new question").get_by_label("English").fill(
        "Choose two workshops"
    )
    page.get_by_label("Migration and climate change").check()
    expect(page.get_by_text("suggested by 2 members: Argentina, Philippines")).to_be_visible()
    page.get_by_role("button", name="Create the follow-up draft").click()
    expect(page.get_by_text("The follow-up round has been created as a draft.")).to_be_visible()
    expect(page.get_by_text("suggested by ARG, PHL")).to_be_visible()

    page.get_by_role("link", name="Choose two workshops").click()
    for label in ("Integration and social cohesion", "Climate and displacement"):
        page.get_by_role("link", name="Add an option").click()
        page.get_by_role("group", name="Label").get_by_label("English").fill(label)
        page.get_by_role("button", name="Add the option").click()
    page.get_by_role("link", name="Merge two options").click()
    page.get_by_label("Option that remains").select_option(label="Migration and climate change")
    page.get_by_label("Option folded into it (removed)").select_option(
        label="Climate and displacement"
    )
    page.get_by_role("button", name="Merge").click()
    expect(page.get_by_text("The options have been merged.")).to_be_visible()
    expect(page.get_by_text("Incorporates elements of “Climate and displacement”.")).to_be_visible()
    expect(page.get_by_text("Incorporates: Climate and displacement")).to_be_visible()
    child = stored("idm-2010-workshops")
    assert child.parent_id == c.id
    assert [o.label for o in child.questions[0].options] == [
        "Migration and climate change",
        "Integration and social cohesion",
    ]
    assert [m.code for m in child.questions[0].options[0].suggested_by] == ["ARG", "PHL"]
