"""Documents in the consultations' YAML: dumped as references (name, SHA-256), imported with
their files from ``--files DIR``, all or nothing."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa
import yaml

from consult.consultations.models import Consultation
from consult.documents import storage
from consult.documents.models import Attachment, AttachmentFile
from consult.extensions import db
from tests import document_files as samples
from tests.conftest import signed_in_client
from tests.factories import AdminFactory, build_consultation
from tests.integration.document_helpers import add_document, add_file, files, snapshot
from tests.integration.test_documents import NOTE_EN, NOTE_FR, open_it

ANNEX = samples.xlsx()


@pytest.fixture
def dumped(app, runner):
    """A consultation whose English note was superseded once it opened, with an annex."""
    AdminFactory(email="admin@example.org")
    admin = signed_in_client(app, "admin@example.org")
    consultation = build_consultation(status="draft")
    add_document(admin, "idm-2010", NOTE_EN, "IC-2009-1_en.pdf")
    (note,) = files()
    add_file(admin, "idm-2010", note.attachment_id, NOTE_FR, "IC-2009-1_fr.pdf", language="fr")
    add_document(admin, "idm-2010", ANNEX, "figures.xlsx", kind="annex", title="Figures")
    open_it(consultation)
    add_file(
        admin,
        "idm-2010",
        note.attachment_id,
        samples.pdf("Rev.1"),
        "IC-2009-1_en_rev1.pdf",
        language="en",
        note="Figures updated.",
    )
    result = runner.invoke(args=["consultations", "dump", "idm-2010"])
    assert result.exit_code == 0, result.output
    return result.output


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_dump_lists_each_file_by_name_and_digest(dumped):
    data = yaml.safe_load(dumped)
    assert data["documents"] == [
        {
            "kind": "note",
            "files": [
                {"language": "en", "name": "IC-2009-1_en.pdf", "sha256": sha(NOTE_EN)},
                {"language": "fr", "name": "IC-2009-1_fr.pdf", "sha256": sha(NOTE_FR)},
                {
                    "language": "en",
                    "name": "IC-2009-1_en_rev1.pdf",
                    "sha256": sha(samples.pdf("Rev.1")),
                    "note": "Figures updated.",
                },
            ],
        },
        {
            "kind": "annex",
            "title": "Figures",
            "files": [{"language": "en", "name": "figures.xlsx", "sha256": sha(ANNEX)}],
        },
    ]


def test_dump_import_dump_is_stable_with_the_files_in_the_store(dumped, runner, tmp_path):
    copy = dumped.replace("slug: idm-2010", "slug: idm-2010-copy")
    path = tmp_path / "copy.yaml"
    path.write_text(copy, encoding="utf-8")
    result = runner.invoke(args=["consultations", "import", str(path)])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["consultations", "dump", "idm-2010-copy"])
    assert again.output == copy
    c = db.session.scalar(sa.select(Consultation).where(Consultation.slug == "idm-2010-copy"))
    rows = db.session.scalars(
        sa.select(AttachmentFile)
        .join(Attachment)
        .where(Attachment.consultation_id == c.id)
        .order_by(AttachmentFile.id)
    ).all()
    superseded = [r for r in rows if r.superseded_at is not None]
    assert [(r.language, r.version) for r in superseded] == [("en", 1)]


def test_import_into_an_empty_store_needs_the_files(app, dumped, runner, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENTS_DIR", str(tmp_path / "new-store"))
    copy = dumped.replace("slug: idm-2010", "slug: idm-2010-copy")
    path = tmp_path / "copy.yaml"
    path.write_text(copy, encoding="utf-8")
    before = snapshot()
    missing = runner.invoke(args=["consultations", "import", str(path)])
    assert missing.exit_code == 1
    assert "IC-2009-1_en.pdf: not in the store; give --files DIR with the file" in missing.output
    assert snapshot() == before

    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "IC-2009-1_en.pdf").write_bytes(NOTE_EN)
    (folder / "IC-2009-1_fr.pdf").write_bytes(NOTE_FR)
    (folder / sha(ANNEX)).write_bytes(ANNEX)  # found by its digest too
    (folder / "IC-2009-1_en_rev1.pdf").write_bytes(samples.pdf("Rev.0"))  # not the one named
    wrong = runner.invoke(args=["consultations", "import", str(path), "--files", str(folder)])
    assert wrong.exit_code == 1
    assert "IC-2009-1_en_rev1.pdf does not match its sha256" in wrong.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consultation)) == 1

    (folder / "IC-2009-1_en_rev1.pdf").write_bytes(samples.pdf("Rev.1"))
    done = runner.invoke(args=["consultations", "import", str(path), "--files", str(folder)])
    assert done.exit_code == 0, done.output
    for data in (NOTE_EN, NOTE_FR, ANNEX, samples.pdf("Rev.1")):
        assert storage.path_of(sha(data)).read_bytes() == data


def test_a_disguised_file_is_refused_on_import(app, runner, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENTS_DIR", str(tmp_path / "store"))
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "note.pdf").write_bytes(samples.EXECUTABLE)
    text = f"""\
slug: idm-2012
title: IDM 2012
closes_at: 2012-12-15T18:00:00+01:00
documents:
  - kind: note
    files:
      - language: en
        name: note.pdf
        sha256: {sha(samples.EXECUTABLE)}
"""
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    before = snapshot()
    result = runner.invoke(args=["consultations", "import", str(path), "--files", str(folder)])
    assert result.exit_code == 1
    assert f"{path}:7: documents[1].files[1]: note.pdf: not a PDF, DOCX, XLSX or ODT file" in (
        result.output
    )
    assert snapshot() == before


def test_a_bad_documents_section_names_its_lines(runner, tmp_path):
    text = """\
slug: idm-2012
title: IDM 2012
closes_at: 2012-12-15T18:00:00+01:00
documents:
  - kind: note
    colour: red
    files:
      - language: de
        name: ../note.pdf
        sha256: abc
  - kind: note
    files: []
"""
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    before = snapshot()
    result = runner.invoke(args=["consultations", "import", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    for expected in (
        f"{path}:6: documents[1].colour: unknown field",
        f"{path}:8: documents[1].files[1].language: expected en, fr or es",
        f"{path}:9: documents[1].files[1].name: a file name, without folders",
        f"{path}:10: documents[1].files[1].sha256: expected the SHA-256 of the file "
        "(64 hexadecimal digits)",
        f"{path}:11: documents[2].kind: a consultation has one discussion note; make this an annex",
        f"{path}:12: documents[2].files: expected a list of files (at least one)",
    ):
        assert expected in lines, result.output
    assert snapshot() == before


def test_the_demo_carries_its_discussion_note_in_three_languages(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    theme = db.session.scalar(sa.select(Consultation).where(Consultation.slug == "idm-2010-theme"))
    note = db.session.scalars(
        sa.select(Attachment).where(Attachment.consultation_id == theme.id)
    ).one()
    assert sorted((f.language, f.name) for f in note.files) == [
        ("en", "IC-2009-1_en.pdf"),
        ("es", "IC-2009-1_es.pdf"),
        ("fr", "IC-2009-1_fr.pdf"),
    ]
    for f in note.files:
        assert storage.path_of(f.sha256).is_file()
    dumped = runner.invoke(args=["consultations", "dump", "idm-2010-theme"]).output
    assert "sha256: e771f0ffc8416b1e17e7cdd5d0f15185f8b2e0aff9838089ff227aa37a0f62da" in dumped


def test_verify_finds_missing_and_altered_files(app, runner, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENTS_DIR", str(tmp_path / "store"))
    AdminFactory(email="admin@example.org")
    admin = signed_in_client(app, "admin@example.org")
    build_consultation(status="draft")
    add_document(admin, "idm-2010", NOTE_EN, "IC-2009-1_en.pdf")
    (note,) = files()
    add_file(admin, "idm-2010", note.attachment_id, NOTE_FR, "IC-2009-1_fr.pdf", language="fr")
    intact = runner.invoke(args=["documents", "verify"])
    assert intact.exit_code == 0, intact.output
    assert "documents intact (2 files" in intact.output
    storage.path_of(sha(NOTE_EN)).write_bytes(samples.pdf("tampered"))
    storage.path_of(sha(NOTE_FR)).unlink()
    broken = runner.invoke(args=["documents", "verify"])
    assert broken.exit_code == 1
    assert "altered: idm-2010: IC-2009-1_en.pdf (en, version 1" in broken.output
    assert "missing: idm-2010: IC-2009-1_fr.pdf (fr, version 1" in broken.output
