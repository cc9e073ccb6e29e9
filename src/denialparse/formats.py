"""Letter formats: every letter template renders Markdown; this module turns it into HTML, DOCX or PDF.

One template per letter kind keeps one source of truth for the wording. Markdown is parsed once with
markdown-it (raw HTML disabled, so text from a case file can never inject markup) into a small list of blocks
that each writer (HTML, python-docx, reportlab) lays out.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


@dataclass
class Run:
    """A piece of inline text with its emphasis."""

    text: str
    bold: bool = False
    italic: bool = False
    link: str | None = None


@dataclass
class Block:
    """A paragraph-level element: heading (level 1-3), paragraph, bullet/numbered item, quote, or rule."""

    kind: str
    runs: list[Run] = field(default_factory=list)
    level: int = 0
    number: int = 0

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True})


def _inline_runs(children: list[object]) -> list[Run]:
    runs: list[Run] = []
    bold = italic = False
    link: str | None = None
    for token in children:
        kind = getattr(token, "type", "")
        if kind == "strong_open":
            bold = True
        elif kind == "strong_close":
            bold = False
        elif kind == "em_open":
            italic = True
        elif kind == "em_close":
            italic = False
        elif kind == "link_open":
            link = str(getattr(token, "attrs", {}).get("href", ""))
        elif kind == "link_close":
            link = None
        elif kind in ("text", "code_inline"):
            runs.append(Run(str(getattr(token, "content", "")), bold, italic, link))
        elif kind in ("softbreak", "hardbreak"):
            runs.append(Run("\n", bold, italic, link))
    return runs


def parse_blocks(markdown: str) -> list[Block]:
    """The letter as blocks, in order."""
    blocks: list[Block] = []
    list_stack: list[tuple[str, int]] = []
    quote_depth = 0
    heading_level = 0
    for token in _parser().parse(markdown):
        if token.type == "heading_open":
            heading_level = int(token.tag[1])
        elif token.type == "heading_close":
            heading_level = 0
        elif token.type == "bullet_list_open":
            list_stack.append(("bullet", 0))
        elif token.type == "ordered_list_open":
            list_stack.append(("number", int(token.attrs.get("start", 1) or 1) - 1))
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            list_stack.pop()
        elif token.type == "list_item_open" and list_stack:
            kind, count = list_stack[-1]
            list_stack[-1] = (kind, count + 1)
        elif token.type == "blockquote_open":
            quote_depth += 1
        elif token.type == "blockquote_close":
            quote_depth -= 1
        elif token.type == "hr":
            blocks.append(Block("rule"))
        elif token.type == "inline":
            runs = _inline_runs(list(token.children or []))
            if heading_level:
                blocks.append(Block("heading", runs, level=heading_level))
            elif list_stack:
                kind, count = list_stack[-1]
                blocks.append(Block(kind, runs, level=len(list_stack), number=count))
            elif quote_depth:
                blocks.append(Block("quote", runs))
            else:
                blocks.append(Block("paragraph", runs))
    return blocks


def to_html(markdown: str, title: str) -> bytes:
    """A standalone, printable HTML page (no scripts, no external resources)."""
    body = _parser().render(markdown)
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: Georgia, "Times New Roman", serif; max-width: 46rem; margin: 2rem auto; line-height: 1.45;
       padding: 0 1rem; color: #111; }}
h1, h2, h3 {{ font-family: Helvetica, Arial, sans-serif; }}
h2 {{ font-size: 1.1rem; margin-top: 1.6rem; }}
blockquote {{ border-left: 3px solid #999; margin-left: 0; padding-left: 1rem; color: #333; }}
</style></head><body>
{body}</body></html>
"""
    return page.encode("utf-8")


def to_docx(markdown: str, title: str) -> bytes:
    """A Word document with real headings, lists and quotes (python-docx)."""
    from docx import Document as WordDocument
    from docx.shared import Pt

    document = WordDocument()
    document.core_properties.title = title
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(11)
    for block in parse_blocks(markdown):
        if block.kind == "rule":
            document.add_paragraph("")
            continue
        if block.kind == "heading":
            paragraph = document.add_heading(level=min(block.level, 3))
        elif block.kind == "bullet":
            paragraph = document.add_paragraph(style="List Bullet")
        elif block.kind == "number":
            paragraph = document.add_paragraph(style="List Number")
        elif block.kind == "quote":
            paragraph = document.add_paragraph(style="Quote")
        else:
            paragraph = document.add_paragraph()
        for run in block.runs:
            if run.text == "\n":
                paragraph.add_run().add_break()
                continue
            added = paragraph.add_run(run.text)
            added.bold = run.bold or None
            added.italic = run.italic or None
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def to_pdf(markdown: str, title: str) -> bytes:
    """A letter-size PDF (reportlab platypus): wrapped paragraphs, headings, lists, quotes, page numbers."""
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.pagesizes import LETTER
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import inch
    from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontName="Times-Roman", fontSize=11, leading=14.5)
    body.alignment = TA_LEFT
    quote = ParagraphStyle("quote", parent=body, leftIndent=18, textColor="#333333", fontName="Times-Italic")
    headings = {
        1: ParagraphStyle("h1", parent=styles["Heading1"], fontName="Helvetica-Bold", fontSize=14),
        2: ParagraphStyle("h2", parent=styles["Heading2"], fontName="Helvetica-Bold", fontSize=12),
        3: ParagraphStyle("h3", parent=styles["Heading3"], fontName="Helvetica-Bold", fontSize=11),
    }

    def markup(block: Block) -> str:
        parts = []
        for run in block.runs:
            if run.text == "\n":
                parts.append("<br/>")
                continue
            text = html.escape(run.text, quote=False)
            if run.bold:
                text = f"<b>{text}</b>"
            if run.italic:
                text = f"<i>{text}</i>"
            parts.append(text)
        return "".join(parts)

    story: list[object] = []
    pending_items: list[tuple[str, Paragraph]] = []

    def flush_list() -> None:
        if pending_items:
            kind = pending_items[0][0]
            items = [ListItem(paragraph, leftIndent=14) for _, paragraph in pending_items]
            story.append(ListFlowable(items, bulletType="1" if kind == "number" else "bullet", leftIndent=14))
            pending_items.clear()

    for block in parse_blocks(markdown):
        if block.kind in ("bullet", "number"):
            if pending_items and pending_items[0][0] != block.kind:
                flush_list()
            pending_items.append((block.kind, Paragraph(markup(block), body)))
            continue
        flush_list()
        if block.kind == "heading":
            story.append(Paragraph(markup(block), headings[min(block.level, 3)]))
        elif block.kind == "quote":
            story.append(Paragraph(markup(block), quote))
        elif block.kind == "rule":
            story.append(Spacer(1, 10))
        else:
            story.append(Paragraph(markup(block), body))
    flush_list()

    def page_number(canvas: object, doc: object) -> None:
        canvas.saveState()  # type: ignore[attr-defined]
        canvas.setFont("Helvetica", 8)  # type: ignore[attr-defined]
        canvas.drawRightString(LETTER[0] - inch, 0.6 * inch, f"Page {doc.page}")  # type: ignore[attr-defined]
        canvas.restoreState()  # type: ignore[attr-defined]

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=inch,
        rightMargin=inch,
        topMargin=inch,
        bottomMargin=inch,
        title=title,
        author="denialparse",
        invariant=1,
    )
    document.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return buffer.getvalue()


def convert(markdown: str, fmt: str, title: str) -> bytes:
    """The letter in the requested format (``md`` returns the Markdown itself)."""
    if fmt == "md":
        return markdown.encode("utf-8")
    if fmt == "html":
        return to_html(markdown, title)
    if fmt == "docx":
        return to_docx(markdown, title)
    if fmt == "pdf":
        return to_pdf(markdown, title)
    raise ValueError(f"unknown format {fmt!r}")
