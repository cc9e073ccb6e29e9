"""Shared fixtures: real PDFs made with reportlab, the shipped model, and the corpus."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from denialparse import cli
from denialparse.pdfrender import RenderOptions, render_pdf

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CORPUS = ROOT / "corpus"
SHARED_DATA = ROOT.parent / "shared" / "data" / "peer_letters_dev.jsonl"

OFF_LABEL_LETTER = """Northwind Health Plan
Utilization Management Department
PO Box 4410, Springfield, IL 62701

Date of Notice: March 3, 2026

Member ID: NWH88812345    Group #: G-44120
Reference #: UM-2026-0301-5512
Service Requested: Intravenous ketamine infusion series (CPT 96365, J3490)

Dear Member,

We reviewed the request from your provider for intravenous ketamine infusions for treatment-resistant
depression. After review, the request is denied.

Ketamine is not approved by the U.S. Food and Drug Administration for the treatment of depression, and this
use is not listed in the drug compendia our plan recognizes. Your plan excludes drugs used for indications
outside their FDA-approved labeling.

YOUR RIGHT TO APPEAL
You may appeal this decision within 180 days of the date of this notice. If the denial was based on medical
necessity or a determination that a service is experimental or investigational, you may also request an
external review by an independent review organization.
"""


def write_pdf(path: Path, text: str, **options: object) -> Path:
    path.write_bytes(render_pdf(text, RenderOptions(**options)))  # type: ignore[arg-type]
    return path


@pytest.fixture
def make_pdf(tmp_path: Path) -> Callable[..., Path]:
    """Render text to a real PDF file in tmp_path."""
    counter = iter(range(1_000_000))

    def _make(text: str = OFF_LABEL_LETTER, name: str | None = None, **options: object) -> Path:
        return write_pdf(tmp_path / (name or f"letter-{next(counter)}.pdf"), text, **options)

    return _make


def encrypted_pdf(user_password: str, text: str = "Confidential denial notice text.") -> bytes:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    encryption = pdfencrypt.StandardEncryption(user_password, ownerPassword="owner-secret", canPrint=1)
    pdf = canvas.Canvas(buffer, encrypt=encryption)
    pdf.drawString(72, 720, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def image_only_pdf() -> bytes:
    """A page with drawing but no text layer, like a scan without OCR."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.rect(72, 72, 300, 400, fill=1)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """Run ``denialparse ARGS`` in this process; return (exit code, stdout, stderr)."""

    monkeypatch.setenv("COLUMNS", "240")  # wide enough that rich does not wrap the sentences the tests look for

    def _run(*args: str | Path) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["denialparse", *map(str, args)])
        code = 0
        try:
            cli.main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return _run
