"""Reading consultations from YAML: every error found at once, each naming its line."""

from __future__ import annotations

import gc
from datetime import UTC, datetime
from textwrap import dedent

import pytest

from consult.consultations import document
from consult.consultations.document import DocumentInvalid

GOOD = dedent(
    """\
    slug: idm-2010-theme
    title:
      en: "IDM 2010: choice of the overarching theme"
      fr: "DIM 2010 : choix du thème général"
    reference: IC/2009/1
    summary: |
      Please rank the **themes**.

      Or suggest another.
    status: draft
    opens_at: 2009-11-02T09:00:00+01:00
    closes_at: "2009-12-15T18:00:00+01:00"
    invite: all
    questions:
      - kind: ranking
        prompt: Rank the proposed themes
        allow_write_in: true
        official_method: schulze
        options:
          - label: {en: South-South Migration, es: Migración Sur-Sur}
            description: Between developing countries.
          - label: Migration and Social Change
      - kind: choose
        prompt: Pick two workshops
        min_choices: 2
        max_choices: 2
        options:
          - label: One
          - label: Two
          - label: Three
      - kind: likert
        prompt: How useful?
        scale: [Not useful, Useful, Very useful]
      - kind: text
        prompt: Suggestions
        max_length: 500
    """
)


def describe(problem):
    return f"<{problem.issue.value}>"


def read(text, **kwargs):
    data, lines = document.load(text)
    return document.read(data, lines, describe=describe, **kwargs)


def errors(text, **kwargs) -> list[str]:
    with pytest.raises(DocumentInvalid) as caught:
        read(text, **kwargs)
    return [str(e) for e in caught.value.errors]


def test_a_good_file_is_read_whole():
    (doc,) = read(GOOD)
    assert doc.slug == "idm-2010-theme"
    assert doc.title.fr == "DIM 2010 : choix du thème général"
    assert doc.title.es == ""
    assert doc.summary.en == "Please rank the **themes**.\n\nOr suggest another."
    assert doc.closes_at == datetime(2009, 12, 15, 17, 0, tzinfo=UTC)
    assert doc.opens_at == datetime(2009, 11, 2, 8, 0, tzinfo=UTC)
    assert doc.invite is None
    ranking, choose, likert, text = doc.questions
    assert [o.label.en for o in ranking.options] == [
        "South-South Migration",
        "Migration and Social Change",
    ]
    assert ranking.options[0].label.es == "Migración Sur-Sur"
    assert ranking.official_method == "schulze"
    assert (choose.min_choices, choose.max_choices) == (2, 2)
    assert [t.en for t in likert.scale] == ["Not useful", "Useful", "Very useful"]
    assert text.max_length == 500


def test_unknown_field_is_named_with_its_line():
    bad = GOOD.replace("    allow_write_in: true\n", "    allow_writein: true\n")
    assert errors(bad) == ["line 17: questions[1].allow_writein: unknown field"]


def test_a_field_that_does_not_apply_to_the_kind_is_refused():
    bad = GOOD.replace("    max_length: 500\n", "    max_length: 500\n    min_choices: 1\n")
    assert errors(bad) == ["line 37: questions[4].min_choices: unknown field"]


def test_every_error_is_reported_at_once_in_line_order():
    bad = (
        GOOD.replace("slug: idm-2010-theme", "slug: IDM 2010")
        .replace("    max_choices: 2\n", "    max_choices: 4\n")
        .replace("  - label: Three\n", "  - label: two\n")
        .replace("status: draft", "status: ongoing")
    )
    assert errors(bad) == [
        "line 1: slug: <slug_format>",
        "line 10: status: expected one of draft, open, closed, published",
        "line 26: questions[2].max_choices: <bound_exceeds_options>",
        "line 30: questions[2].options[3].label: <duplicate_label>",
    ]


def test_closing_before_opening_is_refused():
    bad = GOOD.replace("2009-11-02T09:00:00+01:00", "2009-12-16T09:00:00+01:00")
    assert errors(bad) == ["line 12: closes_at: <closes_before_opens>"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2009-12-15T18:00:00", "give the time with its offset"),
        ("2009-12-15", "give a time as well as a date"),
        ("'next Tuesday'", "expected a date and time"),
    ],
)
def test_times_need_a_date_a_time_and_an_offset(value, message):
    bad = GOOD.replace('closes_at: "2009-12-15T18:00:00+01:00"', f"closes_at: {value}")
    (error,) = errors(bad)
    assert error.startswith("line 12: closes_at: " + message)


def test_missing_deadline_and_missing_english_title():
    bad = GOOD.replace('closes_at: "2009-12-15T18:00:00+01:00"\n', "").replace(
        '  en: "IDM 2010: choice of the overarching theme"\n', ""
    )
    assert errors(bad) == [
        "line 1: closes_at: required: the deadline, e.g. 2009-12-15T18:00:00+01:00",
        "line 2: title: <required>",
    ]


def test_an_open_consultation_needs_complete_questions():
    bad = GOOD.replace("status: draft", "status: open").replace(
        "      - label: Migration and Social Change\n", ""
    )
    assert errors(bad) == ["line 19: questions[1].options: <too_few_options>"]


def test_a_draft_may_still_be_incomplete():
    text = GOOD.replace("      - label: Migration and Social Change\n", "")
    (doc,) = read(text)
    assert len(doc.questions[0].options) == 1


def test_published_needs_an_outcome():
    bad = GOOD.replace("status: draft", "status: published")
    assert errors(bad) == [
        "line 10: status: a published consultation needs an outcome (in English)",
        "line 10: status: a published consultation needs published_at",
    ]


def test_syntax_error_names_its_line():
    (error,) = errors("slug: x\ntitle: [unclosed\nclosed_at: 1\n")
    assert error.startswith("line 3: not valid YAML") or error.startswith("line 4: not valid")


def test_anchors_and_aliases_are_refused():
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    assert errors(bomb) == ["line 1: anchors and aliases are not supported"]


def test_relative_times_only_for_the_demo():
    text = GOOD.replace('closes_at: "2009-12-15T18:00:00+01:00"', "closes_in_days: 14").replace(
        "opens_at: 2009-11-02T09:00:00+01:00", "opens_in_days: -1"
    )
    assert errors(text) == [
        "line 11: opens_in_days: relative times are only for the demo; give opens_at and closes_at",
        "line 12: closes_in_days: relative times are only for the demo; give opens_at and "
        "closes_at",
    ]
    now = datetime(2009, 11, 10, tzinfo=UTC)
    (doc,) = read(text, now=now)
    assert doc.closes_at == datetime(2009, 11, 24, tzinfo=UTC)


def test_the_same_slug_twice_in_one_file():
    body = "".join("  " + line + "\n" if line else "\n" for line in GOOD.splitlines())
    text = "consultations:\n- " + body.lstrip() + "- " + body.lstrip()
    assert errors(text) == [
        "line 38: consultations[2].slug: the slug idm-2010-theme is used twice in this file"
    ]


def test_control_characters_and_over_long_texts_are_refused():
    bad = GOOD.replace("prompt: Suggestions", 'prompt: "Sugg\\u0007estions"').replace(
        "reference: IC/2009/1", "reference: " + "X" * 61
    )
    assert errors(bad) == [
        "line 5: reference: <too_long>",
        "line 35: questions[4].prompt.en: <control_character>",
    ]


def test_dump_then_read_then_dump_is_stable():
    (doc,) = read(GOOD)
    text = document.dump([doc], "Europe/Zurich")
    assert "closes_at: '2009-12-15T18:00:00+01:00'" in text
    assert "summary: |-\n  Please rank the **themes**.\n\n  Or suggest another." in text
    (again,) = read(text)
    assert again == doc
    assert document.dump([again], "Europe/Zurich") == text


def test_each_consultation_of_a_file_keeps_the_lines_of_its_own_fields():
    body = "".join("  " + line + "\n" if line else "\n" for line in GOOD.splitlines())
    second = body.lstrip().replace("idm-2010-theme", "idm-2010-other")
    text = "consultations:\n- " + body.lstrip() + "- " + second
    first, other = read(text)
    source = text.splitlines()
    for doc in (first, other):
        invite = doc.line("invite")
        label = doc.line("questions", 1, "options", 2, "label")
        assert (source[invite - 1], source[label - 1]) == (
            "  invite: all",
            "        - label: Three",
        )
    assert other.line("invite") == first.line("invite") + len(GOOD.splitlines())


def test_an_anchor_is_refused_at_its_line_wherever_it_is():
    nested = GOOD.replace("      - label: One\n", "      - &one\n        label: One\n")
    assert errors(nested) == ["line 28: anchors and aliases are not supported"]
    assert errors(GOOD + "---\nslug: &again x\n") == [
        "line 38: anchors and aliases are not supported"
    ]


def test_reading_leaves_the_garbage_collector_as_it_was():
    assert gc.isenabled()
    read(GOOD)
    errors(GOOD + "a: [unclosed\n")
    assert gc.isenabled()
    gc.disable()
    try:
        read(GOOD)
        assert not gc.isenabled()
    finally:
        gc.enable()
