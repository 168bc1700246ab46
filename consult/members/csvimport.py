"""Parse a membership CSV (``code,name,kind,region``): all rows valid or nothing (pure)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

KINDS = ("member_state", "observer_state", "observer_org")
COLUMNS = ("code", "name", "kind", "region")
_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")


@dataclass(frozen=True)
class MemberRow:
    line: int
    code: str
    name: str
    kind: str
    region: str


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


def parse_members(text: str) -> tuple[list[MemberRow], list[RowError]]:
    """Rows and errors; a caller imports the rows only when there is no error."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = tuple(name.strip().lower() for name in reader.fieldnames or ())
    if header[: len(COLUMNS)] != COLUMNS:
        return [], [RowError(1, f"the header must be {','.join(COLUMNS)}")]
    rows: list[MemberRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num
        values = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        code = values.get("code", "").upper()
        name, kind, region = (
            values.get("name", ""),
            values.get("kind", ""),
            values.get("region", ""),
        )
        problems = []
        if not _CODE.match(code):
            problems.append(f"code {code!r} is not 2–10 capital letters or digits")
        if kind not in KINDS:
            problems.append(f"kind {kind!r} is not one of {', '.join(KINDS)}")
        if kind in ("member_state", "observer_state") and len(code) != 3:
            problems.append(f"a state needs its ISO 3166 alpha-3 code, not {code!r}")
        if not region or len(region) > 80:
            problems.append("region is missing")
        if not name and kind == "observer_org":
            problems.append("an organisation needs a name")
        if len(name) > 200:
            problems.append("name is longer than 200 characters")
        if code in seen:
            problems.append(f"code {code} appears already on line {seen[code]}")
        seen.setdefault(code, line)
        if problems:
            errors.extend(RowError(line, p) for p in problems)
        else:
            rows.append(MemberRow(line, code, name, kind, region))
    return rows, errors
