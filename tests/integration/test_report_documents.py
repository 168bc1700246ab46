"""The results document: one model in three languages, and the files an officer opens."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from consult.core import clock
from consult.members.models import MemberKind
from consult.results import compose, services
from consult.results.docmodel import Document, Table, outline
from tests.factories import AdminFactory, MemberFactory, RegionFactory, build_consultation
from tests.integration.results_helpers import cast

GOLDEN = Path(__file__).parent.parent / "golden"
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
WINNER_FR = "Migration Sud-Sud"


@pytest.fixture
def counted(app):
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
    assert ("Cote", "IC/2009/1") in doc.facts or any("IC/2009/1" in v for _, v in doc.facts)
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
    from consult.extensions import db

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
