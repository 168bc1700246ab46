"""The results document as an A4 PDF for circulation (reportlab).

Why reportlab: it installs from PyPI as a pure wheel with no system library (WeasyPrint needs
Pango and Cairo), it ships the Bitstream Vera fonts that are embedded here (French and Spanish
accents, typographic quotes), its page templates give the header and "Page X of Y" footer, its
tables flow over pages with the header row repeated, and its drawings are vector graphics:
the bars are rectangles in the page, not pictures.

Every page: the organisation and the reference symbol at the top, the date of production and
the page number at the bottom. The first page: organisation, title, symbol and dates (with
their time zone), then the summary of results.
"""

from __future__ import annotations

from typing import IO, Any
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    ListFlowable,
    ListItem,
    SimpleDocTemplate,
    Spacer,
)
from reportlab.platypus import Paragraph as Para
from reportlab.platypus import Table as PdfTable

from consult.results import chartdraw, charts
from consult.results.charts import BarChart
from consult.results.docmodel import (
    Bullets,
    Chart,
    Document,
    Heading,
    Paragraph,
    Section,
    Table,
    is_number,
    number_text,
)

FONT = "ConsultVera"
MARGIN = 20 * mm
WIDTH = A4[0] - 2 * MARGIN
BLUE = colors.HexColor(chartdraw.OFFICIAL)
GREY = colors.HexColor(chartdraw.BAR)


def _register_fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    names = {
        "regular": FONT,
        "bold": f"{FONT}-Bold",
        "italic": f"{FONT}-Italic",
        "bold-italic": f"{FONT}-BoldItalic",
    }
    for key, name in names.items():
        pdfmetrics.registerFont(TTFont(name, str(chartdraw.FONTS[key])))
    pdfmetrics.registerFontFamily(
        FONT,
        normal=names["regular"],
        bold=names["bold"],
        italic=names["italic"],
        boldItalic=names["bold-italic"],
    )


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("text", fontName=FONT, fontSize=9.5, leading=12.5, spaceAfter=4)
    return {
        "text": base,
        "note": ParagraphStyle(
            "note", parent=base, fontName=f"{FONT}-Italic", fontSize=8.5, leading=11
        ),
        "result": ParagraphStyle(
            "result", parent=base, fontName=f"{FONT}-Bold", textColor=BLUE, fontSize=10.5
        ),
        "organisation": ParagraphStyle("organisation", parent=base, fontSize=11, spaceAfter=10),
        "title": ParagraphStyle(
            "title", parent=base, fontName=f"{FONT}-Bold", fontSize=18, leading=23, spaceAfter=8
        ),
        "h1": ParagraphStyle(
            "h1",
            parent=base,
            fontName=f"{FONT}-Bold",
            fontSize=14,
            leading=18,
            spaceBefore=10,
            spaceAfter=6,
            keepWithNext=1,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=f"{FONT}-Bold",
            fontSize=11.5,
            leading=15,
            spaceBefore=8,
            spaceAfter=4,
            keepWithNext=1,
        ),
        "h3": ParagraphStyle(
            "h3",
            parent=base,
            fontName=f"{FONT}-Bold",
            fontSize=10,
            leading=13,
            spaceBefore=6,
            keepWithNext=1,
        ),
        "caption": ParagraphStyle(
            "caption",
            parent=base,
            fontName=f"{FONT}-Italic",
            fontSize=8.5,
            leading=11,
            keepWithNext=1,
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5, spaceAfter=0),
        "head": ParagraphStyle(
            "head", parent=base, fontName=f"{FONT}-Bold", fontSize=8.5, leading=10.5, spaceAfter=0
        ),
        "number": ParagraphStyle(
            "number", parent=base, fontSize=8.5, leading=10.5, spaceAfter=0, alignment=TA_RIGHT
        ),
    }


def _text(value: str) -> str:
    """Plain text for a reportlab paragraph: markup characters escaped, every character one
    the embedded font has."""
    return escape(value.translate(chartdraw.SUBSTITUTES))


def write_pdf(document: Document, out: IO[bytes]) -> None:
    """Write ``document`` as an A4 PDF to ``out``."""
    _register_fonts()
    styles = _styles()
    story: list[Any] = [
        Para(_text(document.organisation), styles["organisation"]),
        Para(_text(document.title), styles["title"]),
        Para(_text(document.heading), styles["h2"]),
        _facts(document, styles),
        Spacer(1, 6 * mm),
        Para(_text(document.summary.title), styles["h1"]),
        _table(document.summary, document.locale, styles),
    ]
    for section in document.sections:
        story += _section(section, document.locale, styles)
    pdf = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{document.heading}: {document.title}",
        author=document.organisation,
        subject=document.reference,
        lang=document.locale,
        initialFontName=FONT,  # every page starts in the embedded font, never Helvetica
    )
    pdf.build(story, canvasmaker=_numbered(document))


def _facts(document: Document, styles: dict[str, ParagraphStyle]) -> PdfTable:
    rows = [
        [Para(_text(label), styles["head"]), Para(_text(value), styles["cell"])]
        for label, value in document.facts
    ]
    table = PdfTable(rows, colWidths=[45 * mm, WIDTH - 45 * mm], hAlign="LEFT")
    table.setStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]
    )
    return table


def _section(section: Section, locale: str, styles: dict[str, ParagraphStyle]) -> list[Any]:
    story: list[Any] = [CondPageBreak(40 * mm), Para(_text(section.title), styles["h1"])]
    for block in section.blocks:
        if isinstance(block, Heading):
            style = styles["h2"] if block.level <= 3 else styles["h3"]
            story.append(Para(_text(block.text), style))
        elif isinstance(block, Paragraph):
            story.append(Para(_text(block.text), styles.get(block.style, styles["text"])))
        elif isinstance(block, Bullets):
            story.append(
                ListFlowable(
                    [ListItem(Para(_text(item), styles["text"])) for item in block.items],
                    bulletType="bullet",
                    bulletFontName=FONT,
                    leftIndent=12,
                )
            )
        elif isinstance(block, Table):
            story.append(Para(_text(block.title), styles["caption"]))
            story.append(_table(block, locale, styles))
            story.append(Spacer(1, 3 * mm))
        elif isinstance(block, Chart):
            story.append(KeepTogether([_drawing(block.chart), Spacer(1, 2 * mm)]))
    return story


def _table(block: Table, locale: str, styles: dict[str, ParagraphStyle]) -> PdfTable:
    columns = len(block.header)
    numeric = [any(is_number(row[i]) for row in block.rows) for i in range(columns)]
    head = [
        Para(_text(text), styles["head"] if not numeric[i] or not i else styles["number"])
        for i, text in enumerate(block.header)
    ]
    for cell in head[1:]:
        cell.style = ParagraphStyle("h", parent=cell.style, fontName=f"{FONT}-Bold")
    rows: list[list[Any]] = [head]
    for row in block.rows:
        cells = []
        for i, value in enumerate(row):
            style = styles["number"] if is_number(value) or value == "—" else styles["cell"]
            if i == 0 and block.row_names and not is_number(value):
                style = styles["head"]
            cells.append(Para(_text(number_text(value, locale)), style))
        rows.append(cells)
    table = PdfTable(rows, colWidths=_widths(block, numeric), repeatRows=1, hAlign="LEFT")
    table.setStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b0b7bf")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]
    )
    return table


def _widths(block: Table, numeric: list[bool]) -> list[float]:
    """Number columns narrow; text columns share the rest by the length of what they hold."""
    columns = len(block.header)
    if columns == 1:
        return [WIDTH]
    texts = [i for i in range(columns) if not numeric[i]]
    if not texts:
        return [WIDTH / columns] * columns
    numbers = columns - len(texts)
    narrow = min(25 * mm, 0.6 * WIDTH / numbers) if numbers else 0
    room = WIDTH - narrow * numbers

    def weight(i: int) -> float:
        longest = max(
            (len(str(row[i])) for row in block.rows if i < len(row) and row[i]), default=0
        )
        return float(min(max(longest, len(block.header[i]), 8), 45))

    weights = {i: weight(i) for i in texts}
    total = sum(weights.values())
    return [room * weights[i] / total if i in weights else narrow for i in range(columns)]


def _drawing(source: BarChart) -> Drawing:
    """The bar chart as PDF vector graphics, scaled to the text width."""
    chart = charts.layout(source)
    scale = min(1.0, WIDTH / chart.width)
    drawing = Drawing(chart.width * scale, chart.height * scale, initialFontName=FONT)
    top = chart.height
    for bar in chart.bars:
        base = top - bar.y - 13
        drawing.add(
            String(0, base, bar.label.translate(chartdraw.SUBSTITUTES), fontName=FONT, fontSize=11)
        )
        if bar.width:
            drawing.add(
                Rect(
                    chart.label_width,
                    top - bar.y - 1 - chart.bar_height,
                    bar.width,
                    chart.bar_height,
                    fillColor=BLUE if bar.highlight else GREY,
                    strokeColor=None,
                )
            )
        drawing.add(
            String(
                chart.label_width + bar.width + 6,
                base,
                bar.text.translate(chartdraw.SUBSTITUTES),
                fontName=FONT,
                fontSize=11,
            )
        )
    drawing.scale(scale, scale)
    return drawing


def _numbered(document: Document) -> type[Canvas]:
    """A canvas that draws the running header and "Page X of Y" once the page count is
    known (every page is kept until the document is saved)."""
    header = document.organisation + (f" · {document.reference}" if document.reference else "")
    produced = document.word("produced").translate(chartdraw.SUBSTITUTES)
    page_words = document.word("page")

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            count = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(count)
                super().showPage()
            super().save()

        def _decorate(self, count: int) -> None:
            width, height = A4
            self.saveState()
            self.setFont(FONT, 8)
            self.setFillColor(colors.HexColor("#555555"))
            self.drawRightString(
                width - MARGIN, height - 12 * mm, header.translate(chartdraw.SUBSTITUTES)
            )
            self.drawString(MARGIN, 10 * mm, produced)
            number = page_words.replace("{page}", str(self._pageNumber)).replace(
                "{pages}", str(count)
            )
            self.drawRightString(width - MARGIN, 10 * mm, number)
            self.restoreState()

    return NumberedCanvas
