"""What Pluma's PDFs share: fonts that cover supporters' names, page furniture, flowing text.

Documents are drawn on a ReportLab canvas page by page rather than built from one big
platypus story, so a pack with 100,000 names never holds 100,000 flowables: the short
front matter flows through frames, the long lists are drawn line by line.
"""

from pathlib import Path
from typing import BinaryIO

import reportlab
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm
BODY_WIDTH = PAGE_WIDTH - 2 * MARGIN

# Names come in every script supporters type; DejaVu covers far more of them than the
# PDF base fonts (Latin-1 only). Debian ships it; ReportLab's own Vera is the fallback.
_CANDIDATES = [
    (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
    (
        Path(reportlab.__file__).parent / "fonts" / "Vera.ttf",
        Path(reportlab.__file__).parent / "fonts" / "VeraBd.ttf",
    ),
]
FONT = "PlumaSans"
FONT_BOLD = "PlumaSans-Bold"


def register_fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    for regular, bold in _CANDIDATES:
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont(FONT, str(regular)))
            pdfmetrics.registerFont(TTFont(FONT_BOLD, str(bold)))
            return
    raise RuntimeError("No TrueType font found for PDFs")  # pragma: no cover


def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=15, spaceAfter=7)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=11),
        "title": ParagraphStyle(
            "title", parent=body, fontName=FONT_BOLD, fontSize=16, leading=20, spaceAfter=10
        ),
        "heading": ParagraphStyle(
            "heading",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=12,
            leading=16,
            spaceBefore=8,
            spaceAfter=6,
        ),
    }


def new_canvas(target: str | Path | BinaryIO, *, title: str, author: str) -> Canvas:
    """A canvas writing to ``target`` (a path or a binary file), compressing each page."""
    register_fonts()
    canvas = Canvas(target, pagesize=A4, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor(author)
    return canvas


def footer(canvas: Canvas, text: str) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 7.5)
    canvas.setFillGray(0.35)
    canvas.drawString(MARGIN, 10 * mm, text)
    canvas.drawRightString(PAGE_WIDTH - MARGIN, 10 * mm, str(canvas.getPageNumber()))
    canvas.restoreState()


def flow(canvas: Canvas, story: list[Flowable], *, footer_text: str) -> None:
    """Lay out a short story over as many pages as it needs, then end the page."""
    while story:
        frame = Frame(MARGIN, 16 * mm, BODY_WIDTH, PAGE_HEIGHT - MARGIN - 16 * mm, showBoundary=0)
        before = len(story)
        frame.addFromList(story, canvas)
        footer(canvas, footer_text)
        canvas.showPage()
        if len(story) == before:  # pragma: no cover - a flowable taller than a page
            story.pop(0)


def fit(text: str, width: float, font: str = FONT, size: float = 9) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` points."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"
