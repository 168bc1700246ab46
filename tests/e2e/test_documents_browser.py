"""The secretariat attaches the discussion note in English and French; a delegate downloads it
in French, in Chromium."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from consult.consultations.lifecycle import Status
from consult.consultations.models import Consultation
from consult.documents.models import AttachmentFile
from consult.extensions import db
from tests import document_files as samples
from tests.e2e.test_browser import sign_in
from tests.factories import AdminFactory, MemberFactory, UserFactory, build_consultation

NOTE_EN = samples.pdf("Discussion note IC/2009/1")
NOTE_FR = samples.pdf("Note de discussion IC/2009/1")


def test_secretariat_attaches_the_note_and_a_delegate_downloads_it_in_french(
    page, page_without_js, live, tmp_path
):
    AdminFactory(email="admin@example.org", name="IDM Secretariat")
    senegal = MemberFactory(code="SEN", name="Senegal", translations={"fr": {"name": "Sénégal"}})
    UserFactory(email="sen@example.org", name="Awa Diop", member=senegal, locale="fr")
    build_consultation(status="draft")
    english = tmp_path / "IC-2009-1_en.pdf"
    english.write_bytes(NOTE_EN)
    admin, delegate = page, page_without_js

    sign_in(admin, live, "admin@example.org", "/admin/consultations/idm-2010")
    admin.get_by_role("link", name="Manage the documents").click()
    admin.get_by_label("Discussion note").check()
    admin.get_by_label("Language of the file").select_option("en")
    admin.get_by_label("File", exact=True).set_input_files(str(english))
    admin.get_by_role("button", name="Add the document").click()
    expect(admin.get_by_text("IC-2009-1_en.pdf is added.")).to_be_visible()

    # The French version goes into the note's own form (a file given from memory this time).
    note = admin.get_by_role("region", name=re.compile(r"^Discussion note IC.2009.1"))
    note.get_by_label("Language of the file").select_option("fr")
    note.get_by_label("File", exact=True).set_input_files(
        {"name": "IC-2009-1_fr.pdf", "mimeType": "application/pdf", "buffer": NOTE_FR}
    )
    note.get_by_role("button", name="Upload").click()
    expect(admin.get_by_text("IC-2009-1_fr.pdf is added.")).to_be_visible()
    rows = note.get_by_role("row")
    expect(rows).to_have_count(3)  # header, English, French

    # Removing a file asks first, on the shared confirmation page; going back keeps it.
    note.get_by_role("link", name="Remove · IC-2009-1_fr.pdf").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Remove the file IC-2009-1_fr.pdf?")
    expect(admin.get_by_text("cannot be undone; nobody is notified")).to_be_visible()
    expect(admin.get_by_role("button", name="Remove the file")).to_be_visible()
    admin.get_by_role("link", name="Cancel, go back").click()
    expect(rows).to_have_count(3)

    # Open it now; the consultation page lists the note.
    admin.get_by_role("link", name="Back to the consultation").click()
    admin.get_by_role("link", name="Open the consultation").click()
    admin.get_by_label("Notify the invited delegates by e-mail").uncheck()
    admin.get_by_role("button", name="Open the consultation").click()
    expect(admin.get_by_text("The consultation is open.")).to_be_visible()
    db.session.rollback()
    assert db.session.scalars(sa.select(Consultation)).one().status is Status.OPEN

    # The delegate reads in French, without JavaScript, and downloads the French note.
    sign_in(delegate, live, "sen@example.org")
    delegate.get_by_role("link", name="Thème du DIM 2010").click()
    documents = delegate.get_by_role("region", name="Documents")
    link = documents.get_by_role("link", name="Note de discussion IC/2009/1")
    expect(link).to_have_attribute("hreflang", "fr")
    expect(documents).to_contain_text("Aussi en :")
    with delegate.expect_download() as downloading:
        link.click()
    download = downloading.value
    assert download.suggested_filename == "IC-2009-1_fr.pdf"
    saved = tmp_path / "received.pdf"
    download.save_as(saved)
    assert saved.read_bytes() == NOTE_FR
    french = db.session.scalars(
        sa.select(AttachmentFile).where(AttachmentFile.language == "fr")
    ).one()
    assert download.url.endswith(f"/consultations/idm-2010/documents/{french.id}")
