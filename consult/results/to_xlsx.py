"""The results document as an XLSX workbook for analysis (XlsxWriter, constant memory).

A summary sheet (the document's facts and one row per question), the participation, one sheet
per question, then the responses and the comments. Counts are numbers, shares percentage
cells, header rows frozen and bold, column widths set. XlsxWriter's constant-memory mode
writes each row to a temporary file as soon as the next one starts, so the responses sheet
keeps memory flat whatever the number of responses (``bench/documents.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Any

import xlsxwriter

from consult.results.docmodel import (
    Amount,
    Bullets,
    Cell,
    Chart,
    Document,
    Heading,
    Paragraph,
    Percent,
    Section,
    Table,
)

#: Widest column, in characters; cells wrap beyond it.
MAX_WIDTH = 60


@dataclass
class LongSheet:
    """A sheet written as it is read: a header row, then rows (numbers, texts, dates)."""

    name: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    #: Columns kept visible on the left when scrolling across.
    frozen_columns: int = 0


class _Writer:
    def __init__(self, book: Any) -> None:
        self.book = book
        self.bold = book.add_format({"bold": True})
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.header = book.add_format(
            {"bold": True, "bottom": 1, "text_wrap": True, "valign": "top", "bg_color": "#E8EEF4"}
        )
        self.note = book.add_format({"italic": True, "font_color": "#444444"})
        self.result = book.add_format({"bold": True, "font_color": "#1F4E79"})
        self.percent = book.add_format({"num_format": "0.0%"})
        self.amounts = {
            places: book.add_format({"num_format": "#,##0." + "#" * places if places else "#,##0"})
            for places in (0, 1, 2, 6)
        }
        self.count = book.add_format({"num_format": "#,##0"})
        self.moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.day = book.add_format({"num_format": "yyyy-mm-dd"})
        self.text = book.add_format({"text_wrap": False})

    def cell(self, sheet: Any, row: int, col: int, value: Any) -> None:
        if value is None:
            return
        if isinstance(value, Percent):
            sheet.write_number(row, col, value.value, self.percent)
        elif isinstance(value, Amount):
            places = min((p for p in self.amounts if p >= value.places), default=6)
            sheet.write_number(row, col, float(value.value), self.amounts[places])
        elif isinstance(value, bool):
            sheet.write_string(row, col, str(value))
        elif isinstance(value, int):
            sheet.write_number(row, col, value, self.count)
        elif isinstance(value, float | Decimal):
            sheet.write_number(row, col, float(value))
        elif isinstance(value, datetime):
            sheet.write_datetime(row, col, value.replace(tzinfo=None), self.moment)
        elif isinstance(value, date):
            sheet.write_datetime(row, col, datetime.combine(value, time()), self.day)
        else:
            sheet.write_string(row, col, str(value))


def _width(value: Cell | str) -> int:
    if value is None:
        return 0
    if isinstance(value, str):
        return len(value)
    return 10


def _sheet_name(name: str, taken: set[str]) -> str:
    """A sheet name Excel accepts: no ``[]:*?/\\``, at most 31 characters, unique."""
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in name).strip("' ")[:31] or "Sheet"
    candidate, n = clean, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = clean[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def write_xlsx(
    document: Document, out: IO[bytes] | str, long_sheets: Sequence[LongSheet] = ()
) -> None:
    """Write ``document`` (and the long sheets after it) as an XLSX workbook to ``out``."""
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_numbers": False})
    book.set_properties(
        {"title": f"{document.heading}: {document.title}", "company": document.organisation}
    )
    writer = _Writer(book)
    taken: set[str] = set()
    _summary(writer, document, _sheet_name(document.word("summary"), taken))
    for section in document.sections:
        _section(writer, section, _sheet_name(section.sheet, taken))
    for long in long_sheets:
        _long(writer, long, _sheet_name(long.name, taken))
    book.close()


def _summary(w: _Writer, document: Document, name: str) -> None:
    sheet = w.book.add_worksheet(name)
    table = document.summary
    widths = [6, 50, 20, 20, 50, 12]
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.write_string(0, 0, document.organisation, w.bold)
    sheet.write_string(1, 0, f"{document.heading}: {document.title}", w.title)
    row = 2
    for label, value in document.facts:
        sheet.write_string(row, 0, label, w.bold)
        sheet.write_string(row, 1, value)
        row += 1
    row += 1
    sheet.write_string(row, 0, table.title, w.bold)
    row += 1
    sheet.freeze_panes(row + 1, 0)
    row = _table_rows(w, sheet, table, row)


def _table_rows(w: _Writer, sheet: Any, table: Table, row: int) -> int:
    for col, text in enumerate(table.header):
        sheet.write_string(row, col, text, w.header)
    row += 1
    for cells in table.rows:
        for col, value in enumerate(cells):
            w.cell(sheet, row, col, value)
        row += 1
    return row


def _section(w: _Writer, section: Section, name: str) -> None:
    sheet = w.book.add_worksheet(name)
    columns = max((len(b.header) for b in section.blocks if isinstance(b, Table)), default=1)
    widths = [0] * max(columns, 1)
    for block in section.blocks:
        if isinstance(block, Table):
            for cells in (block.header, *block.rows):
                for col, value in enumerate(cells):
                    widths[col] = max(widths[col], _width(value))
    sheet.set_column(0, 0, min(max(widths[0] + 2, 30), MAX_WIDTH))
    for col in range(1, len(widths)):
        sheet.set_column(col, col, min(max(widths[col] + 2, 12), 30))
    sheet.write_string(0, 0, section.title, w.title)
    sheet.freeze_panes(1, 1 if columns > 2 else 0)
    row = 2
    for block in section.blocks:
        if isinstance(block, Heading):
            sheet.write_string(row, 0, block.text, w.bold)
            row += 1
        elif isinstance(block, Paragraph):
            style = {"note": w.note, "result": w.result}.get(block.style, w.text)
            sheet.write_string(row, 0, block.text, style)
            row += 1
        elif isinstance(block, Bullets):
            for item in block.items:
                sheet.write_string(row, 0, item)
                row += 1
        elif isinstance(block, Table):
            row = _table_rows(w, sheet, block, row) + 1
        elif isinstance(block, Chart):
            continue  # the table beside it has the figures; charts are in the PDF and DOCX


def _long(w: _Writer, long: LongSheet, name: str) -> None:
    sheet = w.book.add_worksheet(name)
    for col, text in enumerate(long.header):
        width = min(max(len(text), 10) + 2, 40)
        sheet.set_column(col, col, width)
        sheet.write_string(0, col, text, w.header)
    sheet.freeze_panes(1, long.frozen_columns)
    row = 1
    for cells in long.rows:
        for col, value in enumerate(cells):
            if value is not None and value != "":
                w.cell(sheet, row, col, value)
        row += 1
    if row > 1:
        sheet.autofilter(0, 0, row - 1, len(long.header) - 1)
