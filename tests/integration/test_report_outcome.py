"""The results document shows the outcome as recorded: the text, the options the
Administration selected beside the official result, the reason it departs from it, the errata
with the texts they replaced, the early closing, and the responses the secretariat entered."""

from __future__ import annotations

import io
import os
from datetime import UTC, date, datetime

import docx
import openpyxl
import pypdf
import pytest

from consult.ballots import onbehalf
from consult.consultations import cycle
from consult.core import clock
from consult.core.text import Text
from consult.results.docmodel import outline
from tests.factories import AdminFactory
from tests.integration.results_helpers import cast
from tests.integration.test_report_documents import (  # noqa: F401 - the fixtures
    GOLDEN,
    counted,
    counted_rows,
    document_of,
    post_document,
)

FIRST = Text(
    "The membership has selected *Migration and Social Change*.",
    "Les membres ont retenu *Migration et changement social*.",
    "Los miembros han elegido *Migración y cambio social*.",
)
CORRECTED = Text(
    "The membership has selected *Migration and Social Change* as the theme of IDM 2010.",
    "Les membres ont retenu *Migration et changement social* comme thème du DIM 2010.",
    "Los miembros han elegido *Migración y cambio social* como tema del DIM 2010.",
)
DEPARTURE = Text(
    "The Council asked for a theme that follows last year's.",
    "Le Conseil a demandé un thème dans la continuité de l'an dernier.",
    "El Consejo pidió un tema en continuidad con el del año pasado.",
)
ERRATUM = Text(
    "The theme's year was missing.",
    "L'année du thème manquait.",
    "Faltaba el año del tema.",
)


def at(day: int, hour: int = 10):
    return clock.freeze(datetime(2026, 2, day, hour, 0, tzinfo=UTC))


@pytest.fixture
def decided(counted, app):  # noqa: F811 - the fixture imported above
    """``counted``, closed early with a reason; the late note verbale of State LLL entered by
    the secretariat; an outcome selecting another theme than the official winner, with the
    reason; published, then corrected by an erratum."""
    from consult.ballots.services import load_consultation

    admin = AdminFactory(name="Head of Secretariat")
    with at(3):
        cycle.close_consultation(
            counted.id, actor_id=admin.id, reason=Text("Every region has answered.")
        )
    late = next(m for m in load_consultation(counted.slug).invited if m.code == "LLL")
    with at(4):
        cast(
            counted,
            late,
            ranking=[1, 2],
            choice=[1, 2],
            entered=onbehalf.Provenance(
                onbehalf.Channel.NOTE_VERBALE,
                date(2026, 2, 2),
                "NV/LLL/2026/3",
                late=True,
                reason="Received in time at the mission, forwarded late.",
            ),
        )
    c = load_consultation(counted.slug)
    theme = c.questions[0].options[1]  # Migration and Social Change, not the official winner
    workshops = [o.id for o in c.questions[1].options[:2]]  # the official result
    with at(5):
        cycle.record_outcome(
            c.id,
            FIRST,
            Text(
                "Chosen at the 110th session.",
                "Choisi à la 110e session.",
                "Elegido en la 110.ª sesión.",
            ),
            actor_id=admin.id,
            selected=[theme.id, *workshops],
            reason=DEPARTURE,
        )
    with at(6):
        cycle.publish(c.id, actor_id=admin.id, notify=False)
    with at(7):
        cycle.correct_outcome(c.id, CORRECTED, ERRATUM, actor_id=admin.id, notify=False)
    return counted


def recorded_lines(lines: list[str]) -> list[str]:
    """The parts of the outline this test is about: the facts, the outcome, the responses
    entered by the secretariat and the first question's official result (to its method)."""
    keep: list[str] = []
    part = "facts"
    sections = 0
    for line in lines:
        if line.startswith("# "):
            sections += 1
            part = "outcome" if sections == 1 else "question" if line.startswith("# 1. ") else ""
        elif line.startswith("### ") and part in ("", "entered"):
            secretariat = ("secretariat", "secrétariat", "secretaría")
            part = "entered" if line.endswith(secretariat) else ""
        elif part == "facts" and line.startswith("[table]"):
            part = ""
        elif part == "question" and line.startswith("[note]"):
            part = "done"
        if part in ("facts", "outcome", "entered", "question"):
            keep.append(line)
    return keep


@pytest.mark.parametrize("locale", ["en", "fr", "es"])
def test_the_recorded_outcome_in_the_golden_outline(decided, locale):
    """Golden test of what the document says of the outcome (regenerate with
    UPDATE_GOLDEN=1 after a deliberate change, and read the diff)."""
    text = "\n".join(recorded_lines(list(outline(document_of(decided.slug, locale))))) + "\n"
    golden = GOLDEN / f"outcome-{locale}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_the_outcome_follows_what_the_pages_show(decided):
    lines = list(outline(document_of(decided.slug, "en")))
    joined = "\n".join(lines)
    # The current text, without its Markdown, then the earlier one kept under the erratum.
    assert (
        "[result] The membership has selected Migration and Social Change as the theme of "
        "IDM 2010." in lines
    )
    assert "[note] The membership has selected Migration and Social Change." in lines
    assert (
        "Corrected on 7 February 2026, 11:00 CET (Europe/Zurich). "
        "Reason: The theme's year was missing." in lines
    )
    assert "The Council asked for a theme that follows last year's." in lines
    assert (
        "  1 | Rank the themes | Migration and Social Change | South-South Migration | no" in lines
    )
    assert (
        "  2 | Pick two workshops | Workshop 1, Workshop 2 | Workshop 2, Workshop 1 | yes" in lines
    )
    assert "Closed early: 3 February 2026, 11:00 CET (Europe/Zurich)" in lines
    assert "Reason for closing early: Every region has answered." in lines
    assert "Deadline: 8 February 2026, 12:59 CET (Europe/Zurich)" in lines
    assert (
        "Entered by the secretariat (Ana Secretariat) from note verbale NV/LLL/2026/3 of "
        "2 February 2026 · Late entry: Received in time at the mission, forwarded late." in joined
    )


def test_the_french_files_show_the_outcome_the_erratum_and_the_entry(client, auth, decided):
    AdminFactory(email="officer@example.org")
    auth.login("officer@example.org")

    pdf = pypdf.PdfReader(io.BytesIO(post_document(client, decided.slug, "pdf").data))
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert "Résultat" in text
    assert "comme thème du DIM 2010" in text
    assert "Motif : L'année du thème manquait." in text
    assert "Texte antérieur :" in text
    assert "Le Conseil a demandé un thème dans la continuité de l'an dernier." in text
    assert "Close par anticipation" in text
    assert "note verbale NV/LLL/2026/3" in text

    word = docx.Document(io.BytesIO(post_document(client, decided.slug, "docx").data))
    paragraphs = "\n".join(p.text for p in word.paragraphs)
    assert "Pourquoi la décision s’écarte du résultat officiel" in [
        p.text for p in word.paragraphs if p.style.name.startswith("Heading")
    ]
    assert "Les membres ont retenu Migration et changement social comme thème du DIM 2010." in (
        paragraphs
    )
    selected = next(
        t
        for t in word.tables
        if [c.text for c in t.rows[0].cells][2:3] == ["Retenu par l’Administration"]
    )
    assert [c.text for c in selected.rows[1].cells][2:] == [
        "Migration et changement social",
        "Migration Sud-Sud",
        "non",
    ]

    book = openpyxl.load_workbook(io.BytesIO(post_document(client, decided.slug, "xlsx").data))
    responses = book["Réponses"]
    header = [c.value for c in next(responses.iter_rows())]
    row = next(
        dict(zip(header, r, strict=True))
        for r in responses.iter_rows(2, None, values_only=True)
        if r[0] == "LLL"
    )
    assert row["Saisi par le secrétariat"] == "Ana Secretariat"
    assert row["Reçue par"] == "Note verbale"
    assert row["Date de réception"].date() == date(2026, 2, 2)  # a date cell
    assert row["Saisie tardive"] == "oui"
    assert row["Motif de la saisie tardive"] == "Received in time at the mission, forwarded late."
    participation = [
        [c for c in r if c is not None] for r in book["Participation"].iter_rows(values_only=True)
    ]
    entered = next(r for r in participation if r[:2] == ["State LLL", "LLL"])
    assert entered[2] == 1  # the revision, a number
    assert "note verbale NV/LLL/2026/3 du 2 février 2026" in entered[3]
    assert entered[4] == "oui"
