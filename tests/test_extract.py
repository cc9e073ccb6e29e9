"""Extract stage on real PDFs: text, pages, layouts, and every kind of bad input."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CORPUS, OFF_LABEL_LETTER, encrypted_pdf, image_only_pdf
from denialparse.corpus import load_corpus
from denialparse.datatypes import Document
from denialparse.errors import (
    CorruptPdfError,
    EmptyFileError,
    EncryptedPdfError,
    ExtractionTimeoutError,
    NotAPdfError,
    NoTextError,
    TooLargeError,
)
from denialparse.extract import Limits, extract, extract_guarded, normalise_text
from hostile import many_pages


@pytest.mark.parametrize("layout", ["plain", "twocol", "fax", "table"])
def test_every_layout_yields_the_reason_sentence(make_pdf: Callable[..., Path], layout: str) -> None:
    document = extract(make_pdf(OFF_LABEL_LETTER, layout=layout, font="Helvetica"))
    flat = " ".join(document.text.split())
    assert "not approved by the U.S. Food and Drug Administration for the treatment of depression" in flat
    assert "Member ID: NWH88812345" in flat
    assert document.pages[0].offset == 0


def test_fax_cover_is_its_own_page_and_offsets_index_the_text(make_pdf: Callable[..., Path]) -> None:
    document = extract(make_pdf(OFF_LABEL_LETTER, layout="fax", font="Courier"))
    assert len(document.pages) == 2
    assert "FAX TRANSMISSION" in document.pages[0].text
    second = document.pages[1]
    assert document.text[second.offset : second.offset + len(second.text)] == second.text
    assert document.page_at(second.offset + 5) == 2


def test_two_column_pages_are_read_column_by_column(make_pdf: Callable[..., Path]) -> None:
    long_text = "\n\n".join(
        f"Paragraph {i}. The reviewer considered the records submitted for this request in detail." for i in range(60)
    )
    document = extract(make_pdf(long_text, layout="twocol", font="Helvetica", size=9.5))
    flat = " ".join(document.text.split())
    positions = [flat.find(f"Paragraph {i}.") for i in range(60)]
    assert all(p >= 0 for p in positions)
    assert positions == sorted(positions), "columns were interleaved"


def test_bytes_input_and_name(make_pdf: Callable[..., Path]) -> None:
    data = make_pdf().read_bytes()
    document = extract(data, name="upload.pdf")
    assert document.source == "upload.pdf"
    assert "Northwind Health Plan" in document.text


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"", EmptyFileError),
        (b"   \n", EmptyFileError),
        (b"Dear member, this is a plain text file, not a PDF.", NotAPdfError),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, CorruptPdfError),  # images are read by OCR; a damaged one is not
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", CorruptPdfError),
    ],
    ids=["empty", "whitespace", "text", "png", "corrupt"],
)
def test_bad_input_gets_its_own_error(tmp_path: Path, content: bytes, error: type[Exception]) -> None:
    path = tmp_path / "denial.pdf"
    path.write_bytes(content)
    with pytest.raises(error) as caught:
        extract(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith("denial.pdf")


@pytest.mark.parametrize(
    ("content", "error"),
    [(b"", EmptyFileError), (b"Dear member, this is a plain text file.", NotAPdfError)],
    ids=["empty", "text"],
)
def test_guarded_reading_refuses_empty_and_non_pdf_input_without_a_reader_process(
    monkeypatch: pytest.MonkeyPatch, content: bytes, error: type[Exception]
) -> None:
    def no_fork() -> int:
        raise AssertionError("a reader process was started")

    monkeypatch.setattr(os, "fork", no_fork)
    with pytest.raises(error):
        extract_guarded(content, name="upload.pdf")


def test_truncated_pdf_is_corrupt(make_pdf: Callable[..., Path], tmp_path: Path) -> None:
    data = make_pdf().read_bytes()
    broken = tmp_path / "truncated.pdf"
    broken.write_bytes(data[: len(data) // 3])
    with pytest.raises((CorruptPdfError, NoTextError)):
        extract(broken)


def test_password_protected_pdf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(encrypted_pdf("user-secret"))
    with pytest.raises(EncryptedPdfError, match="password"):
        extract(path)


def test_encrypted_pdf_without_user_password_is_read(tmp_path: Path) -> None:
    path = tmp_path / "owner-only.pdf"
    path.write_bytes(encrypted_pdf("", text="Your request for TMS is denied."))
    assert "TMS is denied" in extract(path).text


def test_image_only_pdf_has_no_text(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(image_only_pdf())
    # Blank image pages: "no text layer" without Tesseract, "no readable text, even with OCR" with it.
    with pytest.raises(NoTextError, match=r"no (?:text layer|readable text)"):
        extract(path)


def test_limits(make_pdf: Callable[..., Path]) -> None:
    path = make_pdf(OFF_LABEL_LETTER * 4, layout="plain")
    with pytest.raises(TooLargeError, match="pages"):
        extract(path, limits=Limits(max_pages=1))
    with pytest.raises(TooLargeError, match="bytes"):
        extract(path, limits=Limits(max_bytes=100))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(EmptyFileError, match="not found"):
        extract(tmp_path / "nope.pdf")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ﬁnal decision\r\n", "final decision"),
        # Column gaps survive as two spaces so that fields on one header line stay apart.
        ("Member: Ann Lee     ID: 12", "Member: Ann Lee  ID: 12"),
        ("a\u00a0b\t\tc", "a b  c"),
        ("one\n\n\n\ntwo", "one\n\ntwo"),
        ("  indented line  \n", "indented line"),
        ("ﬂow\u00adchart\u200b ok", "flowchart ok"),
        ("a\tb", "a  b"),  # an ASCII letter takes the fast path
        ("a \tb  c d", "a  b  c d"),
        ("Ｍｅｍｂｅｒ ＩＤ： ７", "Member ID: 7"),  # full-width forms fold under NFKC
        ("one\r\rtwo\r\n\r\n\r\nthree", "one\n\ntwo\n\nthree"),
    ],
)
def test_normalise_text(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


def test_guarded_extraction_stops_a_slow_reader_and_keeps_errors(make_pdf: Callable[..., Path]) -> None:
    from denialparse.errors import ExtractionTimeoutError, NotAPdfError
    from denialparse.extract import extract_guarded

    pdf = make_pdf()
    assert "Northwind" in extract_guarded(pdf).text
    with pytest.raises(ExtractionTimeoutError, match="longer than"):
        extract_guarded(pdf, seconds=0.0001)
    with pytest.raises(NotAPdfError):
        extract_guarded(b"plain text, not a PDF")


needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="Tesseract is not installed (make setup installs tesseract-ocr where apt works)",
)


@needs_tesseract
def test_scanned_fax_pdf_is_read_by_ocr_and_classified(make_pdf: Callable[..., Path]) -> None:
    import denialparse
    from scanning import scan_pdf

    scanned = scan_pdf(make_pdf().read_bytes())
    document = extract(scanned, name="fax.pdf")
    assert all(page.ocr for page in document.pages)
    assert any("read by OCR" in warning and "confidence" in warning for warning in document.warnings)
    assert "Food and Drug" in document.text
    assert denialparse.analyze(scanned, name="fax.pdf").labels[0] == "off_label"


@needs_tesseract
@pytest.mark.parametrize("image_format", ["PNG", "TIFF"])
def test_image_faxes_are_accepted(make_pdf: Callable[..., Path], image_format: str) -> None:
    from scanning import scan_pdf

    image = scan_pdf(make_pdf().read_bytes(), image_format=image_format)
    document = extract(image, name=f"fax.{image_format.lower()}")
    assert "ketamine" in document.text.lower() and document.pages[0].ocr


def test_pdfium_engine_classifies_corpus_pdfs_like_pdfplumber() -> None:
    """The fast engine must not change the answer: same label sets on a spread of corpus PDFs (all layouts)."""
    import json

    import denialparse
    from conftest import CORPUS

    rows = [json.loads(line) for line in (CORPUS / "pdf" / "labels.jsonl").read_text().splitlines()][::10]
    agree = 0
    for row in rows:
        path = CORPUS / "pdf" / row["file"]
        plumber = set(denialparse.analyze(path).labels)
        pdfium = set(denialparse.analyze(path, engine="pdfium").labels)
        agree += plumber == pdfium
    assert len(rows) >= 12 and agree >= len(rows) - 1


@pytest.mark.parametrize("readers", [1, 2])
@pytest.mark.parametrize("engine", ["pdfplumber", "pdfium"])
def test_hostile_pdfs_get_one_line_errors(engine: str, readers: int) -> None:
    from denialparse.extract import extract_guarded
    from hostile import decompression_bomb, deep_page_tree, many_pages, nested_content

    capped = Limits(max_memory_bytes=128 * 1024 * 1024)
    # 600 KB on disk, 600 MB once inflated: stopped at the memory cap, not by exhausting the machine.
    with pytest.raises(TooLargeError, match="MB of memory") as caught:
        extract_guarded(decompression_bomb(600), name="bomb.pdf", limits=capped, engine=engine, readers=readers)
    assert str(caught.value).startswith("bomb.pdf: ") and "\n" not in str(caught.value)
    with pytest.raises(CorruptPdfError, match=r"deep\.pdf: "):
        extract_guarded(deep_page_tree(5000), name="deep.pdf", engine=engine, readers=readers)
    with pytest.raises(TooLargeError, match="1000 pages; the limit is 300"):
        extract_guarded(many_pages(1000), name="pages.pdf", engine=engine, readers=readers)
    # Deep nesting inside a page's content is survivable: the text before it is read.
    assert "Your claim is denied" in extract_guarded(nested_content(200_000), engine=engine, readers=readers).text


@pytest.mark.parametrize("engine", ["pdfplumber", "pdfium"])
def test_readers_sharing_the_pages_give_the_same_document(engine: str, make_pdf: Callable[..., Path]) -> None:
    """Pages shared out to two or three reader processes come back whole and in order."""
    from denialparse.extract import extract_guarded

    letters = load_corpus(CORPUS)
    long_text = "\n\n".join(letter.text for letter in letters[:6])  # five pages or so
    for pdf in (make_pdf(long_text), make_pdf(), make_pdf(long_text, layout="twocol", font="Helvetica", size=9.5)):
        alone = extract(pdf, engine=engine)
        for readers in (2, 3):
            shared = extract_guarded(pdf, engine=engine, readers=readers)
            assert shared == alone
    assert len(alone.pages) >= 3
    with pytest.raises(ExtractionTimeoutError):
        extract_guarded(make_pdf(long_text), engine=engine, readers=2, seconds=0.0001)


def test_limits_come_from_the_environment() -> None:
    from denialparse.errors import UsageError

    limits = Limits.from_env(
        {"DENIALPARSE_MAX_PAGES": "1000", "DENIALPARSE_MAX_MB": "2.5", "DENIALPARSE_TIMEOUT": "30"}
    )
    assert (limits.max_pages, limits.max_bytes, limits.max_seconds) == (1000, int(2.5 * 1024 * 1024), 30.0)
    assert limits.max_memory_bytes == Limits().max_memory_bytes
    assert Limits.from_env({}) == Limits()
    for bad in ("many", "0", "-3"):
        with pytest.raises(UsageError, match="DENIALPARSE_MAX_PAGES"):
            Limits.from_env({"DENIALPARSE_MAX_PAGES": bad})


def test_pages_are_shared_only_while_no_other_letter_is_read() -> None:
    """A server busy with several uploads already uses every core: then each letter gets one reader."""
    from denialparse.api import _ReadersInUse
    from denialparse.extract import default_readers

    readers = _ReadersInUse()
    with readers.reading(None) as first:
        assert first == default_readers()
        with readers.reading(None) as second, readers.reading(3) as asked:
            assert (second, asked) == (1, 3)
    with readers.reading(None) as again:
        assert again == default_readers()


def _reader_pid_and_text(document: Document) -> tuple[int, str]:
    return os.getpid(), document.text


def _fails_in_a_reader(document: Document) -> int:
    """Raises in a reader process only: there the parent must run it again, and gets its answer."""
    if multiprocessing.parent_process() is not None:
        raise RuntimeError("a bug in the step")
    return len(document.text)


def _slow_in_a_reader(document: Document) -> str:
    if multiprocessing.parent_process() is not None:
        time.sleep(30)
    return document.source


@pytest.mark.parametrize("engine", ["pdfplumber", "pdfium"])
@pytest.mark.parametrize("readers", [1, 2, 3])
def test_work_after_reading_runs_in_the_first_reader_on_the_whole_letter(
    engine: str, readers: int, make_pdf: Callable[..., Path]
) -> None:
    """``then`` sees the same Document as the caller, every page of it, and runs in a reader process."""
    from denialparse.extract import extract_guarded_then

    long_text = "\n\n".join(letter.text for letter in load_corpus(CORPUS)[:6])  # several pages
    pdf = make_pdf(long_text)
    document, (pid, text) = extract_guarded_then(pdf, _reader_pid_and_text, engine=engine, readers=readers)
    assert len(document.pages) >= 3
    assert text == document.text == extract(pdf, engine=engine).text
    assert pid != os.getpid()


def test_work_a_reader_cannot_finish_is_done_by_the_caller(make_pdf: Callable[..., Path]) -> None:
    """A failing or slow step in the reader, or an unpicklable answer, costs time but never the answer."""
    from denialparse.extract import extract_guarded_then

    pdf = make_pdf()
    for readers in (1, 2):
        document, length = extract_guarded_then(pdf, _fails_in_a_reader, readers=readers)
        assert length == len(document.text) > 0
        _, source = extract_guarded_then(pdf, _slow_in_a_reader, readers=readers, seconds=2, name="slow.pdf")
        assert source == "slow.pdf"
        _, answer = extract_guarded_then(pdf, lambda document: lambda: document.source, readers=readers)
        assert answer() == pdf.name
    # Errors in reading are the reader's, as without the step, and a failed reader does not hang the others.
    with pytest.raises(TooLargeError, match="1000 pages"):
        extract_guarded_then(many_pages(1000), _reader_pid_and_text, readers=2)
    with pytest.raises(NotAPdfError):
        extract_guarded_then(b"plain text, not a PDF", _reader_pid_and_text)


def test_the_callers_preparation_runs_here_while_the_letter_is_read(make_pdf: Callable[..., Path]) -> None:
    """``meanwhile`` runs in this process, once per letter until one has been analysed; an error in it is not the
    letter's."""
    from denialparse import api
    from denialparse.errors import DataFileError
    from denialparse.report import report_json

    pdf = make_pdf()
    calls: list[int] = []
    analysis = api.analyze(pdf, meanwhile=lambda: calls.append(os.getpid()))
    assert calls == [os.getpid()]

    def broken() -> None:
        raise DataFileError("knowledge.yaml: broken")

    without = report_json(api.analyze(pdf), None)
    with_broken = report_json(api.analyze(pdf, meanwhile=broken), None)
    for report in (without, with_broken):
        report.pop("timings", None)
    assert with_broken == without
    assert report_json(analysis, None)["reasons"] == without["reasons"]

    calls.clear()
    results = list(api.analyze_many([pdf.parent / "missing.pdf", pdf, pdf], meanwhile=lambda: calls.append(1)))
    assert [result.ok for result in results] == [False, True, True]
    assert calls == [1]
