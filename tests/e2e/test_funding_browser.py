"""A French delegate states a funding intention earmarked for one workshop, answers a grid and
a conditional question, with and without JavaScript, in a real Chromium; then the
Administration reads the totals per workshop and currency on the results page and in the CSV."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from consult.auth.models import User
from consult.ballots.models import Response, Revision
from consult.ballots.services import Saved, save
from consult.consultations.kinds.fields import funding_field
from consult.extensions import db
from consult.members.models import Member
from tests.e2e.test_browser import sign_in
from tests.factories import AdminFactory, MemberFactory, UserFactory, build_consultation

QUESTIONS = [
    {
        "kind": "choose",
        "prompt": {"en": "Choose the workshops", "fr": "Choisissez les ateliers"},
        "min_choices": 1,
        "max_choices": 2,
        "options": [
            {"label": {"en": "Integration", "fr": "Intégration"}},
            {"label": {"en": "Diasporas", "fr": "Diasporas"}},
            {"label": {"en": "Families", "fr": "Familles"}},
        ],
    },
    {
        "kind": "single",
        "prompt": {"en": "Do you intend to contribute?", "fr": "Comptez-vous contribuer ?"},
        "options": [
            {
                "label": {
                    "en": "Yes, we intend to contribute",
                    "fr": "Oui, nous comptons contribuer",
                }
            },
            {"label": {"en": "No", "fr": "Non"}},
        ],
    },
    {
        "kind": "funding",
        "prompt": {"en": "Your funding intention", "fr": "Votre intention de financement"},
        "show_if": {"question": 2, "answers": [1]},
        "options_from": 1,
    },
    {
        "kind": "grid",
        "prompt": {"en": "How far do you agree?", "fr": "Dans quelle mesure êtes-vous d’accord ?"},
        "scale": [{"en": "Disagree", "fr": "Pas d’accord"}, {"en": "Agree", "fr": "D’accord"}],
        "options": [
            {"label": {"en": "Workshops are useful", "fr": "Les ateliers sont utiles"}},
            {"label": {"en": "Sessions are too long", "fr": "Les séances sont trop longues"}},
        ],
    },
]


@pytest.fixture
def consultation(app):
    UserFactory(email="fra@example.org", member=MemberFactory(code="FRA"), locale="fr")
    UserFactory(email="che@example.org", member=MemberFactory(code="CHE"), locale="fr")
    AdminFactory(email="admin@example.org")
    return build_consultation(questions=QUESTIONS)


@pytest.fixture
def french_page(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def french_page_without_js(browser):
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def funding_of(c, code: str):
    db.session.rollback()
    content = db.session.scalar(
        sa.select(Revision.content)
        .join(Response, Response.id == Revision.response_id)
        .join(Member, Member.id == Response.member_id)
        .where(Member.code == code)
    )
    if content is None:
        return None
    questions = {q["question"]: q for q in content["questions"]}
    return questions[c.questions[2].id].get("funding", {})


def answer(page, c, *, amount: str, currency: str, firm: bool) -> None:
    page.get_by_label("Intégration", exact=True).check()
    page.get_by_label("Oui, nous comptons contribuer").check()
    diasporas = page.get_by_role("group", name="Diasporas", exact=True)
    diasporas.get_by_label("Montant").fill(amount)
    diasporas.get_by_label("Monnaie").select_option(currency)
    if firm:
        diasporas.get_by_label("Engagement ferme").check()
    page.get_by_role("group", name="Les ateliers sont utiles").get_by_label(
        "D’accord", exact=True
    ).check()
    page.get_by_role("button", name="Envoyer la réponse").click()


def test_french_delegate_with_javascript(french_page, live, consultation):
    page, c = french_page, consultation
    sign_in(page, live, "fra@example.org", "/consultations/idm-2010")
    funding = page.locator(f"#question-{c.questions[2].id}")
    expect(funding).to_be_hidden()
    page.get_by_label("Non", exact=True).check()
    expect(funding).to_be_hidden()
    page.get_by_label("Oui, nous comptons contribuer").check()
    expect(funding).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # a phone's width
    # A wrong amount first: the message is on the field, in French, and nothing is kept.
    answer(page, c, amount="-12", currency="CHF", firm=True)
    alert = page.get_by_role("alert").first
    expect(alert).to_contain_text("Question 3, Diasporas")
    expect(alert).to_contain_text("un montant ne peut pas être négatif")
    assert funding_of(c, "FRA") is None
    page.get_by_role("group", name="Diasporas", exact=True).get_by_label("Montant").fill(
        "12 500,50"
    )
    page.get_by_role("button", name="Envoyer la réponse").click()
    expect(page.get_by_role("heading", name="Accusé de réception", exact=True)).to_be_visible()
    diasporas = str(c.questions[0].options[1].id)
    assert funding_of(c, "FRA") == {
        diasporas: {"amount": "12500.5", "currency": "CHF", "firm": True, "note": ""}
    }


def test_french_delegate_without_javascript(french_page_without_js, live, consultation):
    page, c = french_page_without_js, consultation
    sign_in(page, live, "che@example.org", "/consultations/idm-2010")
    expect(
        page.get_by_text(re.compile("Ne répondez que si vous avez répondu «.Oui, nous comptons"))
    ).to_be_visible()
    answer(page, c, amount="3000", currency="EUR", firm=False)
    expect(page.get_by_role("heading", name="Accusé de réception", exact=True)).to_be_visible()
    diasporas = str(c.questions[0].options[1].id)
    assert funding_of(c, "CHE") == {
        diasporas: {"amount": "3000", "currency": "EUR", "firm": False, "note": ""}
    }


def test_administration_reads_totals_per_workshop_and_currency(page, live, consultation):
    c = consultation
    # France's answer of the first test, through the save the ballot page calls: the delegate's
    # pages are the first two tests' subject, the Administration's reading is this one's.
    choose, intend, pledge, grid = c.questions
    workshop = choose.options[1].id
    fields = {
        f"q{choose.id}-choice": [str(choose.options[0].id)],
        f"q{intend.id}-choice": [str(intend.options[0].id)],
        funding_field(pledge.id, workshop, "amount"): ["12500.50"],
        funding_field(pledge.id, workshop, "currency"): ["CHF"],
        funding_field(pledge.id, workshop, "firm"): ["firm"],
        f"q{grid.id}-value-{grid.options[0].id}": ["2"],
    }
    france = db.session.scalars(sa.select(User).where(User.email == "fra@example.org")).one()
    saved = save(c, france, fields, submit=True, base_version=0, token="")
    assert isinstance(saved, Saved), saved
    assert funding_of(c, "FRA") == {
        str(workshop): {"amount": "12500.5", "currency": "CHF", "firm": True, "note": ""}
    }
    sign_in(page, live, "admin@example.org", "/admin/consultations/idm-2010/results")
    totals = page.locator(f"#q{c.questions[2].id}-totals")
    row = totals.get_by_role("row").filter(has_text="Diasporas")
    expect(row).to_contain_text("CHF")
    expect(row).to_contain_text("12,500.50")
    expect(page.get_by_text("1 member intends to contribute.")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("button", name="Results (CSV)").click()
    data = Path(info.value.path()).read_bytes().decode("utf-8")[1:]
    rows = list(csv.DictReader(io.StringIO(data, newline="")))
    funding = [r for r in rows if r["kind"] == "funding"]
    diasporas = next(r for r in funding if r["option"] == "Diasporas")
    assert (diasporas["currency"], diasporas["total"], diasporas["firm_total"]) == (
        "CHF",
        "12500.5",
        "12500.5",
    )
