"""The results page's bar charts drawn for the documents: a standalone SVG and its PNG
stand-in for the DOCX, and the font and colours both documents use. The geometry (labels,
lengths, rows, the official result highlighted) is :func:`consult.results.charts.layout`'s;
this module only draws it.

The font is Bitstream Vera, shipped inside the reportlab wheel (``reportlab/fonts``), so
nothing is fetched at run time and a fresh machine needs no system fonts; it covers French and
Spanish (accents, œ, ¿, ¡, «», typographic quotes and dashes).
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from PIL import Image, ImageDraw, ImageFont

from consult.results.charts import BarChart, layout

FONT_DIR = Path(reportlab.__file__).parent / "fonts"
FONTS = {
    "regular": FONT_DIR / "Vera.ttf",
    "bold": FONT_DIR / "VeraBd.ttf",
    "italic": FONT_DIR / "VeraIt.ttf",
    "bold-italic": FONT_DIR / "VeraBI.ttf",
}
BAR = "#9aa9b8"
OFFICIAL = "#1f4e79"
TEXT = "#1a1a1a"
FONT_SIZE = 12
#: Characters the font lacks, written with one it has (Babel's French narrow no-break space).
SUBSTITUTES = str.maketrans({"\u202f": "\u00a0"})


def svg(source: BarChart) -> str:
    """The chart as a standalone SVG document (the DOCX shows it; its title is its alt)."""
    chart = layout(source)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{chart.width}" height="{chart.height}"'
        f' viewBox="0 0 {chart.width} {chart.height}" font-family="Bitstream Vera Sans, '
        f'DejaVu Sans, Verdana, sans-serif" font-size="{FONT_SIZE}">',
        f"<title>{escape(chart.title)}</title>",
    ]
    for bar in chart.bars:
        colour = OFFICIAL if bar.highlight else BAR
        parts.append(f'<text x="0" y="{bar.y + 13}" fill="{TEXT}">{escape(bar.label)}</text>')
        parts.append(
            f'<rect x="{chart.label_width}" y="{bar.y + 1}" width="{bar.width}" '
            f'height="{chart.bar_height}" fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{chart.label_width + bar.width + 6}" y="{bar.y + 13}" fill="{TEXT}">'
            f"{escape(bar.text)}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS["regular"]), size)


def png(source: BarChart, scale: int = 2) -> bytes:
    """The same drawing as a PNG at ``scale`` times its size (for readers without SVG)."""
    chart = layout(source)
    image = Image.new("RGB", (chart.width * scale, chart.height * scale), "white")
    draw = ImageDraw.Draw(image)
    font = _font(FONT_SIZE * scale)
    for bar in chart.bars:
        top = (bar.y + 1) * scale
        draw.text((0, top), bar.label.translate(SUBSTITUTES), fill=TEXT, font=font)
        left = chart.label_width * scale
        if bar.width:
            draw.rectangle(
                (left, top, left + round(bar.width * scale), top + chart.bar_height * scale),
                fill=OFFICIAL if bar.highlight else BAR,
            )
        draw.text(
            (left + round((bar.width + 6) * scale), top),
            bar.text.translate(SUBSTITUTES),
            fill=TEXT,
            font=font,
        )
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=3)
    return out.getvalue()
