"""The fast character conversion must give exactly pdfplumber's own records, on real PDFs of several makers."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from denialparse import pdfchars
from hostile import assemble

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_PDFS = sorted((ROOT / "corpus" / "pdf").glob("*.pdf"))[::10] + sorted((ROOT / "examples").glob("*.pdf"))

# A page whose MediaBox does not start at the origin, with text in two colour spaces and a rule (a non-character
# object, which stays with pdfplumber's own conversion).
_CONTENT = (
    b"0.2 0.4 0.6 rg BT /F1 12 Tf 80 700 Td (Claim denied: CO-50) Tj ET\n"
    b"0 0 0 1 k BT /F1 10 Tf 80 680 Td (Member ID W123) Tj ET\n"
    b"1 w 80 670 m 300 670 l S\n"
)
_SHIFTED_PAGE = assemble(
    [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [36 48 648 840] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(_CONTENT), _CONTENT),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
)


def _records(data: bytes, *, fast: bool, **options: Any) -> list[dict[str, list[dict[str, Any]]]]:
    pages = []
    with pdfplumber.open(io.BytesIO(data), **options) as pdf:
        for page in pdf.pages:
            if fast:
                pdfchars.use_fast_chars(page)
            pages.append(page.objects)
            page.close()
    return pages


@pytest.mark.parametrize("path", SAMPLE_PDFS, ids=lambda path: path.name)
def test_fast_records_equal_pdfplumbers_on_real_pdfs(path: Path) -> None:
    data = path.read_bytes()
    stock = _records(data, fast=False)
    assert sum(len(page.get("char", [])) for page in stock) > 500
    assert _records(data, fast=True) == stock


@pytest.mark.parametrize("options", [{}, {"unicode_norm": "NFKC"}, {"laparams": {}}], ids=["plain", "nfkc", "laparams"])
def test_fast_records_equal_pdfplumbers_with_shifted_mediabox_colours_and_options(options: dict[str, Any]) -> None:
    stock = _records(_SHIFTED_PAGE, fast=False, **options)
    chars = stock[0]["char"]
    assert {char["x0"] > 36 for char in chars} == {True}  # the MediaBox shift is applied
    assert {tuple(char["non_stroking_color"]) for char in chars} == {(0.2, 0.4, 0.6), (0, 0, 0, 1)}
    assert "line" in stock[0] or "curve" in stock[0]  # a non-character object goes through pdfplumber itself
    assert _records(_SHIFTED_PAGE, fast=True, **options) == stock


def test_unchecked_pdfplumber_version_keeps_pdfplumbers_own_method(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdfplumber, "__version__", "0.12.0")
    with pdfplumber.open(io.BytesIO(_SHIFTED_PAGE)) as pdf:
        page = pdf.pages[0]
        pdfchars.use_fast_chars(page)
        assert "process_object" not in vars(page)
    monkeypatch.setattr(pdfplumber, "__version__", "0.11.10")
    assert pdfchars.fast_chars_supported()
