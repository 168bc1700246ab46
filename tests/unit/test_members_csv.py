"""Reading a membership CSV: the pure rules, without an app."""

from __future__ import annotations

import pytest
from hypothesis import given

from consult.members.csvimport import (
    MAX_ROWS,
    NotUtf8,
    check_code,
    check_text,
    decode,
    parse_members,
)
from tests.strategies import text

KNOWN = {"DEU", "FRA", "SEN"}.__contains__


def codes(problems):
    return [(p.line, p.code) for p in problems]


def test_valid_file_gives_rows_with_lines():
    rows, problems = parse_members(
        "code,name,kind,region\n"
        "fra,France,member_state,Europe\n"
        "\n"
        "ICRC,Red Cross,OBSERVER_ORG,Europe\n"
    )
    assert problems == []
    assert [(r.line, r.code, r.kind) for r in rows] == [
        (2, "FRA", "member_state"),
        (4, "ICRC", "observer_org"),
    ]


def test_columns_in_any_order_any_case_with_extras():
    rows, problems = parse_members(
        "Region,KIND,Name,Code,notes\nAfrica,member_state,,SEN,x\n", KNOWN
    )
    assert problems == []
    assert (rows[0].code, rows[0].region, rows[0].name) == ("SEN", "Africa", "")


def test_optional_translation_columns():
    rows, _ = parse_members(
        "code,name,kind,region,name_fr,name_es\nIOM,IOM,observer_org,Europe,OIM,OIM\n"
    )
    assert (rows[0].name_fr, rows[0].name_es) == ("OIM", "OIM")


def test_every_bad_row_is_reported_and_no_row_of_a_bad_file_is_lost():
    text = (
        "code,name,kind,region\n"
        "FRA,France,member_state,Europe\n"
        "FRA,Again,member_state,Europe\n"
        "XYZ,Planet,planet,Europe\n"
        "ORG,,observer_org,Europe\n"
        "ZZZ,,member_state,Europe\n"
        "EVL,=1+1,observer_org,Europe\n"
        "TAB,Tab\there,observer_org,Europe\n"
        "SEN,Senegal,member_state,\n"
        "FRANCE,France,member_state,Europe\n"
        "A,x,observer_org,Europe\n"
    )
    rows, problems = parse_members(text, KNOWN)
    assert [r.code for r in rows] == ["FRA"]
    assert codes(problems) == [
        (3, "duplicate"),
        (4, "kind"),
        (5, "name_missing"),
        (6, "name_missing"),
        (7, "formula"),
        (8, "control"),
        (9, "region_missing"),
        (10, "state_code"),
        (11, "code_format"),
    ]


def test_a_known_state_may_leave_its_name_empty():
    rows, problems = parse_members("code,name,kind,region\nDEU,,member_state,Europe\n", KNOWN)
    assert problems == []
    assert rows[0].name == ""


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
@pytest.mark.parametrize("column", ["name", "region", "name_fr", "name_es"])
def test_formula_starts_are_refused_in_every_text_column(start, column):
    values = {"name": "Org", "region": "Europe", "name_fr": "", "name_es": ""}
    values[column] = f"{start}cmd"
    text = (
        "code,name,kind,region,name_fr,name_es\n"
        f"ORG,{values['name']},observer_org,{values['region']},{values['name_fr']},{values['name_es']}\n"
    )
    _rows, problems = parse_members(text)
    assert [(p.code, p.params["field"]) for p in problems] == [("formula", column)]


def test_header_and_empty_and_oversized_files():
    assert codes(parse_members("id,label\n1,x\n")[1]) == [(1, "header")]
    assert codes(parse_members("")[1]) == [(1, "empty")]
    assert codes(parse_members("code,name,kind,region\n")[1]) == [(1, "empty")]
    many = "code,name,kind,region\n" + "".join(
        f"O{i:05d},Org {i},observer_org,Europe\n" for i in range(MAX_ROWS + 1)
    )
    assert codes(parse_members(many)[1])[-1][1] == "too_many_rows"


def test_more_cells_than_header_and_broken_quotes():
    assert codes(parse_members("code,name,kind,region\nORG,a,observer_org,Europe,extra\n")[1]) == [
        (2, "columns")
    ]
    rows, problems = parse_members('code,name,kind,region\nORG,"a, b",observer_org,Europe\n')
    assert problems == []
    assert rows[0].name == "a, b"


def test_decode_accepts_utf8_with_bom_and_refuses_other_encodings():
    assert decode("\ufeffcode".encode()) == "code"
    assert decode("Côte".encode()) == "Côte"
    with pytest.raises(NotUtf8):
        decode("Côte".encode("latin-1"))
    with pytest.raises(NotUtf8):
        decode("code".encode("utf-16"))


def test_field_rules_used_by_the_form():
    assert check_code("CHE", "member_state") == []
    assert [p.code for p in check_code("CH", "member_state")] == ["state_code"]
    assert [p.code for p in check_code("icrc", "observer_org")] == ["code_format"]
    assert check_code("ICRC", "observer_org") == []
    assert [p.code for p in check_text("x" * 201, "name", maximum=200)] == ["too_long"]
    assert check_text("Côte d'Ivoire — ok", "name", maximum=200) == []


@given(text(max_size=400))
def test_any_text_gives_rows_or_problems_never_an_exception(text):
    rows, problems = parse_members("code,name,kind,region\n" + text, KNOWN)
    assert rows or problems
    for row in rows:
        for value in (row.name, row.region, row.name_fr, row.name_es):
            assert not value.startswith(("=", "+", "-", "@"))
