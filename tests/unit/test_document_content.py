"""Uploaded files judged by their content, and cleaned names (pure)."""

from __future__ import annotations

import io
import unicodedata

import pytest
from hypothesis import given

from consult.documents.content import (
    DOCX,
    ODT,
    PDF,
    XLSX,
    Issue,
    Limits,
    Refused,
    clean_name,
    sniff,
)
from tests import document_files as files
from tests.strategies import text


def judge(data: bytes, limits: Limits | None = None):
    return sniff(io.BytesIO(data), len(data), limits or Limits())


@pytest.mark.parametrize(
    ("data", "expected"),
    [(files.pdf(), PDF), (files.docx(), DOCX), (files.xlsx(), XLSX), (files.odt(), ODT)],
)
def test_accepted_types_are_recognised_by_content(data, expected):
    assert judge(data) is expected


@pytest.mark.parametrize(
    ("data", "issue"),
    [
        (b"", Issue.EMPTY),
        (files.EXECUTABLE, Issue.NOT_ALLOWED),
        (files.HTML, Issue.NOT_ALLOWED),
        (b"%PDF-1.4\n1 0 obj<<>>endobj\n", Issue.DAMAGED),  # cut short: no %%EOF
        (files.docx()[:-40], Issue.DAMAGED),  # archive cut short
        (files.odt("spreadsheet"), Issue.NOT_ALLOWED),  # ODS is not ODT
        (files.zip_bomb_docx(5), Issue.ZIP_BOMB),
        (files.overlapping_docx(), Issue.ZIP_BOMB),
        (b"PK\x03\x04" + b"\x00" * 100, Issue.DAMAGED),
    ],
)
def test_refused_files(data, issue):
    with pytest.raises(Refused) as refused:
        judge(data)
    assert refused.value.issue is issue


def test_macro_enabled_word_is_not_docx():
    data = files._zip(
        [
            (
                "[Content_Types].xml",
                files.DOCX_TYPES.replace(
                    "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                    "vnd.ms-word.document.macroEnabled.main+xml",
                ).encode(),
            ),
            ("word/document.xml", b"<w:document/>"),
        ]
    )
    with pytest.raises(Refused) as refused:
        judge(data)
    assert refused.value.issue is Issue.NOT_ALLOWED


def test_total_unpacked_size_is_bounded():
    # Modest ratio per entry, but too much in total for the limit.
    data = files._zip(
        [("[Content_Types].xml", files.DOCX_TYPES.encode()), ("word/document.xml", b"x" * 4000)]
        + [(f"word/media/{i}.bin", bytes(range(256)) * 40) for i in range(5)]
    )
    assert judge(data) is DOCX
    with pytest.raises(Refused) as refused:
        judge(data, Limits(unpacked_max=20_000))
    assert refused.value.issue is Issue.ZIP_BOMB


def test_too_many_entries():
    with pytest.raises(Refused) as refused:
        judge(files.docx(), Limits(entries_max=2))
    assert refused.value.issue is Issue.ZIP_BOMB


@pytest.mark.parametrize(
    ("name", "file_type", "expected"),
    [
        ("IC-2010-1_en.pdf", PDF, "IC-2010-1_en.pdf"),
        ("../../etc/passwd.pdf", PDF, "passwd.pdf"),
        ("C:\\Users\\mission\\Note verbale.PDF", PDF, "Note verbale.pdf"),
        ("Note\x00verbale.pdf", PDF, "Noteverbale.pdf"),
        ("report\u202eexe.pdf", PDF, "reportexe.pdf"),  # right-to-left override removed
        ("\u200fNote\u200b.pdf", PDF, "Note.pdf"),
        ("Programme.pdf", DOCX, "Programme.docx"),  # the content decides the extension
        ("invoice.exe", PDF, "invoice.pdf"),
        ("CON.pdf", PDF, "_CON.pdf"),
        ("...", PDF, "document.pdf"),
        ("", ODT, "document.odt"),
        ('a<b>c:"d"|e?f*.pdf', PDF, "a b c d e f.pdf"),
        ("Note\r\nde discussion.pdf", PDF, "Notede discussion.pdf"),
        ("Re\u0301sume\u0301.pdf", PDF, "Résumé.pdf"),  # NFC
    ],
)
def test_clean_name(name, file_type, expected):
    assert clean_name(name, file_type) == expected


def test_long_names_are_cut_before_the_extension():
    cleaned = clean_name("x" * 300 + ".pdf", PDF)
    assert cleaned == "x" * 100 + ".pdf"


@given(text(max_size=400))
def test_any_name_gives_a_safe_name(name):
    cleaned = clean_name(name, DOCX)
    assert cleaned.endswith(".docx")
    assert len(cleaned) <= 105
    assert len(cleaned) > len(".docx")
    assert not any(c in cleaned for c in '/\\<>:"|?*;')
    assert not any(unicodedata.category(c) in {"Cc", "Cf", "Cs", "Co", "Cn"} for c in cleaned)
    assert not cleaned.startswith((" ", "."))
