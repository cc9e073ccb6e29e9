"""OCR for scanned faxes and photos: pages rendered with pypdfium2, read by Tesseract through stdin/stdout.

Tesseract is a system program (Debian: `tesseract-ocr tesseract-ocr-eng`); it runs with one thread
(OMP_THREAD_LIMIT=1 is several times faster on small machines) and gets the image on stdin, so no image or text of
a letter is ever written to disk. The TSV output gives word confidences, reported per page.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from dataclasses import dataclass

from denialparse.errors import ExtractionTimeoutError, NoTextError

OCR_DPI = 300
INSTALL_HINT = "install Tesseract (Debian/Ubuntu: apt-get install tesseract-ocr tesseract-ocr-eng) to read scans"
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")


@dataclass(frozen=True)
class OcrPage:
    text: str
    confidence: float  # mean word confidence, 0-100
    words: int


def tesseract() -> str | None:
    """The Tesseract executable, or None when it is not installed."""
    return shutil.which("tesseract")


def is_image(data: bytes) -> bool:
    return data.startswith(IMAGE_MAGIC)


def read_image(png: bytes, *, seconds: float = 60.0) -> OcrPage:
    """OCR one image (any format Tesseract reads) given as bytes."""
    executable = tesseract()
    if executable is None:
        raise NoTextError(f"this page is an image and OCR is not available: {INSTALL_HINT}")
    try:
        completed = subprocess.run(
            [executable, "stdin", "stdout", "-l", "eng", "--psm", "4", "tsv"],
            input=png,
            capture_output=True,
            timeout=seconds,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ExtractionTimeoutError(f"OCR of a page took longer than {seconds:g} s; stopped") from None
    if completed.returncode != 0:
        raise NoTextError("OCR could not read this page (Tesseract failed)")
    return parse_tsv(completed.stdout.decode("utf-8", errors="replace"))


def parse_tsv(tsv: str) -> OcrPage:
    """Rebuild lines and paragraphs from Tesseract's TSV (level 5 rows are words)."""
    lines: dict[tuple[int, int, int], list[str]] = {}
    confidences: list[float] = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5":
            continue
        word = cells[11].strip()
        try:
            confidence = float(cells[10])
        except ValueError:
            continue
        if not word or confidence < 0:
            continue
        key = (int(cells[2]), int(cells[3]), int(cells[4]))  # block, paragraph, line
        lines.setdefault(key, []).append(word)
        confidences.append(confidence)
    out: list[str] = []
    previous: tuple[int, int] | None = None
    for (block, paragraph, _), words in lines.items():
        if previous is not None and previous != (block, paragraph):
            out.append("")  # a blank line between paragraphs, as in a text layer
        out.append(" ".join(words))
        previous = (block, paragraph)
    mean = sum(confidences) / len(confidences) if confidences else 0.0
    return OcrPage("\n".join(out), round(mean, 1), len(confidences))


def render_pdf_page(data: bytes, index: int, dpi: int = OCR_DPI) -> bytes:
    """One PDF page as a grayscale PNG, in memory."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        image = pdf[index].render(scale=dpi / 72, grayscale=True).to_pil()
    finally:
        pdf.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def image_frames(data: bytes) -> list[bytes]:
    """Each page of a PNG/JPEG/TIFF (multi-page fax TIFFs included) as PNG bytes."""
    from PIL import Image, ImageSequence

    frames = []
    with Image.open(io.BytesIO(data)) as image:
        for frame in ImageSequence.Iterator(image):
            buffer = io.BytesIO()
            frame.convert("L").save(buffer, format="PNG")
            frames.append(buffer.getvalue())
    return frames
