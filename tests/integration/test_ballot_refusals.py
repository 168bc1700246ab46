"""Malformed ballots are refused as a whole (400, nothing saved), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.factories import MemberFactory, UserFactory, build_consultation
from tests.integration.ballot_helpers import post_ballot, ranking_form, snapshot


@pytest.fixture
def delegate(client, auth):
    member = MemberFactory(name="Testland")
    UserFactory(email="d@example.org", member=member)
    consultation = build_consultation()
    other = build_consultation("idm-2011")
    auth.login("d@example.org")
    return consultation, other


def refused(client, form: dict, **hidden: str):
    before = snapshot()
    response = post_ballot(client, "idm-2010", form, **hidden)
    assert response.status_code == 400, response.status_code
    assert snapshot() == before
    return response.get_data(as_text=True)


def test_valid_ballot_is_saved(client, delegate):
    c, _other = delegate
    assert post_ballot(client, "idm-2010", ranking_form(c, {1: "1"})).status_code == 303


def test_rank_for_an_option_of_another_consultation_refuses_the_whole_ballot(client, delegate):
    c, other = delegate
    q = c.questions[0]
    foreign = other.questions[0].options[0]
    text = refused(client, ranking_form(c, {1: "1"}, **{f"q{q.id}-rank-{foreign.id}": "2"}))
    assert "not part of this consultation" in text


@pytest.mark.parametrize("name", ["q{q}-rank-999999", "q{q}-comment-999999", "q999999-rank-1"])
def test_fields_for_unknown_options_or_questions_refuse_the_whole_ballot(client, delegate, name):
    c, _other = delegate
    field = name.format(q=c.questions[0].id)
    refused(client, ranking_form(c, {1: "1"}, **{field: "1"}))


def test_a_draft_with_a_forged_field_is_refused_too(client, delegate):
    c, other = delegate
    q = c.questions[0]
    form = ranking_form(c, {1: "1"}, **{f"q{q.id}-rank-{other.questions[0].options[1].id}": "2"})
    before = snapshot()
    assert post_ballot(client, "idm-2010", form, action="draft").status_code == 400
    assert snapshot() == before


@pytest.mark.parametrize("value", ["9" * 5000, "9" * 30, "1" + "0" * 19])
def test_over_long_choice_is_a_clear_refusal(client, delegate, value):
    c, _other = delegate
    q = c.questions[1]
    text = refused(client, ranking_form(c, {1: "1"}, **{f"q{q.id}-choice": value}))
    assert "choose among the options shown" in text


@pytest.mark.parametrize("value", ["9" * 5000, "²"])
def test_over_long_single_choice_is_a_clear_refusal(client, auth, value):
    member = MemberFactory()
    UserFactory(email="s@example.org", member=member)
    c = build_consultation(
        questions=[
            {
                "kind": "single",
                "prompt": "How often do you attend?",
                "options": [{"label": "Every year"}, {"label": "Sometimes"}],
            }
        ]
    )
    auth.login("s@example.org")
    before = snapshot()
    response = post_ballot(client, "idm-2010", {f"q{c.questions[0].id}-choice": value})
    assert response.status_code == 400
    assert "choose among the options shown" in response.get_data(as_text=True)
    assert snapshot() == before


@pytest.mark.parametrize("token", ["abc\x00def", "\x00", "x" * 65, "a b"])
def test_bad_token_is_a_clear_refusal(client, delegate, token):
    c, _other = delegate
    refused(client, ranking_form(c, {1: "1"}), token=token)
