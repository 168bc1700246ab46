"""The results document as data: one language-resolved model, three renderers (pure).

:mod:`consult.results.compose` builds a :class:`Document` from the results in one language
(every text already translated, every figure still a number); ``to_xlsx``, ``to_docx`` and
``to_pdf`` only lay it out. What the Council reads is therefore the same in every format, and
tests check the model (:func:`outline`) rather than bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from babel.numbers import format_decimal, format_percent

from consult.results.charts import BarChart


@dataclass(frozen=True)
class Percent:
    """A share (0.25 is 25 %): a percentage cell in a spreadsheet."""

    value: float


@dataclass(frozen=True)
class Amount:
    """A number that may have decimals (a mean, Borda half-points, a sum of amounts)."""

    value: Decimal | float
    places: int = 2


#: A table cell: text, a count (int), an amount, a share, or nothing.
Cell = str | int | Amount | Percent | None


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class Paragraph:
    """A paragraph; ``style`` is ``text``, ``result`` (the official result, set apart) or
    ``note`` (how a figure is counted)."""

    text: str
    style: str = "text"


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table with a header row; the first column names the row when ``row_names``."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    row_names: bool = True


@dataclass(frozen=True)
class Chart:
    """A bar chart (geometry from :mod:`consult.results.charts`), drawn as vector graphics;
    the figures are also in the table next to it."""

    chart: BarChart


Block = Heading | Paragraph | Bullets | Table | Chart


@dataclass(frozen=True)
class Section:
    """A part of the document: participation, one question, the general comments. ``sheet``
    names its spreadsheet tab (at most 31 characters)."""

    title: str
    sheet: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Document:
    locale: str
    organisation: str
    #: "Results of the consultation", in the document's language.
    heading: str
    title: str
    reference: str
    #: Label and value: reference, opening, closing, publication, production (time zone named).
    facts: tuple[tuple[str, str], ...]
    #: The date of production, as shown in the page footer.
    produced: str
    #: One row per question: its official result or main figure.
    summary: Table
    sections: tuple[Section, ...]
    #: Words the renderers need: "page" ("Page {page} of {pages}"), sheet names, ...
    words: dict[str, str] = field(default_factory=dict)

    def word(self, key: str) -> str:
        return self.words.get(key, key)


def number_text(cell: Cell, locale: str) -> str:
    """A cell as the reader writes it (``1 234,5`` and ``25 %`` in French)."""
    if cell is None:
        return ""
    if isinstance(cell, Percent):
        return format_percent(cell.value, format="#,##0.#%", locale=locale)
    if isinstance(cell, Amount):
        return format_decimal(cell.value, format=f"#,##0.{'#' * cell.places}", locale=locale)
    if isinstance(cell, bool):
        return str(cell)
    if isinstance(cell, int):
        return format_decimal(cell, format="#,##0", locale=locale)
    return cell


def is_number(cell: Cell) -> bool:
    return isinstance(cell, int | Amount | Percent) and not isinstance(cell, bool)


def outline(document: Document) -> Iterator[str]:
    """The document as lines of text, in order: what every format shows (golden tests)."""
    yield document.organisation
    yield document.heading
    yield document.title
    for label, value in document.facts:
        yield f"{label}: {value}"
    yield from _table_lines(document.summary, document.locale)
    for section in document.sections:
        yield f"# {section.title}"
        for block in section.blocks:
            yield from _block_lines(block, document.locale)


def _block_lines(block: Block, locale: str) -> Iterable[str]:
    if isinstance(block, Heading):
        return [f"{'#' * block.level} {block.text}"]
    if isinstance(block, Paragraph):
        return [f"[{block.style}] {block.text}" if block.style != "text" else block.text]
    if isinstance(block, Bullets):
        return [f"- {item}" for item in block.items]
    if isinstance(block, Table):
        return _table_lines(block, locale)
    return [
        f"[chart] {block.chart.title}",
        *(f"  {bar.label}: {bar.text}{' *' if bar.highlight else ''}" for bar in block.chart.bars),
    ]


def _table_lines(table: Table, locale: str) -> Iterator[str]:
    yield f"[table] {table.title}"
    yield "  " + " | ".join(table.header)
    for row in table.rows:
        yield "  " + " | ".join(number_text(cell, locale) for cell in row)
