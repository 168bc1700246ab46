"""The registry in a real Chromium: import a CSV, invite a delegate, follow the e-mailed link."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import AdminFactory, RegionFactory, build_consultation
from tests.smtp import links, text_of

from .test_browser import sign_in

CSV = (
    "code,name,kind,region\n"
    "SEN,,member_state,Africa\n"
    "ICRC,International Committee of the Red Cross,observer_org,Europe\n"
)


@pytest.fixture
def links_to_live(app, live):
    """E-mailed links point at the live server for this test."""
    saved = app.config["SERVER_URL"]
    app.config["SERVER_URL"] = live
    yield
    app.config["SERVER_URL"] = saved


def test_admin_imports_invites_and_delegate_lands_on_open_consultations(
    browser, page, live, mailbox, links_to_live, tmp_path
):
    AdminFactory(email="admin@example.org", name="Secretariat")
    RegionFactory(name="Europe")
    sign_in(page, live, "admin@example.org")

    # Import the membership from a spreadsheet export.
    page.get_by_role("navigation", name="Administration").get_by_role(
        "link", name="Members"
    ).click()
    page.get_by_role("link", name="Import from a CSV file").click()
    path = tmp_path / "membership.csv"
    path.write_text(CSV, encoding="utf-8")
    page.get_by_label("CSV file").set_input_files(str(path))
    page.get_by_role("button", name="Preview the import").click()
    # Africa is not in the list yet: it becomes a region only once ticked as new.
    expect(page.get_by_role("alert").first).to_contain_text("Nothing was imported")
    page.get_by_label("Africa").check()
    page.get_by_role("button", name="Preview again").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "will create 2 members, update 0 and leave 0 unchanged"
    )
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator(".flashes")).to_contain_text("Import done: 2 created")

    build_consultation()  # an open consultation inviting the registered members

    # Invite a delegate of Senegal, in French.
    page.get_by_role("link", name="Senegal").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Senegal")
    page.get_by_role("link", name="Invite a delegate").click()
    page.get_by_label("Name").fill("Awa Diop")
    page.get_by_label("E-mail address").fill("awa.diop@example.org")
    page.get_by_label("Language of messages").select_option("fr")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.locator(".flashes")).to_contain_text("Awa Diop is invited")

    # The delegate reads the message, follows its link, chooses a password.
    (message,) = mailbox.wait(1)
    assert "Bonjour Awa Diop," in text_of(message)
    (link,) = [u for u in links(message) if "/invitation/" in u]
    assert link.startswith(live)
    delegate = browser.new_context(locale="fr-FR").new_page()
    delegate.set_default_timeout(10_000)
    delegate.goto(link)
    expect(delegate.get_by_role("heading", level=1)).to_have_text("Choisissez votre mot de passe")
    delegate.get_by_label("Nouveau mot de passe", exact=True).fill("teranga et dialogue")
    delegate.get_by_label("Confirmer le nouveau mot de passe").fill("teranga et dialogue")
    delegate.get_by_role("button", name="Enregistrer le mot de passe et se connecter").click()
    expect(delegate.locator(".flashes")).to_contain_text("Votre mot de passe est enregistré")
    expect(delegate.get_by_role("heading", level=1)).to_have_text(re.compile("Sénégal"))
    expect(delegate.get_by_role("link", name="Thème du DIM 2010")).to_be_visible()

    # The link was for one use only.
    delegate.goto(link)
    expect(delegate.get_by_role("heading", level=1)).to_have_text(
        "Ce lien ne peut pas être utilisé"
    )
    delegate.context.close()
