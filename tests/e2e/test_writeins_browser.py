"""An officer joins write-in groups across languages and splits a suggestion out, in a real
Chromium without JavaScript, by keyboard; the results page shows the joined group."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.test_browser import sign_in
from tests.factories import AdminFactory, MemberFactory, build_consultation
from tests.integration.results_helpers import cast


def _answered():
    answers = [
        (MemberFactory(code=code, name=name), text)
        for code, name, text in [
            ("ARG", "Argentina", "Migración y salud"),
            ("FRA", "France", "Migration et santé"),
            ("KEN", "Kenya", "Migration and health"),
            ("PHL", "Philippines", "migration and health."),
        ]
    ]
    c = build_consultation()
    for member, text in answers:
        cast(c, member, ranking=[1], write_in=text)
    AdminFactory(email="admin@example.org")


def test_join_across_languages_then_split_one_out_without_javascript(page_without_js, live):
    _answered()
    page = page_without_js
    sign_in(page, live, "admin@example.org", "/admin/consultations/idm-2010/results")
    page.get_by_role("link", name="Join or split these groups").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Write-in suggestions")
    groups = page.get_by_role("group", name="Groups of suggestions (tick those to join)")
    expect(groups.get_by_role("checkbox")).to_have_count(3)

    # Nothing ticked: the refusal is announced and names what to do.
    page.get_by_role("button", name="Join the ticked groups").click()
    expect(page.get_by_role("alert")).to_contain_text("Tick at least two groups")

    # By keyboard: tick the three groups, name the joined group, press Enter in the name.
    for label in ("Migration and health", "Migración y salud", "Migration et santé"):
        box = groups.get_by_role("checkbox", name=label)
        box.focus()
        page.keyboard.press("Space")
        expect(box).to_be_checked()
    name = page.get_by_label("Name of the joined group")
    name.fill("Migration and health (all languages)")
    name.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("The groups have been joined.")
    joined = groups.get_by_role("checkbox", name="Migration and health (all languages)")
    expect(joined).to_be_visible()
    expect(groups).to_contain_text("4 members")

    # Kenya's suggestion out of the joined group, then the group is shown with three.
    page.get_by_role("button", name="Take the suggestion of Kenya out of this group").click()
    expect(page.get_by_role("status")).to_contain_text("The suggestion now stands alone.")
    expect(groups).to_contain_text("3 members")
    expect(groups).to_contain_text("taken out of its group")

    page.goto(f"{live}/admin/consultations/idm-2010/results")
    table = page.locator(".table-scroll[aria-label='Other suggestions (write-ins)']")
    expect(table).to_contain_text("Migration and health (all languages) (joined by hand)")
    expect(table.locator("tbody tr")).to_have_count(2)

    # Undo: the joined group is split into its automatic groups again.
    page.goto(f"{live}/admin/consultations/idm-2010/write-ins")
    page.get_by_role(
        "button", name="Undo the joining of Migration and health (all languages)"
    ).click()
    expect(groups.get_by_role("checkbox")).to_have_count(3)
