"""Read a membership CSV (``code,name,kind,region`` and optionally ``name_fr,name_es``): every
row valid or nothing (pure).

The same field rules serve the registry form. A problem is a code plus parameters, so that
``consult.members.messages`` can word it in the reader's language.

Rules:
- the file is UTF-8 (a byte-order mark is accepted); anything else is refused as a whole;
- the header names at least ``code,name,kind,region`` (any case, any order; extra columns are
  ignored);
- ``code``: 2–10 capital letters or digits, unique in the file; a state's code is its ISO 3166
  alpha-3 code (three letters);
- ``kind``: ``member_state``, ``observer_state`` or ``observer_org``;
- ``name``: required, unless the row is a state whose ISO code is known (its names then come from
  ISO 3166); at most 200 characters;
- ``region``: required, at most 80 characters;
- no text may start with ``=``, ``+``, ``-`` or ``@`` (it would run as a formula when the
  registry is opened in a spreadsheet), and none may contain control characters (tabs and
  line breaks included).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from consult.core.plaintext import FORMULA_SIGNS

KINDS = ("member_state", "observer_state", "observer_org")
STATE_KINDS = ("member_state", "observer_state")
COLUMNS = ("code", "name", "kind", "region")
OPTIONAL_COLUMNS = ("name_fr", "name_es")
NAME_MAX = 200
REGION_MAX = 80
MAX_ROWS = 2000
_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")
_STATE_CODE = re.compile(r"^[A-Z]{3}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")  # one-line fields: no tab or line break


@dataclass(frozen=True)
class MemberRow:
    line: int
    code: str
    name: str
    kind: str
    region: str
    name_fr: str = ""
    name_es: str = ""


@dataclass(frozen=True)
class Problem:
    """One reason a row (or the file, on line 0 or 1) is refused."""

    line: int
    code: str
    params: dict[str, str] = field(default_factory=dict)


# Kept for callers of the first version.
RowError = Problem


class NotUtf8(ValueError):
    """The file is not UTF-8 text."""


def decode(data: bytes) -> str:
    """The file's text; a UTF-8 byte-order mark is dropped; anything not UTF-8 is refused."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NotUtf8(str(error)) from error
    return text.removeprefix("\ufeff")


def check_text(value: str, what: str, *, maximum: int, line: int = 0) -> list[Problem]:
    """Problems of a free-text field: length, control characters, formula start."""
    problems = []
    if len(value) > maximum:
        problems.append(Problem(line, "too_long", {"field": what, "max": str(maximum)}))
    if _CONTROL.search(value):
        problems.append(Problem(line, "control", {"field": what}))
    if value.startswith(FORMULA_SIGNS):
        problems.append(Problem(line, "formula", {"field": what, "start": value[0]}))
    return problems


def check_code(code: str, kind: str, *, line: int = 0) -> list[Problem]:
    """Problems of a member code for its kind."""
    if not _CODE.match(code):
        return [Problem(line, "code_format", {"code": code})]
    if kind in STATE_KINDS and not _STATE_CODE.match(code):
        return [Problem(line, "state_code", {"code": code})]
    return []


def parse_members(
    text: str, known_state: Callable[[str], bool] = lambda code: False
) -> tuple[list[MemberRow], list[Problem]]:
    """Rows and problems; a caller imports the rows only when there is no problem.

    ``known_state(code)`` tells whether ISO 3166 knows the code (then a state's name may be
    left empty).
    """
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return [], [Problem(1, "empty")]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error:
        return [], [Problem(1, "unreadable")]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return [], [Problem(1, "header", {"columns": ",".join(COLUMNS)})]
    position = {
        name: header.index(name) for name in (*COLUMNS, *OPTIONAL_COLUMNS) if name in header
    }
    rows: list[MemberRow] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    count = 0
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue  # blank lines are ignored
            count += 1
            if count > MAX_ROWS:
                problems.append(Problem(line, "too_many_rows", {"max": str(MAX_ROWS)}))
                break
            if len(cells) > len(header):
                problems.append(Problem(line, "columns", {"expected": str(len(header))}))
                continue

            def value(name: str, cells: list[str] = cells) -> str:
                index = position.get(name)
                return cells[index].strip() if index is not None and index < len(cells) else ""

            row = MemberRow(
                line,
                value("code").upper(),
                value("name"),
                value("kind").lower(),
                value("region"),
                value("name_fr"),
                value("name_es"),
            )
            found = _check_row(row, known_state)
            if row.code in seen:
                found.append(
                    Problem(line, "duplicate", {"code": row.code, "first": str(seen[row.code])})
                )
            seen.setdefault(row.code, line)
            if found:
                problems.extend(found)
            else:
                rows.append(row)
    except csv.Error:
        problems.append(Problem(reader.line_num, "unreadable"))
    if not rows and not problems:
        problems.append(Problem(1, "empty"))
    return rows, problems


def _check_row(row: MemberRow, known_state: Callable[[str], bool]) -> list[Problem]:
    line = row.line
    problems: list[Problem] = []
    if row.kind not in KINDS:
        problems.append(Problem(line, "kind", {"kind": row.kind, "kinds": ", ".join(KINDS)}))
        problems.extend(check_code(row.code, "", line=line))
    else:
        problems.extend(check_code(row.code, row.kind, line=line))
    if not row.name and not (row.kind in STATE_KINDS and known_state(row.code)):
        problems.append(Problem(line, "name_missing", {"code": row.code}))
    if not row.region:
        problems.append(Problem(line, "region_missing"))
    problems.extend(check_text(row.name, "name", maximum=NAME_MAX, line=line))
    problems.extend(check_text(row.name_fr, "name_fr", maximum=NAME_MAX, line=line))
    problems.extend(check_text(row.name_es, "name_es", maximum=NAME_MAX, line=line))
    problems.extend(check_text(row.region, "region", maximum=REGION_MAX, line=line))
    return problems
