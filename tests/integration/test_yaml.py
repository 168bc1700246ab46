"""``consult consultations import | dump | list`` on a real database."""

from __future__ import annotations

import gc
from textwrap import dedent, indent

import pytest
import sqlalchemy as sa

from consult.consultations.models import Consultation
from consult.extensions import db
from tests.factories import MemberFactory, build_consultation
from tests.integration.builder_helpers import snapshot
from tests.integration.test_report_documents import (  # noqa: F401 - fixtures
    counted,
    counted_rows,
)
from tests.integration.test_report_outcome import decided  # noqa: F401 - a fixture

THEME = dedent(
    """\
    slug: idm-2011-theme
    title:
      en: "IDM 2011: choice of the theme"
      fr: "DIM 2011 : choix du thème"
      es: "DIM 2011: elección del tema"
    reference: IC/2010/1
    summary: Please rank the themes.
    status: draft
    opens_at: 2010-11-02T09:00:00+01:00
    closes_at: 2010-12-15T18:00:00+01:00
    observers_may: vote
    invite: [CHE, MEX]
    questions:
      - kind: ranking
        prompt: Rank the proposed themes
        allow_write_in: true
        official_method: schulze
        options:
          - label: {en: Migration and Health, es: Migración y salud}
            suggested_by: [MEX]
          - label: Migration and Climate
      - kind: likert
        prompt: How useful was the Dialogue?
        scale:
          - {en: Not useful, fr: Pas utile, es: Nada útil}
          - {en: Useful, fr: Utile, es: Útil}
    """
)


@pytest.fixture
def members(app):
    return [MemberFactory(code=code) for code in ("CHE", "MEX", "FRA")]


def write(tmp_path, text: str, name: str = "c.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_creates_the_consultation_with_its_questions(runner, tmp_path, members):
    result = runner.invoke(args=["consultations", "import", write(tmp_path, THEME)])
    assert result.exit_code == 0, result.output
    assert "imported idm-2011-theme (draft, 2 questions)" in result.output
    c = db.session.scalars(sa.select(Consultation)).one()
    assert c.localized("title", "es") == "DIM 2011: elección del tema"
    assert [m.code for m in c.invited] == ["CHE", "MEX"]
    assert c.questions[0].official_method.value == "schulze"
    assert [m.code for m in c.questions[0].options[0].suggested_by] == ["MEX"]
    assert c.questions[1].scale[0] == {"en": "Not useful", "fr": "Pas utile", "es": "Nada útil"}


def test_errors_name_the_file_and_line_and_nothing_is_written(runner, tmp_path, members):
    bad = (
        THEME.replace("invite: [CHE, MEX]", "invite: [CHE, ZZZ]")
        .replace("official_method: schulze", "official_method: condorcet")
        .replace("    suggested_by: [MEX]\n", "    suggested_by: [MEX]\n        colour: red\n")
    )
    path = write(tmp_path, bad)
    before = snapshot()
    result = runner.invoke(args=["consultations", "import", path])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"{path}:17: questions[1].official_method: expected one of irv, schulze, borda" in lines
    assert f"{path}:21: questions[1].options[1].colour: unknown field" in lines
    assert "nothing was imported" in result.output
    assert snapshot() == before


def test_unknown_members_are_reported_after_the_file_is_well_formed(runner, tmp_path, members):
    path = write(tmp_path, THEME.replace("invite: [CHE, MEX]", "invite: [CHE, ZZZ]"))
    before = snapshot()
    result = runner.invoke(args=["consultations", "import", path])
    assert result.exit_code == 1
    assert f"{path}:12: invite: no member with code ZZZ" in result.output
    assert snapshot() == before


def test_a_file_with_several_consultations_is_imported_whole_or_not_at_all(
    runner, tmp_path, members
):
    first = indent(THEME, "    ")[4:]
    second = first.replace("idm-2011-theme", "idm-2011-survey").replace(
        "closes_at: 2010-12-15T18:00:00+01:00", "closes_at: 2010-10-15T18:00:00+01:00"
    )
    text = "consultations:\n  - " + first + "  - " + second
    path = write(tmp_path, text)
    before = snapshot()
    result = runner.invoke(args=["consultations", "import", path])
    assert result.exit_code == 1
    assert "closes_at: The deadline must come after the opening." in result.output
    assert snapshot() == before
    fixed = text.replace(
        "closes_at: 2010-10-15T18:00:00+01:00", "closes_at: 2010-12-16T18:00:00+01:00"
    )
    result = runner.invoke(args=["consultations", "import", write(tmp_path, fixed)])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consultation)) == 2


def test_the_same_slug_is_refused_unless_replacing_a_draft(runner, tmp_path, members):
    path = write(tmp_path, THEME)
    assert runner.invoke(args=["consultations", "import", path]).exit_code == 0
    again = runner.invoke(args=["consultations", "import", path])
    assert again.exit_code == 1
    assert f"{path}:1: slug: a consultation idm-2011-theme already exists" in again.output
    changed = write(
        tmp_path, THEME.replace("Migration and Climate", "Migration and Climate Change")
    )
    replaced = runner.invoke(args=["consultations", "import", "--replace", changed])
    assert replaced.exit_code == 0, replaced.output
    c = db.session.scalars(sa.select(Consultation)).one()
    assert c.questions[0].options[1].label == "Migration and Climate Change"


def test_imported_questions_and_options_get_the_defaults_of_new_ones(runner, tmp_path, members):
    path = write(tmp_path, THEME + "  - kind: text\n    prompt: Anything else?\n")
    assert runner.invoke(args=["consultations", "import", path]).exit_code == 0
    result = runner.invoke(args=["consultations", "import", "--replace", path])
    assert result.exit_code == 0, result.output
    c = db.session.scalars(sa.select(Consultation)).one()
    ranking, likert, free = c.questions
    assert (free.kind.value, free.max_length, free.help, free.required) == ("text", 2000, "", False)
    assert (ranking.allow_partial, ranking.allow_option_comments, likert.official_method.value) == (
        True,
        False,
        "irv",
    )
    health, climate = ranking.options
    assert (health.translations, health.description, health.merged_from) == (
        {"es": {"label": "Migración y salud"}},
        "",
        [],
    )
    assert (climate.translations, [m.code for m in health.suggested_by]) == ({}, ["MEX"])
    assert (free.translations, free.settings) == ({}, {})


def test_an_import_leaves_the_garbage_collector_running(runner, tmp_path, members):
    bad = write(tmp_path, THEME.replace("invite: [CHE, MEX]", "invite: [CHE, ZZZ]"), "bad.yaml")
    assert runner.invoke(args=["consultations", "import", bad]).exit_code == 1
    assert gc.isenabled()
    assert runner.invoke(args=["consultations", "import", write(tmp_path, THEME)]).exit_code == 0
    assert gc.isenabled()


def test_an_open_consultation_cannot_be_replaced(runner, tmp_path):
    build_consultation("idm-2011-theme")
    path = write(tmp_path, THEME.replace("invite: [CHE, MEX]", "invite: all"))
    before = snapshot()
    result = runner.invoke(args=["consultations", "import", "--replace", path])
    assert result.exit_code == 1
    assert "is no longer a draft; it cannot be replaced" in result.output
    assert snapshot() == before


def test_a_file_that_is_not_utf8_is_refused(runner, tmp_path, members):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(THEME.replace("thème", "th\xe8me").encode("latin-1"))
    result = runner.invoke(args=["consultations", "import", str(path)])
    assert result.exit_code == 1
    assert "not UTF-8" in result.output


def test_dump_then_import_then_dump_is_stable(runner, tmp_path, members):
    runner.invoke(args=["consultations", "import", write(tmp_path, THEME)])
    first = runner.invoke(args=["consultations", "dump", "idm-2011-theme"])
    assert first.exit_code == 0
    assert "closes_at: '2010-12-15T18:00:00+01:00'" in first.output
    moved = first.output.replace("slug: idm-2011-theme", "slug: idm-2011-copy")
    result = runner.invoke(args=["consultations", "import", write(tmp_path, moved, "copy.yaml")])
    assert result.exit_code == 0, result.output
    second = runner.invoke(args=["consultations", "dump", "idm-2011-copy"])
    assert second.output == moved


def test_dump_of_a_published_consultation_with_outcome_round_trips(runner, tmp_path, members):
    published = THEME.replace("status: draft", "status: published") + dedent(
        """\
        outcome:
          en: The membership has selected *Migration and Health*.
          es: Los miembros han elegido *Migración y salud*.
        rationale: Most first preferences.
        published_at: 2010-12-20T10:00:00+01:00
        """
    )
    assert (
        runner.invoke(args=["consultations", "import", write(tmp_path, published)]).exit_code == 0
    )
    first = runner.invoke(args=["consultations", "dump", "idm-2011-theme"]).output
    assert "published_at: '2010-12-20T10:00:00+01:00'" in first
    copy = first.replace("slug: idm-2011-theme", "slug: idm-2011-copy")
    assert runner.invoke(args=["consultations", "import", write(tmp_path, copy)]).exit_code == 0
    assert runner.invoke(args=["consultations", "dump", "idm-2011-copy"]).output == copy


def test_the_demo_dumps_and_reimports(runner, tmp_path):
    assert runner.invoke(args=["demo"]).exit_code == 0
    for slug in ("idm-2010-theme", "idm-2010-workshops", "idm-effectiveness-survey"):
        first = runner.invoke(args=["consultations", "dump", slug]).output
        copy = first.replace(f"slug: {slug}", f"slug: {slug}-copy")
        result = runner.invoke(
            args=["consultations", "import", write(tmp_path, copy, f"{slug}.yaml")]
        )
        assert result.exit_code == 0, result.output
        assert runner.invoke(args=["consultations", "dump", f"{slug}-copy"]).output == copy


def test_list_shows_slug_status_deadline_and_title(runner):
    build_consultation("idm-2010")
    build_consultation("idm-2011", status="draft", closes_in_days=30)
    result = runner.invoke(args=["consultations", "list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split()[:2] == ["idm-2011", "draft"]
    assert lines[1].split()[:2] == ["idm-2010", "open"]
    assert "(Europe/Zurich)  IDM 2010 theme" in lines[1]


def test_dump_of_an_unknown_slug(runner):
    result = runner.invoke(args=["consultations", "dump", "nothing"])
    assert result.exit_code == 1
    assert "no consultation nothing" in result.output


def test_administrators_download_the_yaml(client, auth, members, runner, tmp_path):
    from tests.integration.builder_helpers import sign_in_admin

    runner.invoke(args=["consultations", "import", write(tmp_path, THEME)])
    sign_in_admin(auth)
    response = client.get("/admin/consultations/idm-2011-theme/consultation.yaml")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="idm-2011-theme.yaml"'
    assert (
        response.get_data(as_text=True)
        == runner.invoke(args=["consultations", "dump", "idm-2011-theme"]).output
    )


DECIDED = THEME.replace("status: draft", "status: published").replace(
    "closes_at: 2010-12-15T18:00:00+01:00", "closes_at: 2010-12-10T12:00:00+01:00"
) + dedent(
    """\
    outcome:
      en: The membership has selected *Migration and Climate* for IDM 2011.
      fr: Les membres ont retenu *Migration et climat* pour le DIM 2011.
    outcome_selected:
      - question: 1
        options: [2]
    outcome_reason:
      en: The Council asked for a theme that follows last year's.
      es: El Consejo pidió un tema en continuidad con el del año pasado.
    rationale: Most first preferences.
    closed_early:
      deadline: 2010-12-15T18:00:00+01:00
      reason: Every region has answered.
    published_at: 2010-12-20T10:00:00+01:00
    errata:
      - corrected_at: 2010-12-21T09:30:00+01:00
        reason: The year was missing.
        before:
          en: The membership has selected *Migration and Climate*.
          fr: Les membres ont retenu *Migration et climat*.
        after:
          en: The membership has selected *Migration and Climate* for IDM 2011.
          fr: Les membres ont retenu *Migration et climat* pour le DIM 2011.
    """
)


def test_the_recorded_outcome_round_trips(runner, tmp_path, members):
    """Selected options, the reason for departing from the count, the early closing and the
    errata travel with the consultation: dump → import → dump is stable."""
    result = runner.invoke(args=["consultations", "import", write(tmp_path, DECIDED)])
    assert result.exit_code == 0, result.output
    c = db.session.scalars(sa.select(Consultation)).one()
    assert [o.label for o in c.selected_options] == ["Migration and Climate"]
    assert c.localized("outcome_reason", "es").startswith("El Consejo pidió")
    assert c.closed_early
    assert c.close_reason == "Every region has answered."
    assert c.original_closes_at.isoformat() == "2010-12-15T17:00:00+00:00"
    assert [e.number for e in c.errata] == [1]
    assert c.errata[0].before["fr"] == "Les membres ont retenu *Migration et climat*."
    first = runner.invoke(args=["consultations", "dump", "idm-2011-theme"]).output
    for line in (
        "outcome_selected:\n- question: 1\n  options:\n  - 2\n",
        "closed_early:\n  deadline: '2010-12-15T18:00:00+01:00'\n  reason: Every region",
        "errata:\n- corrected_at: '2010-12-21T09:30:00+01:00'\n  reason: The year was missing.\n",
    ):
        assert line in first
    copy = first.replace("slug: idm-2011-theme", "slug: idm-2011-copy")
    result = runner.invoke(args=["consultations", "import", write(tmp_path, copy, "copy.yaml")])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["consultations", "dump", "idm-2011-copy"]).output == copy


def test_a_reason_for_closing_early_in_three_languages_round_trips(runner, tmp_path, members):
    translated = DECIDED.replace(
        "  reason: Every region has answered.\n",
        "  reason:\n    en: Every region has answered.\n    fr: Toutes les régions ont répondu.\n",
    )
    result = runner.invoke(args=["consultations", "import", write(tmp_path, translated)])
    assert result.exit_code == 0, result.output
    c = db.session.scalars(sa.select(Consultation)).one()
    assert c.localized("close_reason", "fr") == "Toutes les régions ont répondu."
    assert c.localized("close_reason", "es") == "Every region has answered."
    first = runner.invoke(args=["consultations", "dump", "idm-2011-theme"]).output
    assert "  reason:\n    en: Every region has answered.\n    fr: Toutes les régions" in first
    copy = first.replace("slug: idm-2011-theme", "slug: idm-2011-copy")
    result = runner.invoke(args=["consultations", "import", write(tmp_path, copy, "copy.yaml")])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["consultations", "dump", "idm-2011-copy"]).output == copy


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("options: [2]", "options: [3]"), "question 1 has no option 3"),
        (("- question: 1\n", "- question: 2\n"), "question 2 has no official result"),
        (("  reason: Every region has answered.\n", ""), "required: why it was closed"),
        (("  deadline: 2010-12-15T18", "  deadline: 2010-12-01T18"), "comes after closes_at"),
        (("status: published", "status: open"), "only a published outcome is corrected"),
        (("* for IDM 2011.\n      fr", "* in 2011.\n      fr"), "text is the outcome"),
        (
            ("corrected_at: 2010-12-21", "corrected_at: 2010-12-19"),
            "before the publication or the erratum above",
        ),
    ],
)
def test_a_recorded_outcome_that_does_not_hold_together_is_refused(
    runner, tmp_path, members, change, message
):
    text = DECIDED.replace(*change)
    assert text != DECIDED
    result = runner.invoke(args=["consultations", "import", write(tmp_path, text)])
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(sa.select(sa.func.count(Consultation.id))) == 0


def test_an_outcome_recorded_through_its_pages_round_trips(runner, tmp_path, decided):  # noqa: F811
    """The consultation of the results-document tests: closed early, a late entry, an outcome
    departing from the count, published, corrected."""
    first = runner.invoke(args=["consultations", "dump", decided.slug]).output
    assert "outcome_selected:\n- question: 1\n  options:\n  - 2\n- question: 2\n" in first
    assert "reason: Every region has answered." in first
    copy = first.replace(f"slug: {decided.slug}", "slug: idm-2010-copy")
    result = runner.invoke(args=["consultations", "import", write(tmp_path, copy, "copy.yaml")])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["consultations", "dump", "idm-2010-copy"]).output == copy
