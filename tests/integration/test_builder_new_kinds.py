"""The builder's pages for numbers, statement grids and conditions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from consult.core.text import Text
from tests.factories import build_consultation
from tests.integration.builder_helpers import consultation, post, sign_in_admin, snapshot, text


@pytest.fixture
def admin(client, auth):
    sign_in_admin(auth)


def new_question(client, kind, **fields):
    data = {"kind": kind, "prompt-en": "A question"}
    data.update(fields)
    return post(client, f"/admin/consultations/idm-2011/questions/new?kind={kind}", data)


def test_add_a_number_a_grid_and_a_conditional_question(client, admin):
    build_consultation("idm-2011", status="draft", questions=[])
    assert new_question(client, "single", options="Yes\nNo").status_code == 303
    yes = consultation("idm-2011").questions[0].options[0]
    response = new_question(
        client,
        "number",
        integer="y",
        minimum="0",
        maximum="50",
        **{"unit-en": "experts", "unit-fr": "experts", "unit-es": "expertos"},
        show_if=str(yes.id),
    )
    assert response.status_code == 303, text(response)
    grid = new_question(
        client,
        "grid",
        options="Workshops are useful\nSessions are too long",
        **{"scale-en": "Disagree\nNeutral\nAgree", "allow_no_opinion": "y"},
    )
    assert grid.status_code == 303, text(grid)
    single, number, grid_q = consultation("idm-2011").questions
    assert number.settings == {
        "minimum": "0",
        "maximum": "50",
        "unit": {"en": "experts", "fr": "experts", "es": "expertos"},
        "show_if": {"question": single.id, "options": [yes.id]},
    }
    assert [o.label for o in grid_q.options] == ["Workshops are useful", "Sessions are too long"]
    assert grid_q.scale[2] == {"en": "Agree"}
    assert grid_q.allow_no_opinion
    page = client.get(f"/admin/consultations/idm-2011/questions/{number.id}").get_data(as_text=True)
    assert 'value="50"' in page
    assert '<fieldset class="condition-group"><legend>Question 1: A question</legend>' in page
    assert f'value="{yes.id}" checked> <label for="show_if-{yes.id}">Yes</label>' in page
    assert '<details class="condition-field" open>' in page  # unfolded: a box is ticked


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"minimum": "ten"}, "Write a number with digits"),
        ({"minimum": "1.5", "integer": "y"}, "The question asks for whole numbers"),
        ({"minimum": "5", "maximum": "1"}, "The minimum cannot be larger than the maximum."),
    ],
)
def test_bad_number_settings_are_refused(client, admin, fields, message):
    build_consultation("idm-2011", status="draft", questions=[])
    before = snapshot()
    response = new_question(client, "number", **fields)
    assert response.status_code == 400
    assert message in text(response)
    assert snapshot() == before


def test_conditions_on_later_questions_or_mixed_answers_are_refused(client, admin):
    build_consultation(
        "idm-2011",
        status="draft",
        questions=[
            {"kind": "single", "prompt": "First", "options": [{"label": "A"}, {"label": "B"}]},
            {"kind": "single", "prompt": "Second", "options": [{"label": "C"}, {"label": "D"}]},
        ],
    )
    first, second = consultation("idm-2011").questions
    before = snapshot()
    mixed = post(
        client,
        f"/admin/consultations/idm-2011/questions/{second.id}",
        {"prompt-en": "Second", "show_if": [str(first.options[0].id), str(second.options[0].id)]},
    )
    assert mixed.status_code == 400
    assert "Choose one or more answers of one earlier question." in text(mixed)
    later = post(
        client,
        f"/admin/consultations/idm-2011/questions/{first.id}",
        {"prompt-en": "First", "show_if": str(second.options[0].id)},
    )
    assert later.status_code == 400
    assert snapshot() == before


def test_a_question_others_depend_on_keeps_its_place(client, admin):
    build_consultation(
        "idm-2011",
        status="draft",
        questions=[
            {"kind": "single", "prompt": "First", "options": [{"label": "A"}, {"label": "B"}]},
            {"kind": "text", "prompt": "Why?", "show_if": {"question": 1, "answers": [1]}},
        ],
    )
    first, second = consultation("idm-2011").questions
    before = snapshot()
    moved = post(
        client,
        "/admin/consultations/idm-2011/questions/order",
        {f"position-{first.id}": "2", f"position-{second.id}": "1"},
    )
    assert moved.status_code == 400
    assert "Question 1 is shown only after an answer to this question" in text(moved)
    removed = post(
        client, f"/admin/consultations/idm-2011/questions/{first.id}/remove", {"confirm": "yes"}
    )
    assert "Question 2 is shown only after an answer" in text(client.get(removed.location))
    option = post(
        client,
        f"/admin/consultations/idm-2011/options/{first.options[0].id}/remove",
        {"confirm": "yes"},
    )
    assert "Question 2 is shown only after an answer" in text(client.get(option.location))
    assert snapshot() == before
    unused = post(
        client,
        f"/admin/consultations/idm-2011/options/{first.options[1].id}/remove",
        {"confirm": "yes"},
    )
    assert unused.status_code == 303
    assert [o.label for o in consultation("idm-2011").questions[0].options] == ["A"]


def test_settings_of_a_number_are_read_as_stored(client, admin):
    build_consultation(
        "idm-2011",
        status="draft",
        questions=[
            {
                "kind": "number",
                "prompt": "Days",
                "integer": False,
                "minimum": "0.5",
                "unit": {"en": "days"},
            }
        ],
    )
    (q,) = consultation("idm-2011").questions
    from consult.consultations import kinds

    values = kinds.settings_of(q)
    assert values["minimum"] == Decimal("0.5")
    assert values["integer"] is False
    assert values["unit"] == Text("days")
