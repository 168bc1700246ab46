"""CSV-1 and CSV-2: formulas become text, numbers stay numbers, structure survives."""

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consult.results.csvsafe import BOM, csv_bytes
from tests.strategies import text


def parse(rows):
    data = b"".join(csv_bytes(rows))
    assert data.startswith(BOM.encode("utf-8"))
    return list(csv.reader(io.StringIO(data.decode("utf-8")[1:], newline="")))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "\n"])
def test_text_starting_like_a_formula_is_prefixed_with_an_apostrophe(start):
    text = f'{start}HYPERLINK("http://x","y")'
    [[header], [cell]] = parse([[text], [text]])
    assert header == cell == "'" + text


def test_numbers_stay_numbers_and_none_is_empty():
    assert parse([[-3, 2.5, 0, None, "-3"]]) == [["-3", "2.5", "0", "", "'-3"]]


@pytest.mark.parametrize(
    "text", ["a,=1+1", 'a";=1+1', "line one\nline two", 'comma, "quote"', "Côte d’Ivoire ✓"]
)
def test_awkward_text_round_trips_with_the_header_column_count(text):
    rows = parse([["code", "text", "n"], ["CIV", text, 1]])
    assert [len(r) for r in rows] == [3, 3]
    assert rows[1][1] == text


@given(st.lists(st.lists(text(), min_size=3, max_size=3), max_size=20))
def test_every_cell_is_safe_and_rows_keep_their_shape(rows):
    parsed = parse([["a", "b", "c"], *rows])
    assert all(len(r) == 3 for r in parsed)
    for original, row in zip(rows, parsed[1:], strict=True):
        for value, cell in zip(original, row, strict=True):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n"))
            assert cell in (value, "'" + value)
