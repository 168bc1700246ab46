"""The Administration reads the results and downloads the report in a real Chromium."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from playwright.sync_api import expect

from consult.members.models import MemberKind
from tests.e2e.test_browser import sign_in
from tests.factories import AdminFactory, MemberFactory, RegionFactory, build_consultation
from tests.integration.results_helpers import cast

FORMULA = '=HYPERLINK("http://x","y")'


def _answered():
    africa = RegionFactory(name="Africa")
    civ = MemberFactory(code="CIV", name="Côte d’Ivoire", region=africa)
    sen = MemberFactory(code="SEN", name="Senegal", region=africa)
    MemberFactory(code="PER", name="Peru", region=RegionFactory(name="Americas"))
    icrc = MemberFactory(code="ICRC", name="Red Cross", kind=MemberKind.OBSERVER_ORG)
    c = build_consultation()
    cast(c, civ, ranking=[2, 1], comments={2: FORMULA}, write_in="Migración y salud")
    cast(c, sen, ranking=[2, 3])
    cast(c, icrc, comment="Observer remark <script>alert(1)</script>")
    AdminFactory(email="admin@example.org")


def test_administrator_reads_results_and_downloads_comments(page, live):
    _answered()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page, live, "admin@example.org", "/admin/consultations/idm-2010/results")
    official = page.locator(".official-result").first
    expect(official).to_contain_text("Preferred option: Migration and Social Change")
    expect(page.get_by_role("img", name="First preferences").first).to_be_visible()
    expect(page.locator("#not-submitted")).to_contain_text("Peru")
    # Observers' comments are text, marked, and can be filtered out.
    expect(page.get_by_text("Observer remark <script>alert(1)</script>")).to_be_visible()
    page.get_by_label("Show comments from").select_option("members")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("Observer remark")).to_have_count(0)
    with page.expect_download() as info:
        page.get_by_role("button", name="Comments (CSV)").click()
    download = info.value
    assert download.suggested_filename == "idm-2010-comments.csv"
    data = Path(download.path()).read_bytes()
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8")[1:], newline="")))
    assert any(r[:2] == ["CIV", "Côte d’Ivoire"] for r in rows)
    assert any(r[-1] == "'" + FORMULA for r in rows)
    assert dialogs == []


def test_results_page_reads_without_javascript_in_french(page_without_js, live):
    _answered()
    page = page_without_js
    sign_in(page, live, "admin@example.org", "/admin/consultations/idm-2010/results")
    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator(".official-result").first).to_contain_text(
        "Option préférée\u00a0: Migration et changement social"
    )
    expect(page.get_by_role("heading", name=re.compile("Tours du vote alternatif"))).to_be_visible()
