"""The results document as DOCX, for the officer to edit into the discussion note
(python-docx).

Real Word headings (Title, Heading 1-3), real tables with a repeated header row (the figures
stay editable text), bulleted comments, and a footer with the organisation, the reference
symbol and "Page X of Y" as Word fields. Charts are SVG pictures (vector, shown by Word 2016
and later and by LibreOffice) with a PNG of the same drawing as the fallback OOXML requires
for older readers; the table next to each chart has the same figures.
"""

from __future__ import annotations

import io
import re
from typing import IO, Any

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from consult.results import chartdraw
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

SVG_EXTENSION = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"
SVG_NAMESPACE = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"
CHART_WIDTH = Cm(15)


def write_docx(document: Document, out: IO[bytes]) -> None:
    """Write ``document`` as a Word document to ``out``."""
    _Writer(document).write(out)


class _Writer:
    def __init__(self, document: Document) -> None:
        self.doc = document
        self.word = new_docx()
        self.charts = 0
        #: Style ids by name, looked up once (python-docx searches every style per lookup).
        self.style_ids: dict[str, str] = {}
        self._page()
        self._styles()

    def write(self, out: IO[bytes]) -> None:
        d, w = self.doc, self.word
        w.core_properties.title = f"{d.heading}: {d.title}"
        w.core_properties.author = d.organisation
        w.core_properties.language = d.locale
        w.core_properties.subject = d.reference
        self.add(d.organisation, "Subtitle")
        self.heading(d.title, 0)
        self.add(d.heading, "Subtitle")
        facts = w.add_table(rows=0, cols=2)
        for label, value in d.facts:
            cells = facts.add_row().cells
            cells[0].paragraphs[0].add_run(label).bold = True
            cells[1].paragraphs[0].add_run(value)
        self.heading(d.summary.title, 1)
        self.table(d.summary, caption=False)
        for section in d.sections:
            self.section(section)
        w.save(out)

    def add(self, text: str = "", style: str = "Normal") -> Any:
        """A paragraph in ``style``, the style set by its id."""
        paragraph = self.word.add_paragraph()
        if style != "Normal":
            paragraph._p.get_or_add_pPr().get_or_add_pStyle().val = self.style_id(style)
        if text:
            paragraph.add_run(text)
        return paragraph

    def style_id(self, name: str) -> str:
        if name not in self.style_ids:
            self.style_ids[name] = self.word.styles[name].style_id
        return self.style_ids[name]

    def heading(self, text: str, level: int) -> None:
        self.add(text, "Title" if level == 0 else f"Heading {level}")

    # Page and styles -------------------------------------------------------------------

    def _page(self) -> None:
        section = self.word.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        for side in ("left_margin", "right_margin"):
            setattr(section, side, Cm(2))
        section.top_margin = section.bottom_margin = Cm(2)
        d = self.doc
        header = section.header.paragraphs[0]
        header.text = f"{d.organisation} · {d.reference}" if d.reference else d.organisation
        header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        footer = section.footer.paragraphs[0]
        footer.add_run(d.word("produced") + "\t")
        self._page_numbers(footer, d.word("page"))

    def _page_numbers(self, paragraph: Any, words: str) -> None:
        """``Page {page} of {pages}`` with Word's PAGE and NUMPAGES fields in the braces."""
        for piece in re.split(r"(\{page\}|\{pages\})", words):
            if piece == "{page}":
                _field(paragraph, "PAGE")
            elif piece == "{pages}":
                _field(paragraph, "NUMPAGES")
            elif piece:
                paragraph.add_run(piece)

    def _styles(self) -> None:
        styles = self.word.styles
        normal = styles["Normal"]
        normal.font.name = "Calibri"
        normal.font.size = Pt(10.5)
        styles["Caption"].font.size = Pt(9)

    # Blocks ----------------------------------------------------------------------------

    def section(self, section: Section) -> None:
        self.heading(section.title, 1)
        for block in section.blocks:
            if isinstance(block, Heading):
                self.heading(block.text, min(max(block.level - 1, 2), 4))
            elif isinstance(block, Paragraph):
                self.paragraph(block)
            elif isinstance(block, Bullets):
                for item in block.items:
                    self.add(item, "List Bullet")
            elif isinstance(block, Table):
                self.table(block)
            elif isinstance(block, Chart):
                self.chart(block)

    def paragraph(self, block: Paragraph) -> None:
        run = self.add().add_run(block.text)
        if block.style == "result":
            run.bold = True
            run.font.color.rgb = RGBColor(0x1F, 0x4E, 0x79)
        elif block.style == "note":
            run.italic = True
            run.font.size = Pt(9)

    def table(self, block: Table, caption: bool = True) -> None:
        if caption:
            self.add(block.title, "Caption")
        columns = len(block.header)
        table = self.word.add_table(rows=1, cols=columns)
        table._tbl.tblStyle_val = self.style_id("Table Grid")
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        head = table.rows[0]
        _repeat_header(head)
        numeric = [
            any(is_number(row[i]) for row in block.rows if i < len(row)) for i in range(columns)
        ]
        for i, (cell, text) in enumerate(zip(head.cells, block.header, strict=True)):
            paragraph = cell.paragraphs[0]
            paragraph.add_run(text).bold = True
            if numeric[i] and i:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        locale = self.doc.locale
        for row in block.rows:
            cells = table.add_row().cells
            for i, value in enumerate(row):
                paragraph = cells[i].paragraphs[0]
                run = paragraph.add_run(number_text(value, locale))
                if i == 0 and block.row_names:
                    run.bold = True
                if is_number(value):
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        self.add()

    def chart(self, block: Chart) -> None:
        """An SVG picture with its PNG fallback, described by the chart's title."""
        self.charts += 1
        png = chartdraw.png(block.chart)
        shape = self.add().add_run().add_picture(io.BytesIO(png), width=CHART_WIDTH)
        shape._inline.docPr.set("descr", block.chart.title)
        shape._inline.docPr.set("title", block.chart.title)
        part = Part(
            PackURI(f"/word/media/chart{self.charts}.svg"),
            "image/svg+xml",
            chartdraw.svg(block.chart).encode("utf-8"),
            self.word.part.package,
        )
        rel = self.word.part.relate_to(part, RT.IMAGE)
        blip = shape._inline.graphic.graphicData.pic.blipFill.blip
        ext_list = OxmlElement("a:extLst")
        ext = OxmlElement("a:ext")
        ext.set("uri", SVG_EXTENSION)
        svg_blip = ext.makeelement(f"{{{SVG_NAMESPACE}}}svgBlip", nsmap={"asvg": SVG_NAMESPACE})
        svg_blip.set(qn("r:embed"), rel)
        ext.append(svg_blip)
        ext_list.append(ext)
        blip.append(ext_list)


def _field(paragraph: Any, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) computed when the document is shown or printed."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = f" {code} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    shown = OxmlElement("w:t")
    shown.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instruction, separate, shown, end):
        run._r.append(element)


def _repeat_header(row: Any) -> None:
    """The row is repeated at the top of every page the table runs onto."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)
