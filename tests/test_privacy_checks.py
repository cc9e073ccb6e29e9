"""Privacy (no letter content in logs, no files left behind) and the plain-language letter checks."""

from __future__ import annotations

import logging
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

import denialparse
from conftest import OFF_LABEL_LETTER
from denialparse import cli

SECRETS = ("NWH88812345", "UM-2026-0301-5512", "Ketamine is not approved by the U.S. Food")


def test_no_letter_content_in_logs_at_any_level_and_no_files_left(
    make_pdf: Callable[..., Path], caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from denialparse.web import create_app

    pdf = make_pdf()
    before = set(Path(tempfile.gettempdir()).iterdir())
    caplog.set_level(logging.DEBUG)
    logging.getLogger().setLevel(logging.DEBUG)
    analysis = denialparse.analyze(pdf)
    denialparse.draft_letter(analysis, None, fmt="pdf")
    client = TestClient(create_app())
    client.post("/api/v1/analyze", files={"file": ("d.pdf", pdf.read_bytes(), "application/pdf")})
    output = tmp_path / "appeal.md"
    monkeypatch.setattr(sys, "argv", ["denialparse", "appeal", str(pdf), "-o", str(output)])
    try:
        cli.main()
    except SystemExit as stopped:
        assert stopped.code in (0, None)
    assert output.is_file()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in SECRETS:
        assert secret not in logged
    after = set(Path(tempfile.gettempdir()).iterdir())
    assert after == before, f"left behind: {sorted(map(str, after - before))}"
    assert not list(tmp_path.glob(".*.partial"))


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        (
            "Estimado miembro: hemos revisado su solicitud de cobertura para infusiones de ketamina. La solicitud "
            "fue negada porque el medicamento no tiene aprobación para la depresión. Puede apelar esta decisión "
            "dentro de los 180 días siguientes a la fecha de esta carta; llame a servicios para miembros.",
            "does not look like English",
        ),
        (
            "Thank you for attending the annual picnic of the Springfield garden club. We will meet again in June "
            "to plan the spring flower show and to discuss the budget for new seeds and tools for the garden.",
            "does not look like a denial",
        ),
    ],
)
def test_letters_that_are_not_english_or_not_denials_are_called_out(text: str, warning: str) -> None:
    analysis = denialparse.analyze_text(text)
    assert any(warning in w for w in analysis.warnings)


def test_a_real_denial_gets_no_such_warning() -> None:
    assert denialparse.analyze_text(OFF_LABEL_LETTER).warnings == ()
