"""What a person does on the pages, in a real Chromium."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import current_app
from playwright.sync_api import expect

from consult.ballots.models import Response, Revision
from consult.extensions import db
from tests.conftest import PASSWORD, signed_in_client
from tests.factories import MemberFactory, UserFactory, build_consultation


def sign_in(page, live, email, path="/"):
    """Signed in as ``email`` and on ``path`` (by default the home page, where the sign-in form
    leads): the test client signs in as the form does without its page and its post
    (:func:`tests.conftest.signed_in_client`) and the browser is given the session cookie, then
    opens the page the test starts on. Three pages fewer than the form in the browser (and a
    fourth, the home page, when the test starts elsewhere), for the tests that check what comes
    after signing in (the form itself is filled in the browser by
    :func:`sign_in_through_the_form`)."""
    client = signed_in_client(current_app, email)
    cookie = client.get_cookie(current_app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    page.context.add_cookies(
        [
            {
                "name": cookie.key,
                "value": cookie.value,
                "url": live,
                "httpOnly": cookie.http_only,
                "sameSite": cookie.same_site or "Lax",
            }
        ]
    )
    page.goto(f"{live}{path}")


def sign_in_through_the_form(page, live, email):
    page.goto(f"{live}/login")
    page.get_by_label(re.compile("E-mail|Adresse|Correo")).fill(email)
    page.get_by_label(re.compile("Password|Mot de passe|Contraseña")).fill(PASSWORD)
    page.locator("form.narrow button[type=submit], form.narrow input[type=submit]").click()


def test_sign_in_switch_to_french_and_sign_out(page, live):
    UserFactory(email="d@example.org", member=MemberFactory(name="Testland"))
    sign_in_through_the_form(page, live, "d@example.org")
    expect(page.get_by_role("heading", level=1)).to_have_text("Testland")
    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")
    page.goto(f"{live}/")
    expect(page).to_have_url(re.compile("/login"))


def test_delegate_ranks_with_buttons_submits_and_revises(page, live):
    member = MemberFactory()
    UserFactory(email="d@example.org", member=member)
    c = build_consultation()
    sign_in(page, live, "d@example.org", "/consultations/idm-2010")
    # JavaScript turned the selects into a list driven by buttons.
    expect(page.get_by_label("Rank for South-South Migration")).to_be_hidden()
    page.get_by_role("button", name="Add to ranking: Migration and Social Change").click()
    page.get_by_role("button", name="Add to ranking: South-South Migration").click()
    # Focus stays on the added row: the up arrow moves it to first place.
    expect(page.locator(".rank-list li:focus")).to_contain_text("South-South Migration")
    page.keyboard.press("ArrowUp")
    page.get_by_label("Other suggestion (an alternative to the options above)").fill(
        "Migration and climate change"
    )
    page.get_by_label("Comment on South-South Migration").fill("Very timely")
    page.get_by_label("Workshop 1").check()
    page.get_by_label("Workshop 3").check()
    page.get_by_role("button", name="Submit the response").click()
    expect(page.get_by_role("heading", name="Receipt", exact=True)).to_be_visible()
    code = page.locator("#receipt-code").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{5}(-[A-Z2-7]{5}){3}", code)
    db.session.rollback()
    stored = db.session.scalars(sa.select(Response)).one()
    q = c.questions[0]
    ranking = sorted(((a.rank, a.option_id) for a in stored.answers if a.rank), key=lambda x: x[0])
    assert [o for _, o in ranking] == [q.options[0].id, q.options[1].id]
    # Revise: move South-South Migration down again.
    page.get_by_role("link", name="Back to the consultation").click()
    page.get_by_role("button", name="Move down: South-South Migration").click()
    page.get_by_role("button", name="Submit the response").click()
    expect(page.locator("#receipt-code")).not_to_have_text(code)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Revision)) == 2
    latest = db.session.scalars(sa.select(Revision).order_by(Revision.number.desc())).first()
    assert latest.content["questions"][0]["ranking"] == [q.options[1].id, q.options[0].id]


def test_delegate_answers_without_javascript_in_french(page_without_js, live):
    page = page_without_js
    member = MemberFactory()
    UserFactory(email="d@example.org", member=member, locale="fr")
    build_consultation()
    sign_in(page, live, "d@example.org", "/consultations/idm-2010")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_label("Rang pour Migration Sud-Sud").select_option("2")
    page.get_by_label("Rang pour Migration et changement social").select_option("2")
    page.get_by_role("button", name="Envoyer la réponse").click()
    # Both ranked 2: the error is listed at the top, announced, and the input kept.
    alert = page.locator("#error-summary")
    expect(alert).to_have_attribute("role", "alert")
    expect(alert).to_contain_text("le rang 2 est attribué à plusieurs options")
    expect(page.get_by_label("Rang pour Migration Sud-Sud")).to_have_value("2")
    page.get_by_label("Rang pour Migration Sud-Sud").select_option("1")
    page.get_by_label("Commentaire général").fill("Merci pour cette consultation.")
    page.get_by_role("button", name="Envoyer la réponse").click()
    expect(page.get_by_role("heading", name="Accusé de réception", exact=True)).to_be_visible()
    db.session.rollback()
    stored = db.session.scalars(sa.select(Response)).one()
    assert stored.comment == "Merci pour cette consultation."


def test_script_payload_in_comment_does_not_run(page, live):
    member = MemberFactory(name="<img src=x onerror=window.pwned=1>")
    UserFactory(email="d@example.org", member=member)
    build_consultation()
    sign_in(page, live, "d@example.org", "/consultations/idm-2010")
    page.get_by_label("General comment").fill("<script>window.pwned=1</script>")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_label("General comment")).to_have_value("<script>window.pwned=1</script>")
    assert page.evaluate("window.pwned") is None


def test_ranking_by_keyboard_with_undo_and_a_warning_before_leaving(page, live):
    member = MemberFactory()
    UserFactory(email="d@example.org", member=member)
    build_consultation()
    sign_in(page, live, "d@example.org", "/consultations/idm-2010")
    page.get_by_role("button", name="Add to ranking: Migration and Social Change").click()
    page.get_by_role("button", name="Add to ranking: South-South Migration").click()
    row = page.locator(".rank-list li:focus")
    expect(row).to_contain_text("South-South Migration")
    page.keyboard.press("ArrowUp")
    live_region = page.locator(".rank-widget [aria-live]")
    expect(live_region).to_have_text("South-South Migration — Rank 1")
    expect(page.locator(".rank-list li:focus")).to_contain_text("South-South Migration")
    expect(page.get_by_label("Rank for South-South Migration")).to_have_value("1")
    page.keyboard.press("Delete")
    expect(live_region).to_have_text("South-South Migration removed from the ranking.")
    expect(page.get_by_label("Rank for South-South Migration")).to_have_value("")
    page.get_by_role("button", name="Undo: South-South Migration").click()
    expect(page.get_by_label("Rank for South-South Migration")).to_have_value("1")
    expect(page.locator(".rank-list li:focus")).to_contain_text("South-South Migration")
    # Leaving now asks first (the changes are not saved).
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    with page.expect_event("dialog"):  # dismissed by the handler: the page stays
        page.locator("a.brand").click(no_wait_after=True)
    assert dialogs == ["beforeunload"]
    expect(page).to_have_url(re.compile("/consultations/idm-2010$"))


def test_empty_required_ranking_names_the_question(page_without_js, live):
    page = page_without_js
    UserFactory(email="d@example.org", member=MemberFactory())
    build_consultation()
    sign_in(page, live, "d@example.org", "/consultations/idm-2010")
    page.get_by_role("button", name="Submit the response").click()
    expect(page.locator("#error-summary")).to_contain_text(
        "Question 1: rank at least one option (1 for your first choice)."
    )
