"""CSV for spreadsheet programs, safe from formula injection (pure).

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a line
feed could be run as a formula by a spreadsheet program; such a cell is prefixed with an
apostrophe, which spreadsheets show as text (OWASP's advice). Numbers are written as numbers:
``-3`` stays ``-3`` when it *is* a number, and only text is ever neutralised. Output is UTF-8
with a byte-order mark so that spreadsheet programs read accents correctly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

from consult.core.plaintext import FORMULA_SIGNS

BOM = "\ufeff"
#: Also a tab or line break first: a spreadsheet may skip it and read the formula after it.
FORMULA_START = (*FORMULA_SIGNS, "\t", "\r", "\n")
Cell = str | int | float | None

#: Stream in chunks of about this many characters.
CHUNK = 64 * 1024


def safe_cell(value: Cell) -> str | int | float:
    """The cell as written: numbers unchanged, None empty, risky text prefixed with ``'``."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


_RISKY = frozenset(FORMULA_START)
_PLAIN = (int, float)


def safe_row(row: Sequence[Cell]) -> list[str | int | float | None]:
    """:func:`safe_cell` on every cell, inlined for the common cases (the report's hot loop);
    ``None`` is left to the csv module, which writes it as an empty cell."""
    out: list[str | int | float | None] = []
    for value in row:
        if value is None or type(value) in _PLAIN:
            out.append(value)
        elif type(value) is str:
            out.append("'" + value if value[:1] in _RISKY else value)
        else:
            out.append(safe_cell(value))
    return out


def _checked(rows: Iterator[Sequence[Cell]], columns: tuple[int, ...]) -> Iterator[list[Cell]]:
    """The rows with :func:`safe_cell` applied to ``columns`` alone (inlined for text)."""
    for row in rows:
        cells = row if type(row) is list else list(row)
        for i in columns:
            value = cells[i]
            if type(value) is str:
                if value[:1] in _RISKY:
                    cells[i] = "'" + value
            elif value is not None and type(value) not in _PLAIN:
                cells[i] = safe_cell(value)
        yield cells


#: Rows handed to the csv module at a time (its C loop writes them).
BATCH = 256


def csv_text(
    rows: Iterable[Sequence[Cell]], text_columns: Sequence[int] | None = None
) -> Iterator[str]:
    """The CSV as text chunks, the BOM first; each row neutralised on its way out.

    ``text_columns``: the only columns of the rows after the first (the header, always
    checked whole) that can hold text not neutralised yet; the others hold numbers, None,
    words of our own or text the caller has neutralised, and are written as they are (the
    responses file's ranks and choices, most of its cells)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    rows = iter(rows)
    for row in rows:
        writer.writerow(safe_row(row))
        break
    body: Iterator[Sequence[Cell]]
    if text_columns is None:
        body = map(safe_row, rows)
    elif text_columns:
        body = _checked(rows, tuple(text_columns))
    else:
        body = rows
    while batch := list(islice(body, BATCH)):
        writer.writerows(batch)
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_bytes(
    rows: Iterable[Sequence[Cell]], text_columns: Sequence[int] | None = None
) -> Iterator[bytes]:
    """:func:`csv_text` encoded as UTF-8."""
    for chunk in csv_text(rows, text_columns):
        yield chunk.encode("utf-8")
