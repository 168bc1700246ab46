"""A statement grid and a conditional question, answered in French in a real Chromium: with
JavaScript, on a 360 px screen, and without JavaScript."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from consult.ballots.models import Revision
from consult.extensions import db
from tests.e2e.test_browser import sign_in
from tests.factories import MemberFactory, UserFactory, build_consultation

QUESTIONS = [
    {
        "kind": "single",
        "prompt": {"en": "Do you intend to contribute?", "fr": "Comptez-vous contribuer ?"},
        "options": [
            {"label": {"en": "Yes", "fr": "Oui"}},
            {"label": {"en": "No", "fr": "Non"}},
        ],
    },
    {
        "kind": "number",
        "prompt": {"en": "How many experts?", "fr": "Combien d’experts ?"},
        "required": True,
        "show_if": {"question": 1, "answers": [1]},
        "maximum": 50,
        "unit": {"en": "experts", "fr": "experts"},
    },
    {
        "kind": "grid",
        "prompt": {"en": "How far do you agree?", "fr": "Dans quelle mesure êtes-vous d’accord ?"},
        "allow_no_opinion": True,
        "scale": [
            {"en": "Disagree", "fr": "Pas d’accord"},
            {"en": "Neutral", "fr": "Neutre"},
            {"en": "Agree", "fr": "D’accord"},
        ],
        "options": [
            {"label": {"en": "Workshops are useful", "fr": "Les ateliers sont utiles"}},
            {"label": {"en": "Sessions are too long", "fr": "Les séances sont trop longues"}},
        ],
    },
]


@pytest.fixture
def survey(app):
    UserFactory(email="fra@example.org", member=MemberFactory(code="FRA"), locale="fr")
    return build_consultation(questions=QUESTIONS)


@pytest.fixture
def small_screen(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def stored(c):
    db.session.rollback()
    content = db.session.scalars(sa.select(Revision)).one().content
    return {q["question"]: q for q in content["questions"]}


def test_grid_and_condition_on_a_360_px_screen_with_javascript(small_screen, live, survey):
    page, c = small_screen, survey
    sign_in(page, live, "fra@example.org", "/consultations/idm-2010")
    experts = page.locator(f"#question-{c.questions[1].id}")
    expect(experts).to_be_hidden()
    page.get_by_label("Oui", exact=True).check()
    expect(experts).to_be_visible()
    page.get_by_label(re.compile("Votre réponse")).fill("12")
    useful = page.get_by_role("group", name="Les ateliers sont utiles")
    long = page.get_by_role("group", name="Les séances sont trop longues")
    expect(useful.get_by_role("radio")).to_have_count(4)
    useful.get_by_label("D’accord", exact=True).check()
    long.get_by_label("Sans opinion").check()
    # Usable on a small screen: nothing wider than the screen, every radio big enough to tap.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    box = useful.get_by_label("Neutre").bounding_box()
    assert box is not None
    assert box["width"] >= 20
    assert box["x"] + box["width"] <= 360
    page.get_by_label("Non", exact=True).check()
    expect(experts).to_be_hidden()
    page.get_by_label("Oui", exact=True).check()
    page.get_by_role("button", name="Envoyer la réponse").click()
    expect(page.get_by_role("heading", name="Accusé de réception", exact=True)).to_be_visible()
    answers = stored(c)
    assert answers[c.questions[1].id]["number"] == "12"
    grid = c.questions[2]
    assert answers[grid.id]["values"] == {str(grid.options[0].id): 3, str(grid.options[1].id): 0}


def test_without_javascript_the_condition_is_written_and_the_server_judges(
    page_without_js, live, survey
):
    page, c = page_without_js, survey
    sign_in(page, live, "fra@example.org", "/consultations/idm-2010")
    expect(
        page.get_by_text("Ne répondez que si vous avez répondu «\u00a0Oui\u00a0» à la question 1.")
    ).to_be_visible()
    page.get_by_label("Non", exact=True).check()
    page.get_by_label(re.compile("Votre réponse")).fill("7")
    page.get_by_role("group", name="Les ateliers sont utiles").get_by_label("Neutre").check()
    page.get_by_role("button", name="Envoyer la réponse").click()
    expect(
        page.get_by_text(re.compile("Vos réponses à la question 2 n’ont pas été conservées"))
    ).to_be_visible()
    answers = stored(c)
    assert "number" not in answers[c.questions[1].id]
    # Answering "Oui" makes the number required.
    page.goto(f"{live}/consultations/idm-2010")
    page.get_by_label("Oui", exact=True).check()
    page.get_by_label(re.compile("Votre réponse")).fill("")
    page.get_by_role("button", name="Envoyer la réponse").click()
    expect(page.get_by_role("alert").first).to_contain_text("une réponse est requise")
