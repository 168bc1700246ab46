"""The results document: one model in three languages, and the files an officer opens."""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime
from pathlib import Path

import docx
import openpyxl
import pypdf
import pytest
import sqlalchemy as sa
from flask import Flask

from consult.consultations.models import Consultation
from consult.core import clock
from consult.core.audit import AuditEvent
from consult.extensions import db
from consult.members.models import MemberKind
from consult.results import compose, services
from consult.results.docmodel import Document, Percent, Table, outline
from tests.conftest import Rows, csrf_token, empty_tables, restore, snapshot
from tests.factories import (
    AdminFactory,
    MemberFactory,
    RegionFactory,
    UserFactory,
    build_consultation,
)
from tests.integration.results_helpers import cast

GOLDEN = Path(__file__).parent.parent / "golden"
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
WINNER_FR = "Migration Sud-Sud"


@pytest.fixture(scope="module")
def counted_rows(app: Flask) -> Rows:
    """The rows of :func:`count`, built once for the module (seven ballots cast through the
    save); the tables are left empty for the next test."""
    with app.app_context():
        count()
        rows = snapshot()
        db.session.remove()
        empty_tables()
    return rows


@pytest.fixture
def counted(counted_rows: Rows) -> Consultation:
    """The counted consultation as :func:`count` left it, put back for each test."""
    restore(counted_rows)
    return db.session.scalars(sa.select(Consultation)).one()


def count() -> Consultation:
    """Five member states answer; instant runoff needs two rounds (Migration and Health is
    eliminated and its ballot passes to South-South Migration, which wins)."""
    with clock.freeze(datetime(2026, 2, 1, 12, 0, tzinfo=UTC)):
        africa = RegionFactory(name="Africa", translations={"fr": {"name": "Afrique"}})
        europe = RegionFactory(name="Europe")
        states = [
            MemberFactory(code=code, name=f"State {code}", region=region)
            for code, region in (
                ("AAA", africa),
                ("BBB", africa),
                ("CCC", europe),
                ("DDD", europe),
                ("EEE", europe),
            )
        ]
        late = MemberFactory(code="LLL", name="State LLL", region=europe)
        observer = MemberFactory(code="OBS", name="Observer Org", kind=MemberKind.OBSERVER_ORG)
        c = build_consultation()
        ballots = (
            {"ranking": [2, 1], "choice": [1, 2], "value": 4, "write_in": "Migration and cities"},
            {"ranking": [2, 3], "choice": [2, 3], "value": 5, "comments": {2: "Timely."}},
            {"ranking": [1, 2], "choice": [1, 2], "value": "none"},
            {"ranking": [3, 1], "choice": [2, 4], "value": 2, "write_in": "migration and cities"},
            {"ranking": [1], "choice": [1, 2], "text": "Case studies from ports"},
        )
        for member, ballot in zip(states, ballots, strict=True):
            cast(c, member, **ballot)
        cast(c, late, ranking=[3], draft=True)
        cast(c, observer, comment="An observer's note")
    return c


def document_of(slug: str, locale: str) -> Document:
    from consult.ballots.services import load_consultation

    consultation = load_consultation(slug)
    return compose.compose(services.consultation_results(consultation), locale, NOW)


@pytest.mark.parametrize("locale", ["en", "fr", "es"])
def test_document_content_matches_the_golden_outline(counted, locale):
    """Golden test of the content (the model every format lays out), not of bytes: regenerate
    with UPDATE_GOLDEN=1 after a deliberate change, and read the diff."""
    text = "\n".join(outline(document_of(counted.slug, locale))) + "\n"
    golden = GOLDEN / f"report-{locale}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_the_french_document_states_symbol_turnout_and_official_result(counted):
    doc = document_of(counted.slug, "fr")
    assert doc.organisation == "Dialogue international sur la migration"
    assert doc.title == "Thème du DIM 2010"
    assert ("Référence", "IC/2009/1") in doc.facts
    lines = list(outline(doc))
    # Five of six invited member states submitted; the observer is counted apart.
    assert any("5 sur 6 États membres invités" in line for line in lines), lines[:30]
    question = doc.sections[1]
    assert question.title.startswith("1. ")
    result = next(b for b in question.blocks if getattr(b, "style", "") == "result")
    assert WINNER_FR in result.text
    rounds = next(b for b in question.blocks if isinstance(b, Table) and "Tour 2" in b.header)
    assert rounds.rows[0][1:] == (2, 3)  # South-South Migration: 2 then 3 ballots


def test_comments_and_names_only_when_results_are_attributed(counted, app):
    lines = "\n".join(outline(document_of(counted.slug, "en")))
    assert "Timely." not in lines
    assert "An observer's note" not in lines
    assert "Case studies from ports" not in lines
    counted.results_attributed = True
    db.session.commit()
    lines = "\n".join(outline(document_of(counted.slug, "en")))
    assert "State BBB: Timely." in lines
    assert "Observer Org (Observer): An observer's note" in lines
    assert "State EEE: Case studies from ports" in lines


def test_cli_writes_the_french_xlsx_with_numbers_in_cells(counted, runner, tmp_path):
    AdminFactory()
    out = tmp_path / "rapport.xlsx"
    result = runner.invoke(
        args=["report", counted.slug, "--format", "xlsx", "--lang", "fr", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    names = book.sheetnames
    assert names[:2] == ["Synthèse", "Participation"]
    assert names[-2:] == ["Réponses", "Commentaires"]
    summary = book[names[0]]
    values = [c for row in summary.iter_rows(values_only=True) for c in row if c is not None]
    assert "IC/2009/1" in values
    assert any(WINNER_FR in str(v) for v in values)
    assert summary.freeze_panes is not None

    participation = book["Participation"]
    rows = list(participation.iter_rows())
    states = next(r for r in rows if r[0].value == "États membres")
    assert [c.value for c in states[1:3]] == [6, 5]  # invited, submitted: numbers
    assert states[3].value == pytest.approx(5 / 6)
    assert "%" in states[3].number_format

    q1 = book["Q1"]
    first = next(r for r in q1.iter_rows() if r[0].value == WINNER_FR)
    assert isinstance(first[1].value, int)

    responses = book["Réponses"]
    header = [c.value for c in next(responses.iter_rows())]
    assert header[:2] == ["Code", "Membre"]
    by_code = {
        r[0]: dict(zip(header, r, strict=True))
        for r in responses.iter_rows(2, None, values_only=True)
    }
    assert by_code["AAA"]["Q1 rang: Migration Sud-Sud"] == 2
    assert by_code["AAA"]["Statut"] == "Soumis"
    assert by_code["LLL"]["Statut"] == "Brouillon seulement"
    assert isinstance(by_code["AAA"]["Soumis le (UTC)"], datetime)
    assert responses.freeze_panes == "C2"


def post_document(client, slug: str, fmt: str, lang: str = "fr"):
    token = csrf_token(client, f"/admin/consultations/{slug}/results")
    return client.post(
        f"/admin/consultations/{slug}/report.{fmt}", data={"csrf_token": token, "lang": lang}
    )


@pytest.fixture
def officer(client, auth, counted):
    AdminFactory(email="officer@example.org")
    auth.login("officer@example.org")
    return counted


def test_the_officer_downloads_the_french_pdf(client, officer):
    response = post_document(client, officer.slug, "pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=idm-2010-results-fr.pdf"
    assert response.headers["Cache-Control"] == "no-store"
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "IC/2009/1" in text
    assert "5 sur 6 États membres invités ont soumis une réponse (83,3%)" in " ".join(text.split())
    assert f"Option préférée : {WINNER_FR}" in text
    assert "Dialogue international sur la migration" in text
    assert "(Europe/Zurich)" in text  # dates with their time zone
    pages = len(reader.pages)
    assert f"Page {pages} sur {pages}" in reader.pages[-1].extract_text()
    assert reader.metadata.title == "Résultats de la consultation: Thème du DIM 2010"
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert all("Vera" in name for name in fonts), fonts  # the shipped font, embedded


def test_the_officer_downloads_the_french_docx_with_real_headings_and_tables(client, officer):
    response = post_document(client, officer.slug, "docx")
    assert response.status_code == 200
    word = docx.Document(io.BytesIO(response.data))
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert "Participation" in headings
    assert "1. Rank the themes" in headings
    assert "Résultat officiel" in headings
    titles = [p.text for p in word.paragraphs if p.style.name == "Title"]
    assert titles == ["Thème du DIM 2010"]
    text = "\n".join(p.text for p in word.paragraphs)
    assert "5 sur 6 États membres invités ont soumis une réponse (83,3%)" in text
    assert f"Option préférée\u00a0: {WINNER_FR}" in text
    facts = [[c.text for c in row.cells] for row in word.tables[0].rows]
    assert ["Référence", "IC/2009/1"] in facts
    first = next(t for t in word.tables if t.rows[0].cells[0].text == "Option")
    assert [c.text for c in first.rows[1].cells] == [WINNER_FR, "2", "40%"]
    assert (
        "Dialogue international sur la migration · IC/2009/1"
        in word.sections[0].header.paragraphs[0].text
    )
    svgs = [p for p in word.part.package.parts if p.content_type == "image/svg+xml"]
    assert len(svgs) == 4  # first preferences, Borda points, selections, Likert (vector)


def test_the_officer_downloads_the_french_xlsx(client, officer):
    response = post_document(client, officer.slug, "xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    q1 = book["Q1"]
    row = next(r for r in q1.iter_rows() if r[0].value == WINNER_FR)
    assert row[1].value == 2
    assert row[2].value == pytest.approx(0.4)
    assert "%" in row[2].number_format


def test_documents_are_logged_limited_and_refused_to_delegates(client, auth, officer):
    assert post_document(client, officer.slug, "xlsx", lang="es").status_code == 200
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "results_exported")
    ).all()
    assert [e.details["file"] for e in events] == ["report-es.xlsx"]
    assert post_document(client, officer.slug, "xlsx", lang="de").status_code == 400
    assert post_document(client, "no-such-thing", "pdf").status_code == 404
    assert client.get(f"/admin/consultations/{officer.slug}/report.pdf").status_code == 405
    assert (
        client.post(
            f"/admin/consultations/{officer.slug}/report.pdf", data={"lang": "fr"}
        ).status_code
        == 400
    )
    statuses = [
        post_document(client, officer.slug, "pdf", lang="xx").status_code for _ in range(28)
    ]
    assert statuses[:27] == [400] * 27
    assert statuses[27] == 429
    auth.logout()
    UserFactory(email="d@example.org")
    auth.login("d@example.org")
    token = csrf_token(client, "/")
    response = client.post(
        f"/admin/consultations/{officer.slug}/report.pdf", data={"csrf_token": token, "lang": "fr"}
    )
    assert response.status_code == 403


def test_the_results_page_offers_the_three_documents(client, officer):
    page = client.get(f"/admin/consultations/{officer.slug}/results").get_data(as_text=True)
    assert f'action="/admin/consultations/{officer.slug}/report.pdf"' in page
    assert f'formaction="/admin/consultations/{officer.slug}/report.docx"' in page
    assert f'formaction="/admin/consultations/{officer.slug}/report.xlsx"' in page


def test_cli_report_names_the_file_and_refuses_an_unknown_consultation(
    counted, runner, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(args=["report", counted.slug, "--format", "pdf", "--lang", "es"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "idm-2010-results-es.pdf").read_bytes().startswith(b"%PDF-")
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "results_exported")
    ).all()
    assert [e.details["file"] for e in events] == ["cli-pdf-es"]
    unknown = runner.invoke(args=["report", "nothing-here", "--format", "pdf"])
    assert unknown.exit_code != 0
    assert "no consultation 'nothing-here'" in unknown.output
    wrong = runner.invoke(args=["report", counted.slug, "--format", "odt"])
    assert wrong.exit_code != 0


def test_a_kind_the_document_does_not_lay_out_is_shown_from_its_csv_rows(counted, app):
    """A kind added later (funding intentions, say) still reaches the document: the composer
    falls back on the kind's rows of the results CSV, with the column names in words."""
    from flask_babel import force_locale

    from consult.ballots.services import load_consultation

    results = services.consultation_results(load_consultation(counted.slug))
    with force_locale("fr"):
        composer = compose._Composer(results, "fr", NOW)
        (table,) = composer.generic(results.questions[1])  # the choose-2 question
    assert table.header == ("Option", "Nombre", "Résultat officiel", "Part")
    assert table.rows[1][:3] == ("Workshop 2", 5, "oui")
    assert table.rows[1][3] == Percent(1.0)
    assert table.rows[2][:3] == ("Workshop 3", 1, "")
