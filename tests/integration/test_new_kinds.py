"""Number, statement grid, conditional questions and single choice, end to end on the
database (SQLite, and PostgreSQL with TEST_DATABASE_URL): YAML, ballots, results, CSV."""

from __future__ import annotations

import csv
import io
from textwrap import dedent

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consult.ballots.models import Answer, Revision
from consult.consultations import builder
from consult.consultations.checks import Issue
from consult.consultations.models import Consultation
from consult.extensions import db
from tests.conftest import csrf_token
from tests.factories import AdminFactory, MemberFactory, UserFactory, build_consultation
from tests.integration.ballot_helpers import post_ballot, snapshot
from tests.strategies import NO_SURROGATES

SURVEY = [
    {
        "kind": "single",
        "prompt": {"en": "Do you intend to contribute?", "fr": "Comptez-vous contribuer ?"},
        "options": [{"label": "Yes"}, {"label": "No"}, {"label": "Not decided yet"}],
    },
    {
        "kind": "number",
        "prompt": "How many experts would you send?",
        "required": True,
        "show_if": {"question": 1, "answers": [1, 3]},
        "integer": True,
        "minimum": 0,
        "maximum": 50,
        "unit": {"en": "experts", "fr": "experts", "es": "expertos"},
    },
    {
        "kind": "grid",
        "prompt": "How far do you agree?",
        "required": True,
        "allow_no_opinion": True,
        "scale": [{"en": "Disagree"}, {"en": "Neutral"}, {"en": "Agree"}],
        "options": [{"label": "Workshops are useful"}, {"label": "Sessions are too long"}],
    },
    {"kind": "number", "prompt": "Days per workshop", "integer": False, "maximum": 5},
]


@pytest.fixture
def survey(client, auth):
    member = MemberFactory(name="Testland")
    UserFactory(email="d@example.org", member=member)
    c = build_consultation(questions=SURVEY)
    auth.login("d@example.org")
    return c


def fields(c: Consultation, *, contribute: int, experts: str = "", grid=("3", "none"), days=""):
    single, number, grid_q, days_q = c.questions
    form = {
        f"q{single.id}-choice": str(single.options[contribute - 1].id),
        f"q{number.id}-number": experts,
        f"q{days_q.id}-number": days,
    }
    for option, value in zip(grid_q.options, grid, strict=True):
        form[f"q{grid_q.id}-value-{option.id}"] = value
    return form


def test_a_delegate_answers_a_number_a_grid_and_a_condition(client, survey):
    c = survey
    page = client.get("/consultations/idm-2010").get_data(as_text=True)
    assert "Answer only if you answered “Yes” or “Not decided yet” to question 1." in page
    assert '<legend class="grid-statement">Workshops are useful</legend>' in page
    response = post_ballot(client, "idm-2010", fields(c, contribute=1, experts="12", days="1,5"))
    assert response.status_code == 303, response.get_data(as_text=True)
    content = db.session.scalars(sa.select(Revision)).one().content
    by_question = {q["question"]: q for q in content["questions"]}
    assert by_question[c.questions[1].id]["number"] == "12"
    assert by_question[c.questions[3].id]["number"] == "1.5"
    grid = c.questions[2]
    assert by_question[grid.id]["values"] == {
        str(grid.options[0].id): 3,
        str(grid.options[1].id): 0,
    }
    again = client.get("/consultations/idm-2010").get_data(as_text=True)
    assert 'value="1.5"' in again


def test_the_condition_not_met_discards_the_answer_with_a_notice(client, survey):
    c = survey
    response = post_ballot(client, "idm-2010", fields(c, contribute=2, experts="12"))
    assert response.status_code == 303
    notice = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your answers to question 2 were not kept" in notice
    numbers = db.session.scalars(
        sa.select(Answer.text).where(Answer.question_id == c.questions[1].id)
    ).all()
    assert numbers == []


def test_a_required_question_is_required_only_when_shown(client, survey):
    c = survey
    assert post_ballot(client, "idm-2010", fields(c, contribute=2)).status_code == 303
    before = snapshot()
    refused = post_ballot(client, "idm-2010", fields(c, contribute=1))
    assert refused.status_code == 400
    assert "an answer is required" in refused.get_data(as_text=True)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("experts", "grid", "days", "message"),
    [
        ("-1", ("1", "2"), "", "the smallest number allowed is 0"),
        ("51", ("1", "2"), "", "the largest number allowed is 50"),
        ("2.5", ("1", "2"), "", "write a whole number"),
        ("1e3", ("1", "2"), "", "write a number with digits only"),
        ("NaN", ("1", "2"), "", "write a number with digits only"),
        ("9" * 400, ("1", "2"), "", "write a number with digits only"),
        ("3", ("4", "2"), "", "choose one of the points of the scale"),
        ("3", ("0", "2"), "", "choose one of the points of the scale"),
        ("3", ("1", "2"), "5.0000001", "write a number with digits only"),
    ],
)
def test_bad_numbers_and_grid_answers_are_refused_on_the_field(
    client, survey, experts, grid, days, message
):
    before = snapshot()
    form = fields(survey, contribute=1, experts=experts, grid=grid, days=days)
    response = post_ballot(client, "idm-2010", form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert snapshot() == before


def test_bad_number_in_french(client, auth, survey):
    client.post(
        "/language", data={"lang": "fr", "csrf_token": csrf_token(client, "/"), "next": "/"}
    )
    response = post_ballot(client, "idm-2010", fields(survey, contribute=1, experts="1e3"))
    assert response.status_code == 400
    assert "écrivez un nombre en chiffres uniquement" in response.get_data(as_text=True)


def test_fuzzed_number_and_grid_fields_never_fail(client, survey):
    c = survey
    values = st.one_of(
        st.sampled_from(["", "0", "50", "-0", "1,5", "1.5", "٣", "1e9", "\x00", "9" * 5000]),
        st.text(alphabet=NO_SURROGATES, max_size=20),
    )

    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    @given(experts=values, days=values, first=values, second=values)
    def run(experts, days, first, second):
        form = fields(c, contribute=1, experts=experts, grid=(first, second), days=days)
        response = post_ballot(client, "idm-2010", form)
        assert response.status_code in (303, 400), response.status_code

    run()


ANSWERS = (
    ("AAA", 1, "10", ("3", "3"), "1"),
    ("BBB", 3, "4", ("1", "none"), "2,5"),
    ("CCC", 2, "", ("3", "2"), ""),
)


def results_with_answers(client, auth) -> Consultation:
    for code, *_ in ANSWERS:
        UserFactory(email=f"{code.lower()}@example.org", member=MemberFactory(code=code))
    c = build_consultation(questions=SURVEY)
    for code, contribute, experts, grid, days in ANSWERS:
        auth.login(f"{code.lower()}@example.org")
        assert (
            post_ballot(
                client,
                "idm-2010",
                fields(c, contribute=contribute, experts=experts, grid=grid, days=days),
            ).status_code
            == 303
        )
        auth.logout()
    AdminFactory(email="admin@example.org")
    auth.login("admin@example.org")
    return c


def test_results_page_and_csv_show_distributions_not_winners(client, auth):
    results_with_answers(client, auth)
    page = client.get("/admin/consultations/idm-2010/results").get_data(as_text=True)
    assert "Sum: 14 · Mean: 7 · Median: 7 · 2 answers" in page
    assert "Workshops are useful" in page
    chart = page.split("Answers to each statement</title>")[1].split("</svg>")[0]
    assert chart.count('class="segment"') >= 3  # the grid's points drawn per statement
    first_section = page.split('id="question-')[1]
    assert "Official result" not in first_section  # a single choice is not a vote
    token = csrf_token(client, "/admin/consultations/idm-2010/results")
    data = client.post(
        "/admin/consultations/idm-2010/export/results.csv", data={"csrf_token": token}
    ).data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8")[1:], newline="")))
    single = [r for r in rows if r["question_number"] == "1"]
    assert {r["official_winner"] for r in single} == {""}
    experts = [r for r in rows if r["question_number"] == "2"]
    assert [(r["option"], r["selections"]) for r in experts] == [("4", "1"), ("10", "1")]
    assert {r["total"] for r in experts} == {"14"}
    grid = [r for r in rows if r["question_number"] == "3"]
    useful = {r["option"]: r["selections"] for r in grid if r["option"].startswith("Workshops")}
    assert useful["Workshops are useful: 3 Agree"] == "2"
    responses = client.post(
        "/admin/consultations/idm-2010/export/responses.csv", data={"csrf_token": token}
    ).data.decode("utf-8")[1:]
    table = list(csv.DictReader(io.StringIO(responses, newline="")))
    by_member = {r["member_code"]: r for r in table}
    assert by_member["BBB"]["Q4 number"] == "2.5"
    assert by_member["BBB"]["Q3 value: Sessions are too long"] == "No opinion"


YAML = dedent(
    """\
    slug: idm-2011-survey
    title: Survey
    status: draft
    closes_at: 2010-12-15T18:00:00+01:00
    questions:
      - kind: single
        prompt: Do you intend to contribute?
        options:
          - label: Yes, we intend to contribute
          - label: "No"
      - kind: number
        prompt: How many experts?
        show_if: {question: 1, answers: [1]}
        integer: false
        minimum: 0.5
        maximum: 40
        unit: {en: experts, fr: experts}
      - kind: grid
        prompt: Agree?
        allow_no_opinion: true
        scale: [Disagree, Agree]
        options:
          - label: Useful
          - label: Too long
    """
)


def test_yaml_dump_import_dump_is_stable_with_the_new_kinds(runner, tmp_path):
    path = tmp_path / "survey.yaml"
    path.write_text(YAML, encoding="utf-8")
    assert runner.invoke(args=["consultations", "import", str(path)]).exit_code == 0
    first = runner.invoke(args=["consultations", "dump", "idm-2011-survey"]).output
    assert "show_if:\n    question: 1\n    answers:\n    - 1" in first
    assert "minimum: '0.5'" in first
    copy = first.replace("slug: idm-2011-survey", "slug: idm-2011-copy")
    path.write_text(copy, encoding="utf-8")
    result = runner.invoke(args=["consultations", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["consultations", "dump", "idm-2011-copy"]).output == copy


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        (
            "{question: 3, answers: [1]}",
            ":13: questions[2].show_if.question: a condition names an earlier question",
        ),
        (
            "{question: 2, answers: [1]}",
            ":13: questions[2].show_if.question: a condition names an earlier question",
        ),
        (
            "{question: 1, answers: [3]}",
            ":13: questions[2].show_if.answers[1]: question 1 has no answer 3",
        ),
        (
            "{question: 9, answers: [1]}",
            ":13: questions[2].show_if.question: a condition names an earlier question",
        ),
    ],
)
def test_yaml_refuses_bad_conditions_with_the_line(runner, tmp_path, condition, message):
    text = YAML.replace("show_if: {question: 1, answers: [1]}", f"show_if: {condition}")
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["consultations", "import", str(path)])
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consultation)) == 0


def test_a_condition_on_a_grid_is_refused_it_could_never_be_met(runner, tmp_path):
    """A grid rates its statements and selects none: a condition naming it would hide the
    question from everyone, so the import and the builder refuse it."""
    text = YAML + "  - kind: text\n    prompt: Why?\n    show_if: {question: 3, answers: [1]}\n"
    path = tmp_path / "grid.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["consultations", "import", str(path)])
    assert result.exit_code != 0
    assert "show_if.question: question 3 is not a choice or a ranking" in result.output

    path.write_text(YAML, encoding="utf-8")
    assert runner.invoke(args=["consultations", "import", str(path)]).exit_code == 0
    survey = db.session.scalar(
        sa.select(Consultation).where(Consultation.slug == "idm-2011-survey")
    )
    grid = survey.questions[2]
    problems = builder.check_condition(
        survey.questions, {"question": grid.id, "options": [grid.options[0].id]}
    )
    assert [p.issue for p in problems] == [Issue.CONDITION_NO_OPTIONS]
    single = survey.questions[0]
    assert (
        builder.check_condition(
            survey.questions, {"question": single.id, "options": [single.options[0].id]}
        )
        == []
    )
