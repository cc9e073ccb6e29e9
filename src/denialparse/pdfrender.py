"""Render letter text to PDF in several real-world layouts (reportlab), reproducibly.

Used to turn corpus letters into test PDFs and the bundled examples: plain business letters, two-column
notices, fax transmissions with a cover page, and claim tables, in different fonts, with headers and footers
on every page. The same text always gives the same PDF bytes (fixed creation date, no random ids).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

LAYOUTS = ("plain", "twocol", "fax", "table")
_TABLE_ROW = re.compile(r"\S(?: {2,}|\t| \| )\S.*(?: {2,}|\t| \| )\S")


@dataclass(frozen=True)
class RenderOptions:
    layout: str = "plain"
    font: str = "Times-Roman"
    size: float = 10.5
    header: str = ""
    footer: str = "Page {page}"
    title: str = "Notice"


def _blocks(text: str) -> list[list[str]]:
    """Paragraphs (runs of lines separated by blank lines)."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.strip():
            current.append(line.rstrip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _is_table(block: Sequence[str]) -> bool:
    return len(block) >= 2 and sum(1 for line in block if _TABLE_ROW.search(line)) >= max(2, len(block) // 2)


def _split_row(line: str) -> list[str]:
    cells = re.split(r" \| |\t| {2,}", line.strip())
    return [c.strip() for c in cells if c.strip()]


def _flowables(text: str, options: RenderOptions) -> list[Any]:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    bold = {"Times-Roman": "Times-Bold", "Helvetica": "Helvetica-Bold", "Courier": "Courier-Bold"}.get(
        options.font, options.font
    )
    body = ParagraphStyle("body", fontName=options.font, fontSize=options.size, leading=options.size * 1.25)
    heading = ParagraphStyle("heading", parent=body, fontName=bold)
    cell = ParagraphStyle("cell", parent=body, fontSize=options.size - 1.5, leading=(options.size - 1.5) * 1.2)
    story: list[Any] = []
    for block in _blocks(text):
        if options.layout == "table" and _is_table(block):
            rows = [_split_row(line) for line in block]
            width = max(len(r) for r in rows)
            data = [[Paragraph(escape(c), cell) for c in r + [""] * (width - len(r))] for r in rows]
            table = Table(data, repeatRows=1)
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story += [table, Spacer(1, 6)]
            continue
        joined = escape(" ".join(line.strip() for line in block))
        is_heading = len(block) == 1 and (block[0].isupper() or block[0].endswith(":")) and len(block[0]) < 70
        if options.layout in ("plain", "fax") and not is_heading and len(block) > 1 and _looks_like_lines(block):
            joined = "<br/>".join(escape(line.strip()) for line in block)
        story += [Paragraph(joined, heading if is_heading else body), Spacer(1, options.size * 0.5)]
    return story


def _looks_like_lines(block: Sequence[str]) -> bool:
    """Address blocks and short label lines keep their line breaks."""
    return sum(len(line) for line in block) / len(block) < 45


def render_pdf(text: str, options: RenderOptions = RenderOptions()) -> bytes:
    """Render ``text`` to PDF bytes in the chosen layout."""
    from reportlab.lib.pagesizes import LETTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import inch
    from reportlab.platypus import BaseDocTemplate, Frame, PageBreak, PageTemplate, Paragraph

    if options.layout not in LAYOUTS:
        raise ValueError(f"unknown layout {options.layout!r}; choose from {', '.join(LAYOUTS)}")
    buffer = io.BytesIO()
    width, height = LETTER
    margin = 0.85 * inch

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        if options.header:
            canvas.drawString(margin, height - 0.5 * inch, options.header.format(page=doc.page))
        if options.footer:
            canvas.drawRightString(width - margin, 0.45 * inch, options.footer.format(page=doc.page))
        canvas.restoreState()

    document = BaseDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=options.title,
        author="denialparse test corpus",
        creator="denialparse",
        invariant=1,
    )
    full = Frame(margin, margin, width - 2 * margin, height - 2 * margin, id="full")
    gutter = 0.3 * inch
    column = (width - 2 * margin - gutter) / 2
    left = Frame(margin, margin, column, height - 2 * margin, id="left")
    right = Frame(margin + column + gutter, margin, column, height - 2 * margin, id="right")
    templates = [PageTemplate(id="one", frames=[full], onPage=decorate)]
    if options.layout == "twocol":
        templates = [PageTemplate(id="two", frames=[left, right], onPage=decorate)]
    document.addPageTemplates(templates)
    story: list[Any] = []
    if options.layout == "fax":
        cover = ParagraphStyle("cover", fontName="Courier-Bold", fontSize=14, leading=20)
        lines = [
            "FAX TRANSMISSION",
            "TO: Provider / Member",
            "RE: Coverage determination",
            "PAGES (INCLUDING COVER): see footer",
            "CONFIDENTIAL: this fax contains protected health information.",
        ]
        story += [Paragraph(escape(line), cover) for line in lines] + [PageBreak()]
    story += _flowables(text, options)
    document.build(story)
    return buffer.getvalue()


def options_for(index: int, title: str = "Notice") -> RenderOptions:
    """A deterministic spread of layouts, fonts and page furniture for the ``index``-th letter."""
    layout = LAYOUTS[index % len(LAYOUTS)]
    font = ("Times-Roman", "Helvetica", "Courier")[(index // len(LAYOUTS)) % 3]
    size = (10.5, 9.5, 11.0)[(index // 3) % 3]
    header = ("", "CONFIDENTIAL - PROTECTED HEALTH INFORMATION", "Utilization Management  |  page {page}")[index % 3]
    if layout == "fax":
        font = "Courier"
        header = "FROM: UM DEPT   FAX 555-0100   P. {page}"
    return RenderOptions(layout=layout, font=font, size=size, header=header, footer="Page {page}", title=title)
