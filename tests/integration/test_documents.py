"""The discussion note and annexes of a consultation: upload, reading in the reader's language,
downloads for invited members only, versions once open, and every refusal."""

from __future__ import annotations

import errno
import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa

from consult.auth.models import User
from consult.consultations.models import invitation
from consult.core.audit import AuditEvent
from consult.documents import storage
from consult.documents.models import AttachmentFile
from consult.extensions import db
from tests import document_files as samples
from tests.conftest import csrf_token, signed_in_client
from tests.factories import AdminFactory, MemberFactory, UserFactory, build_consultation
from tests.integration.document_helpers import (
    add_document,
    add_file,
    files,
    snapshot,
    stored_files,
)

NOTE_EN = samples.pdf("Discussion note IC/2009/1")
NOTE_FR = samples.pdf("Note de discussion IC/2009/1")


@pytest.fixture
def admin(app):
    AdminFactory(email="admin@example.org", name="Head of Secretariat")
    return signed_in_client(app, "admin@example.org")


@pytest.fixture
def draft():
    return build_consultation(status="draft")


def delegate_of_invited(email, consultation, **member_fields):
    """A delegate of a member registered after the consultation was made, then invited."""
    member = MemberFactory(**member_fields)
    user = UserFactory(email=email, member=member)
    db.session.execute(
        sa.insert(invitation).values(consultation_id=consultation.id, member_id=member.id)
    )
    db.session.commit()
    return user


def open_it(consultation):
    from consult.consultations.lifecycle import Status

    consultation.status = Status.OPEN
    db.session.commit()


def attach_note(admin, slug="idm-2010"):
    """The English and French discussion note, as the secretariat attaches them."""
    assert add_document(admin, slug, NOTE_EN, "IC-2009-1_en.pdf").status_code == 303
    (first,) = files()
    assert (
        add_file(admin, slug, first.attachment_id, NOTE_FR, "IC-2009-1_fr.pdf").status_code == 303
    )
    return first.attachment_id


def test_attach_note_in_english_and_french(admin, draft):
    attachment_id = attach_note(admin)
    en, fr = files()
    assert (en.language, en.name, en.size, en.content_type) == (
        "en",
        "IC-2009-1_en.pdf",
        len(NOTE_EN),
        "application/pdf",
    )
    assert fr.language == "fr"
    assert en.attachment_id == fr.attachment_id == attachment_id
    # Named by their SHA-256 outside the database, complete.
    for row, data in ((en, NOTE_EN), (fr, NOTE_FR)):
        assert row.sha256 == hashlib.sha256(data).hexdigest()
        assert storage.path_of(row.sha256).read_bytes() == data
    assert not any((storage.root() / "incoming").iterdir())
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-3:] == ["document_added", "document_file_added", "document_file_added"]
    event = db.session.scalar(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert event.details["sha256"] == fr.sha256
    assert event.details["language"] == "fr"
    page = admin.get("/admin/consultations/idm-2010").get_data(as_text=True)
    assert "Discussion note IC/2009/1" in page
    assert 'href="/admin/consultations/idm-2010/documents"' in page


def test_delegate_reads_the_note_in_their_language_and_downloads_it(app, admin, draft):
    attach_note(admin)
    open_it(draft)
    delegate_of_invited("fr@example.org", draft, code="FRA", name="France")
    db.session.execute(sa.update(User).values(locale="fr"))
    db.session.commit()
    delegate = signed_in_client(app, "fr@example.org")
    page = delegate.get("/consultations/idm-2010").get_data(as_text=True)
    _en, fr = files()
    link = f"/consultations/idm-2010/documents/{fr.id}"
    assert f'href="{link}" hreflang="fr"' in page
    assert "Note de discussion IC/2009/1" in page  # the title in French
    assert "Aussi en\u00a0:" in page
    response = delegate.get(link)
    assert response.status_code == 200
    assert response.data == NOTE_FR
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=IC-2009-1_fr.pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "no-store" in response.headers["Cache-Control"]


def test_a_missing_language_falls_back_to_english_and_says_so(app, admin, draft):
    attach_note(admin)
    open_it(draft)
    delegate_of_invited("es@example.org", draft)
    db.session.execute(sa.update(User).values(locale="es"))
    db.session.commit()
    page = (
        signed_in_client(app, "es@example.org")
        .get("/consultations/idm-2010")
        .get_data(as_text=True)
    )
    en, fr = files()
    assert f'/consultations/idm-2010/documents/{en.id}" hreflang="en"' in page
    assert '<span lang="en">English</span>' in page
    assert f'/consultations/idm-2010/documents/{fr.id}" hreflang="fr" lang="fr">Français' in page


def test_an_annex_with_its_own_title(admin, draft):
    attach_note(admin)
    response = add_document(
        admin, "idm-2010", samples.xlsx(), "figures.xlsx", kind="annex", title="Figures"
    )
    assert response.status_code == 303
    page = admin.get("/admin/consultations/idm-2010/documents").get_data(as_text=True)
    assert "Figures" in page
    assert "XLSX" in page
    second_note = add_document(admin, "idm-2010", samples.docx(), "again.docx", kind="note")
    assert second_note.status_code == 409
    assert "already has its discussion note" in second_note.get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (samples.EXECUTABLE, "note.pdf", "none of them, whatever its name says"),
        (samples.HTML, "note.pdf", "none of them, whatever its name says"),
        (samples.HTML, "note.html", "none of them, whatever its name says"),
        (samples.zip_bomb_docx(5), "note.docx", "zip bomb"),
        (samples.overlapping_docx(), "note.docx", "zip bomb"),
        (b"", "empty.pdf", "The file is empty."),
        (samples.pdf()[:200], "cut.pdf", "damaged or incomplete"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_written(admin, draft, data, filename, message):
    before = snapshot()
    response = add_document(admin, "idm-2010", data, filename)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert message in text
    assert 'role="alert"' in text
    assert snapshot() == before


def test_a_file_over_the_limit_is_refused(app, admin, draft, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", len(NOTE_EN) - 1)
    before = snapshot()
    response = add_document(admin, "idm-2010", NOTE_EN)
    assert response.status_code == 400
    assert "The file is larger than" in response.get_data(as_text=True)
    assert snapshot() == before


def test_a_body_far_over_the_limit_gets_413_with_the_reason(app, admin, draft, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", 1024)
    before = snapshot()
    response = add_document(admin, "idm-2010", b"%PDF-" + b"x" * (600 * 1024))
    assert response.status_code == 413
    assert "The file is larger than 1 kB" in response.get_data(as_text=True)
    assert snapshot() == before


def test_no_file_chosen(admin, draft):
    before = snapshot()
    response = admin.post(
        "/admin/consultations/idm-2010/documents",
        data={
            "csrf_token": csrf_token(admin, "/admin/consultations/idm-2010/documents"),
            "kind": "note",
            "language": "en",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Choose a file to upload." in response.get_data(as_text=True)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("filename", "stored"),
    [
        ("../../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\boot.ini.pdf", "boot.ini.pdf"),
        ("note\x00.pdf", "note.pdf"),
        ("note\u202egnp.pdf", "notegnp.pdf"),
        ("\u200f\u200eIC\u200b.pdf", "IC.pdf"),
        ("n" * 300 + ".pdf", "n" * 100 + ".pdf"),
        ('quote".pdf', "quote.pdf"),
    ],
)
def test_hostile_file_names_are_cleaned(admin, draft, filename, stored):
    response = add_document(admin, "idm-2010", NOTE_EN, filename)
    assert response.status_code == 303
    (row,) = files()
    assert row.name == stored
    assert storage.path_of(row.sha256).parent.parent == storage.root()
    download = admin.get(f"/consultations/idm-2010/documents/{row.id}")
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    for character in ("/", "\\", "\x00"):
        assert character not in disposition


def test_upload_without_csrf_token_is_refused(admin, draft):
    before = snapshot()
    response = add_document(admin, "idm-2010", NOTE_EN, token=False)
    assert response.status_code == 400
    assert snapshot() == before


def test_delegates_cannot_upload(app, draft):
    UserFactory(email="d@example.org")
    delegate = signed_in_client(app, "d@example.org")
    before = snapshot()
    token = csrf_token(delegate, "/")
    response = add_document(delegate, "idm-2010", NOTE_EN, token=token)
    assert response.status_code == 403
    assert snapshot() == before


class TestWhoMayDownload:
    @pytest.fixture
    def setup(self, app, admin, draft):
        attach_note(admin)
        open_it(draft)
        other = build_consultation("idm-2011")
        add_document(admin, "idm-2011", samples.docx("secret"), "other.docx")
        hidden = build_consultation("idm-draft", status="draft")
        add_document(admin, "idm-draft", samples.odt(), "draft.odt")
        member = delegate_of_invited("d@example.org", draft).member
        db.session.execute(
            sa.delete(invitation).where(
                invitation.c.member_id == member.id, invitation.c.consultation_id == other.id
            )
        )
        db.session.commit()
        by_slug = {}
        for row in files():
            by_slug.setdefault(row.attachment.consultation.slug, []).append(row)
        return signed_in_client(app, "d@example.org"), by_slug, hidden

    def test_invited_member_downloads(self, setup):
        delegate, by_slug, _hidden = setup
        note = by_slug["idm-2010"][0]
        assert delegate.get(f"/consultations/idm-2010/documents/{note.id}").status_code == 200

    def test_another_consultations_document_through_this_one(self, setup):
        delegate, by_slug, _hidden = setup
        foreign = by_slug["idm-2011"][0]
        assert delegate.get(f"/consultations/idm-2010/documents/{foreign.id}").status_code == 404

    def test_uninvited_consultation(self, setup):
        delegate, by_slug, _hidden = setup
        foreign = by_slug["idm-2011"][0]
        assert delegate.get(f"/consultations/idm-2011/documents/{foreign.id}").status_code == 404
        assert "secret" not in delegate.get("/consultations/idm-2011").get_data(as_text=True)

    def test_draft_consultation(self, setup):
        delegate, by_slug, _hidden = setup
        draft_file = by_slug["idm-draft"][0]
        assert (
            delegate.get(f"/consultations/idm-draft/documents/{draft_file.id}").status_code == 404
        )

    def test_by_digest(self, setup):
        delegate, by_slug, _hidden = setup
        for row in (by_slug["idm-2011"][0], by_slug["idm-2010"][0]):
            for path in (
                f"/consultations/idm-2010/documents/{row.sha256}",
                f"/consultations/idm-2011/documents/{row.sha256}",
                f"/documents/{row.sha256}",
                f"/static/{row.sha256}",
                f"/static/../documents/{row.sha256[:2]}/{row.sha256}",
            ):
                response = delegate.get(path)
                assert response.status_code == 404, path
                assert response.data != storage.path_of(row.sha256).read_bytes()

    def test_anonymous(self, app, setup):
        _delegate, by_slug, _hidden = setup
        anonymous = app.test_client()
        response = anonymous.get(f"/consultations/idm-2010/documents/{by_slug['idm-2010'][0].id}")
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_disk_full_refuses_the_upload_and_leaves_nothing(admin, draft, monkeypatch):
    def full(_target, _chunk):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage, "_write", full)
    before = snapshot()
    response = add_document(admin, "idm-2010", NOTE_EN)
    assert response.status_code == 503
    assert "no space left" in response.get_data(as_text=True)
    assert snapshot() == before


def test_unwritable_folder_refuses_the_upload(app, admin, draft, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    monkeypatch.setitem(app.config, "DOCUMENTS_DIR", str(blocker / "documents"))
    before = snapshot()
    response = add_document(admin, "idm-2010", NOTE_EN)
    assert response.status_code == 503
    assert "could not write the file" in response.get_data(as_text=True)
    assert snapshot() == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AttachmentFile)) == 0


def test_a_file_missing_from_the_store_is_not_a_500(admin, draft):
    attach_note(admin)
    en, _fr = files()
    storage.path_of(en.sha256).unlink()
    assert admin.get(f"/consultations/idm-2010/documents/{en.id}").status_code == 404


class TestOnceOpen:
    def test_a_new_version_needs_a_note_and_keeps_the_earlier_one(self, admin, draft):
        attachment_id = attach_note(admin)
        open_it(draft)
        corrected = samples.pdf("Note de discussion IC/2009/1 Rev.1")
        before = snapshot()
        refused = add_file(admin, "idm-2010", attachment_id, corrected, "rev1.pdf", language="fr")
        assert refused.status_code == 400
        assert "This field is required." in refused.get_data(as_text=True)
        assert snapshot() == before
        response = add_file(
            admin,
            "idm-2010",
            attachment_id,
            corrected,
            "rev1.pdf",
            language="fr",
            note="Paragraph 4 corrected.",
        )
        assert response.status_code == 303
        _en, fr1, fr2 = files()
        assert fr1.superseded_at is not None
        assert (fr2.version, fr2.note, fr2.superseded_at) == (2, "Paragraph 4 corrected.", None)
        assert storage.path_of(fr1.sha256).read_bytes() == NOTE_FR  # still on record
        assert admin.get(f"/consultations/idm-2010/documents/{fr1.id}").data == NOTE_FR
        event = db.session.scalar(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
        assert event.action == "document_file_superseded"
        assert event.details["previous"] == fr1.id
        assert event.details["note"] == "Paragraph 4 corrected."

    def test_nothing_can_be_removed(self, admin, draft):
        attachment_id = attach_note(admin)
        open_it(draft)
        en, _fr = files()
        before = snapshot()
        token = csrf_token(admin, "/admin/consultations/idm-2010/documents")
        for path in (
            f"/admin/consultations/idm-2010/documents/files/{en.id}/remove",
            f"/admin/consultations/idm-2010/documents/{attachment_id}/remove",
        ):
            for method in ("GET", "POST"):  # GET: refused up front, no confirmation page
                response = admin.open(
                    path, method=method, data={"csrf_token": token, "confirm": "yes"}
                )
                assert response.status_code == 303
                page = admin.get(response.headers["Location"]).get_data(as_text=True)
                assert "cannot be removed or replaced" in page
        assert snapshot() == before

    def test_published_documents_are_frozen(self, admin, draft):
        from consult.consultations.lifecycle import Status

        attachment_id = attach_note(admin)
        draft.published_at = draft.closes_at
        draft.status = Status.PUBLISHED
        db.session.commit()
        before = snapshot()
        response = add_file(
            admin, "idm-2010", attachment_id, samples.docx(), "x.docx", language="es"
        )
        assert response.status_code == 409
        assert "can no longer change" in response.get_data(as_text=True)
        assert snapshot() == before


def test_draft_files_are_replaced_and_removed_after_confirmation(admin, draft):
    attachment_id = attach_note(admin)
    response = add_file(admin, "idm-2010", attachment_id, samples.docx(), "fr.docx", language="fr")
    assert response.status_code == 303
    _en, fr = files()
    assert (fr.name, fr.version) == ("fr.docx", 1)
    remove_fr = f"/admin/consultations/idm-2010/documents/files/{fr.id}/remove"
    confirm = admin.get(remove_fr).get_data(as_text=True)
    # the shared confirmation page: what happens, the button, the way back
    assert "Remove the file fr.docx?" in confirm
    assert "cannot be undone" in confirm
    assert 'name="confirm" value="yes"' in confirm
    assert 'href="/admin/consultations/idm-2010/documents"' in confirm
    token = csrf_token(admin, remove_fr)
    # a POST without the confirmation (an old page, a crafted form) gets the page again
    again = admin.post(remove_fr, data={"csrf_token": token})
    assert again.status_code == 200
    assert "Remove the file fr.docx?" in again.get_data(as_text=True)
    assert len(files()) == 2
    admin.post(remove_fr, data={"csrf_token": token, "confirm": "yes"})
    assert [f.language for f in files()] == ["en"]
    admin.post(
        f"/admin/consultations/idm-2010/documents/{attachment_id}/remove",
        data={"csrf_token": token, "confirm": "yes"},
    )
    assert files() == []
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert {"document_file_replaced", "document_file_removed", "document_removed"} <= set(actions)


def test_the_same_file_twice_is_stored_once(admin, draft):
    attachment_id = attach_note(admin)
    add_document(admin, "idm-2010", NOTE_EN, "copy.pdf", kind="annex")
    en, _fr, copy = files()
    assert en.sha256 == copy.sha256
    assert len([p for p in stored_files() if p.name == en.sha256]) == 1
    assert attachment_id != copy.attachment_id


def test_store_lives_outside_the_database_and_the_static_folder(app, admin, draft):
    attach_note(admin)
    static = (Path(app.root_path) / "static").resolve()
    for row in files():
        path = storage.path_of(row.sha256).resolve()
        assert static not in path.parents


def test_a_damaged_copy_in_the_store_is_replaced_by_the_next_upload(
    app, admin, draft, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "DOCUMENTS_DIR", str(tmp_path / "store"))
    damaged = storage.path_of(hashlib.sha256(NOTE_EN).hexdigest())
    damaged.parent.mkdir(parents=True)
    damaged.write_bytes(b"x" * len(NOTE_EN))
    assert add_document(admin, "idm-2010", NOTE_EN).status_code == 303
    assert damaged.read_bytes() == NOTE_EN


def test_an_upload_interrupted_long_ago_is_swept(app, admin, draft, tmp_path, monkeypatch):
    import os
    import time

    monkeypatch.setitem(app.config, "DOCUMENTS_DIR", str(tmp_path / "store"))
    incoming = tmp_path / "store" / "incoming"
    incoming.mkdir(parents=True)
    old, recent = incoming / "upload-old", incoming / "upload-recent"
    old.write_bytes(b"half")
    recent.write_bytes(b"in flight")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    assert add_document(admin, "idm-2010", NOTE_EN).status_code == 303
    assert not old.exists()
    assert recent.exists()
