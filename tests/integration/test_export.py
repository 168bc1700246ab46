"""The CSV report: three files that open cleanly in a spreadsheet, safe from formulas."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
import sqlalchemy as sa

from consult.ballots.models import Response
from consult.core.audit import AuditEvent
from consult.extensions import db
from consult.members.models import MemberKind
from tests.conftest import csrf_token, session_csrf_token
from tests.factories import (
    AdminFactory,
    MemberFactory,
    RegionFactory,
    UserFactory,
    build_consultation,
)
from tests.integration.results_helpers import cast

FORMULA = '=HYPERLINK("http://x","y")'


@pytest.fixture
def report(client, auth):
    """A consultation answered by two member states, one draft and one observer."""
    africa = RegionFactory(name="Africa")
    civ = MemberFactory(code="CIV", name="Côte d’Ivoire", region=africa)
    sen = MemberFactory(code="SEN", name="Senegal", region=africa)
    draft = MemberFactory(code="PER", name="Peru", region=RegionFactory(name="Americas"))
    icrc = MemberFactory(code="ICRC", name="Red Cross", kind=MemberKind.OBSERVER_ORG)
    c = build_consultation()
    cast(
        c,
        civ,
        ranking=[2, 1],
        write_in="Migración y salud",
        choice=[1, 2],
        value=4,
        text="Plus d’études de cas",
        comments={2: FORMULA},
        comment="-1 for the timing",
    )
    cast(c, sen, ranking=[2], choice=[2, 3], value="none")
    cast(c, draft, ranking=[1], draft=True)
    cast(c, icrc, comment="@observer note")
    AdminFactory(email="admin@example.org")
    auth.login("admin@example.org")
    return c


def download(client, name: str):
    return client.post(
        f"/admin/consultations/idm-2010/export/{name}.csv",
        data={"csrf_token": session_csrf_token(client)},
    )


def rows_of(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8")[1:], newline="")))


def as_dicts(rows: list[list[str]]) -> list[dict[str, str]]:
    header, *body = rows
    assert all(len(r) == len(header) for r in body)
    return [dict(zip(header, r, strict=True)) for r in body]


def test_results_csv_marks_the_official_winner(client, report):
    response = download(client, "results")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="idm-2010-results.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset (CSV-3)
    rows = rows_of(response.data)
    assert rows[0][:8] == [
        "question",
        "option",
        "first_preferences",
        "borda_points",
        "pairwise_wins",
        "irv_eliminated_in_round",
        "selections",
        "responses",
    ]
    table = as_dicts(rows)
    ranking = {r["option"]: r for r in table if r["kind"] == "ranking"}
    assert ranking["Migration and Social Change"]["first_preferences"] == "2"
    assert ranking["Migration and Social Change"]["official_winner"] == "yes"
    assert ranking["South-South Migration"]["official_winner"] == ""
    assert ranking["South-South Migration"]["responses"] == "2"  # the draft does not count
    choose = {r["option"]: r for r in table if r["kind"] == "choose"}
    assert choose["Workshop 2"]["selections"] == "2"
    assert choose["Workshop 2"]["first_preferences"] == ""
    likert = [r for r in table if r["kind"] == "likert"]
    assert [r["selections"] for r in likert] == ["0", "0", "0", "1", "0", "1"]


def test_responses_csv_has_one_analysis_ready_row_per_response(client, report):
    table = as_dicts(rows_of(download(client, "responses").data))
    by_code = {r["member_code"]: r for r in table}
    assert set(by_code) == {"CIV", "SEN", "PER", "ICRC"}
    civ = by_code["CIV"]
    assert civ["member_name"] == "Côte d’Ivoire"
    assert civ["region"] == "Africa"
    assert civ["status"] == "submitted"
    assert civ["counted"] == "yes"
    assert civ["Q1 rank: Migration and Social Change"] == "1"
    assert civ["Q1 rank: South-South Migration"] == "2"
    assert civ["Q1 rank: Migration and Health"] == ""
    assert civ["Q1 other suggestion"] == "Migración y salud"
    assert civ["Q2 selected: Workshop 1"] == "1"
    assert civ["Q2 selected: Workshop 3"] == ""
    assert civ["Q3 value"] == "4"
    assert civ["Q4 answer"] == "Plus d’études de cas"
    assert civ["submitted_at_utc"].endswith("Z")
    assert "T" in civ["submitted_at_utc"]
    stored = db.session.scalar(sa.select(Response.receipt).where(Response.revision == 1).limit(1))
    assert stored in {r["receipt"] for r in table}
    assert by_code["SEN"]["Q3 value"] == "No opinion"
    assert by_code["PER"]["status"] == "draft"
    assert by_code["PER"]["counted"] == "no"
    assert by_code["PER"]["Q1 rank: South-South Migration"] == ""
    assert by_code["ICRC"]["kind"] == "observer_org"
    assert by_code["ICRC"]["counted"] == "no"


def test_comments_csv_neutralises_formulas_and_keeps_accents(client, report):
    table = as_dicts(rows_of(download(client, "comments").data))
    texts = {r["text"] for r in table}
    assert "'" + FORMULA in texts
    assert "'-1 for the timing" in texts
    assert "'@observer note" in texts
    formula = next(r for r in table if r["text"] == "'" + FORMULA)
    assert formula["member_name"] == "Côte d’Ivoire"
    assert formula["option"] == "Migration and Social Change"
    assert formula["question_number"] == "1"
    for row in table:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n"))


def test_zip_holds_the_three_files_and_the_audit_statement(client, report):
    token = csrf_token(client, "/admin/consultations/idm-2010/results")
    response = client.post("/admin/consultations/idm-2010/export.zip", data={"csrf_token": token})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="idm-2010-report.zip"'
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert sorted(archive.namelist()) == [
            "idm-2010-audit-statement.txt",
            "idm-2010-comments.csv",
            "idm-2010-responses.csv",
            "idm-2010-results.csv",
        ]
        assert rows_of(archive.read("idm-2010-comments.csv")) == rows_of(
            download(client, "comments").data
        )


def test_exports_are_logged_and_refuse_get_and_delegates(client, auth, report):
    download(client, "responses")
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "results_exported")
    ).all()
    assert [e.details["file"] for e in events] == ["responses"]
    assert client.get("/admin/consultations/idm-2010/export/responses.csv").status_code == 405
    assert download(client, "secrets").status_code == 404
    auth.logout()
    UserFactory(email="d@example.org")
    auth.login("d@example.org")
    token = csrf_token(client, "/")
    response = client.post(
        "/admin/consultations/idm-2010/export/responses.csv", data={"csrf_token": token}
    )
    assert response.status_code == 403


def test_exports_are_rate_limited(client, report):
    statuses = [download(client, "comments").status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429


def test_cli_export_writes_the_three_files_and_the_audit_statement(runner, report, tmp_path):
    result = runner.invoke(args=["export", "idm-2010", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "idm-2010-audit-statement.txt",
        "idm-2010-comments.csv",
        "idm-2010-responses.csv",
        "idm-2010-results.csv",
    ]
    table = as_dicts(rows_of((tmp_path / "idm-2010-responses.csv").read_bytes()))
    assert len(table) == 4


def test_cli_export_of_unknown_consultation_fails_clearly(runner, tmp_path):
    result = runner.invoke(args=["export", "nope", "--out", str(tmp_path)])
    assert result.exit_code != 0
    assert "no consultation 'nope'" in result.output


@pytest.mark.parametrize(
    ("ballots", "selected", "tied"),
    [
        # 5, 5, 3, 3 with two places: both places are filled, there is no tie at the cut-off.
        (
            [[1, 2]] * 3 + [[1, 3], [1, 4], [2, 3], [2, 4], [3, 4]],
            {"Workshop 1", "Workshop 2"},
            set(),
        ),
        # 5, 3, 3, 1: the second place is shared; the first option is selected, not tied.
        (
            [[1, 2]] * 2 + [[1, 3]] * 2 + [[1, 4], [2, 3]],
            {"Workshop 1", "Workshop 2", "Workshop 3"},
            {"Workshop 2", "Workshop 3"},
        ),
    ],
)
def test_results_csv_marks_a_choose_n_tie_only_at_the_cut_off(
    client, auth, ballots, selected, tied
):
    members = [MemberFactory(code=f"M{i:02d}") for i in range(len(ballots))]
    c = build_consultation()
    for member, choice in zip(members, ballots, strict=True):
        cast(c, member, ranking=[1], choice=choice)
    AdminFactory(email="admin@example.org")
    auth.login("admin@example.org")
    table = as_dicts(rows_of(download(client, "results").data))
    choose = [r for r in table if r["kind"] == "choose"]
    assert {r["option"] for r in choose if r["official_winner"] == "yes"} == selected
    assert {r["option"] for r in choose if r["tie"] == "yes"} == tied


def test_responses_csv_neutralises_every_text_cell_and_keeps_numbers(client, auth):
    """Only the columns that hold text are checked for formulas (ranks and choices are
    numbers): a member's name, a write-in, a free text and a reference typed by someone
    are all neutralised; the name is the reader's language's."""
    from consult.auth.models import User

    evil = MemberFactory(
        code="EVL", name="=Evil", translations={"fr": {"name": "+Mal"}, "es": {"name": ""}}
    )
    c = build_consultation()
    cast(c, evil, ranking=[3, 1], write_in="@SUM(A1)", text="-2+3", choice=[1, 2], value=2)
    AdminFactory(email="admin@example.org")
    auth.login("admin@example.org")
    row = as_dicts(rows_of(download(client, "responses").data))[0]
    assert row["member_name"] == "'=Evil"
    assert row["Q1 other suggestion"] == "'@SUM(A1)"
    assert row["Q4 answer"] == "'-2+3"
    assert row["Q1 rank: Migration and Health"] == "1"
    assert row["Q1 rank: South-South Migration"] == "2"
    assert row["Q2 selected: Workshop 1"] == "1"
    assert row["Q3 value"] == "2"
    db.session.execute(sa.update(User).where(User.email == "admin@example.org").values(locale="fr"))
    db.session.commit()
    french = as_dicts(rows_of(download(client, "responses").data))[0]
    assert french["member_name"] == "'+Mal"
    db.session.execute(sa.update(User).where(User.email == "admin@example.org").values(locale="es"))
    db.session.commit()
    spanish = as_dicts(rows_of(download(client, "responses").data))[0]
    assert spanish["member_name"] == "'=Evil"  # no Spanish name: the English one
