"""The scanned document of an entered response meets the same refusals as a consultation's
documents: checked by content, size-limited, a safe name, and a full or unwritable store
refuses the entry with nothing written (SQLite and PostgreSQL)."""

from __future__ import annotations

import errno

import pytest
import sqlalchemy as sa

from consult.ballots.models import Entry
from consult.documents import storage
from consult.extensions import db
from tests import document_files as samples
from tests.integration.test_onbehalf import enter, refused, setting, snapshot

__all__ = ["setting"]  # the fixture, shared with test_onbehalf


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("scan.docx", samples.zip_bomb_docx(5), "zip bomb"),
        ("scan.docx", samples.overlapping_docx(), "zip bomb"),
        ("scan.pdf", samples.pdf()[:200], "damaged or incomplete"),
        ("scan.html", samples.HTML, "whatever its name says"),
    ],
)
def test_a_disguised_or_damaged_scan_is_refused(client, setting, name, body, message):
    c, kenya = setting
    text = refused(enter(client, c, kenya.id, scan=(name, body)), 400, snapshot())
    assert message in text
    assert 'id="entry-scan-error"' in text


def test_a_scan_over_the_limit_is_refused(app, client, setting, monkeypatch):
    c, kenya = setting
    scan = samples.pdf("NV")
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", len(scan) - 1)
    text = refused(enter(client, c, kenya.id, scan=("nv.pdf", scan)), 400, snapshot())
    assert "The file is larger than" in text


def test_a_body_far_over_the_limit_gets_413(app, client, setting, monkeypatch):
    c, kenya = setting
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", 1024)
    before = snapshot()
    body = b"%PDF-" + b"x" * (600 * 1024)
    text = refused(enter(client, c, kenya.id, scan=("nv.pdf", body)), 413, before)
    assert "The file is larger than 1 kB" in text


def test_a_full_disk_refuses_the_entry_and_writes_nothing(client, setting, monkeypatch):
    c, kenya = setting

    def full(_target, _chunk):
        raise OSError(errno.ENOSPC, "No space left on device")

    before = snapshot()
    monkeypatch.setattr(storage, "_write", full)
    text = refused(enter(client, c, kenya.id, scan=("nv.pdf", samples.pdf("NV"))), 503, before)
    assert "no space left" in text


def test_an_unwritable_folder_refuses_the_entry(app, client, setting, tmp_path, monkeypatch):
    c, kenya = setting
    before = snapshot()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    monkeypatch.setitem(app.config, "DOCUMENTS_DIR", str(blocker / "documents"))
    response = enter(client, c, kenya.id, scan=("nv.pdf", samples.pdf("NV")))
    monkeypatch.undo()  # the snapshot reads the real store again
    text = refused(response, 503, before)
    assert "could not write the file" in text


@pytest.mark.parametrize(
    ("filename", "stored"),
    [
        ("../../../etc/passwd.pdf", "passwd.pdf"),
        ("note\x00.pdf", "note.pdf"),
        ("note\u202egnp.pdf", "notegnp.pdf"),
        ("n" * 300 + ".pdf", "n" * 100 + ".pdf"),
    ],
)
def test_a_hostile_scan_name_is_cleaned(client, setting, filename, stored):
    c, kenya = setting
    assert enter(client, c, kenya.id, scan=(filename, samples.pdf("NV"))).status_code == 303
    entry = db.session.scalars(sa.select(Entry)).one()
    assert entry.scan_name == stored
    download = client.get(f"/consultations/idm-2010/entries/{entry.id}/scan")
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    for character in ("/", "\\", "\x00"):
        assert character not in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"
