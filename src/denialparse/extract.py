"""Extract stage: PDF bytes -> normalised :class:`~denialparse.datatypes.Document`.

pdfplumber reads one page at a time and each page is closed after use, which keeps memory flat on long
letters. Every failure is turned into one :mod:`denialparse.errors` class so that callers never see a
pdfminer traceback.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import re
import signal
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict, TypeVar, Unpack, cast

from denialparse.datatypes import Document, Page
from denialparse.errors import (
    CorruptPdfError,
    DenialParseError,
    EmptyFileError,
    EncryptedPdfError,
    ExtractionTimeoutError,
    NotAPdfError,
    NoTextError,
    TooLargeError,
    UsageError,
)

PDF_MAGIC = b"%PDF-"
# The PDF spec allows junk before the header; readers accept it within the first kilobyte.
_MAGIC_WINDOW = 1024
PAGE_SEPARATOR = "\n\n"


_MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Bounds on what one letter may cost; a denial letter is rarely over 20 pages.

    ``max_memory_bytes`` is the address space the extraction worker may add: a few kilobytes of compressed
    stream can inflate to gigabytes (a "decompression bomb"), and only a hard cap stops that in time.
    """

    max_bytes: int = 50 * _MB
    max_pages: int = 300
    max_seconds: float = 120.0
    max_memory_bytes: int = 1024 * _MB

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Limits:
        """Limits with overrides from ``DENIALPARSE_MAX_MB``, ``_MAX_PAGES``, ``_TIMEOUT`` and ``_MAX_MEMORY_MB``."""
        defaults = cls()

        def number(key: str, default: float, scale: float = 1) -> float:
            raw = environ.get(f"DENIALPARSE_{key}", "").strip()
            if not raw:
                return default
            try:
                value = float(raw) * scale
            except ValueError:
                raise UsageError(f"DENIALPARSE_{key}={raw!r} is not a number") from None
            if value <= 0:
                raise UsageError(f"DENIALPARSE_{key} must be positive")
            return value

        return cls(
            max_bytes=int(number("MAX_MB", defaults.max_bytes, _MB)),
            max_pages=int(number("MAX_PAGES", defaults.max_pages)),
            max_seconds=number("TIMEOUT", defaults.max_seconds),
            max_memory_bytes=int(number("MAX_MEMORY_MB", defaults.max_memory_bytes, _MB)),
        )


DEFAULT_LIMITS = Limits()

_LIGATURES = {"\ufb01": "fi", "\ufb02": "fl", "\u00ad": "", "\u200b": ""}
_LIGATURE = re.compile("[" + "".join(_LIGATURES) + "]")
# A run of two or more spaces, tabs or no-break spaces, or a single tab or no-break space (not a single space).
# Written so that each alternative starts with one character class: about twice as fast as "[ \t\u00a0]{2,}|...".
_COLUMN_GAP = re.compile(r" [ \t\u00a0]+|[\t\u00a0][ \t\u00a0]*")
_BLANK_LINES = re.compile(r"\n{3,}")


def normalise_text(text: str) -> str:
    """Unicode-normalise and tidy whitespace so rules and the model see one form of each word."""
    if not text.isascii():  # ASCII is already in NFKC and holds no ligature (most letters: a third of the time)
        text = unicodedata.normalize("NFKC", _LIGATURE.sub(lambda match: _LIGATURES[match[0]], text))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # A run of spaces or a tab becomes two spaces: column gaps in headers and tables still separate fields
    # ("Member: Ann Lee  ID: 123"); a single space stays single.
    lines = (line.strip() for line in _COLUMN_GAP.sub("  ", text).split("\n"))
    text = "\n".join(lines)
    return (_BLANK_LINES.sub("\n\n", text) if "\n\n\n" in text else text).strip()


def read_source(source: str | Path | bytes, limits: Limits = DEFAULT_LIMITS) -> tuple[bytes, str]:
    """Read a file (or take bytes) and return ``(data, display_name)``, enforcing the size limit."""
    if isinstance(source, bytes):
        data, name = source, "<upload>"
    else:
        path = Path(source)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise EmptyFileError(f"{path.name}: file not found") from None
        if size > limits.max_bytes:
            raise TooLargeError(f"{path.name}: file is {size:,} bytes; the limit is {limits.max_bytes:,}")
        data, name = path.read_bytes(), path.name
    if len(data) > limits.max_bytes:
        raise TooLargeError(f"{name}: file is {len(data):,} bytes; the limit is {limits.max_bytes:,}")
    return data, name


def check_pdf_bytes(data: bytes, name: str) -> None:
    """Sniff the content (never the file name) to reject empty and non-PDF input early."""
    if not data or data.isspace():  # not data.strip(): that copies a file of up to the size limit
        raise EmptyFileError(f"{name}: the file is empty")
    if PDF_MAGIC not in data[:_MAGIC_WINDOW]:
        raise NotAPdfError(
            f"{name}: not a PDF (no %PDF- header) or image; upload the denial letter as a PDF, PNG, JPEG or TIFF"
        )


def _memory_error(name: str, limits: Limits) -> TooLargeError:
    return TooLargeError(
        f"{name}: the PDF needs more than {limits.max_memory_bytes // _MB:,} MB of memory to read "
        "(a compressed stream that expands enormously?); stopped"
    )


def _pdf_error(name: str, exc: BaseException, limits: Limits) -> Exception:
    """Map pdfminer's failures, which pdfplumber wraps, to one user-facing error."""
    cause = exc.args[0] if getattr(exc, "args", None) else exc
    if isinstance(cause, MemoryError) or isinstance(exc, MemoryError):
        return _memory_error(name, limits)
    if isinstance(cause, RecursionError) or isinstance(exc, RecursionError):
        return CorruptPdfError(f"{name}: the PDF's objects are nested too deeply to read (damaged or hostile file)")
    kind = type(cause).__name__ if isinstance(cause, BaseException) else type(exc).__name__
    if "Password" in kind or "Encrypt" in kind:
        return EncryptedPdfError(f"{name}: the PDF is encrypted or password-protected; save an unprotected copy")
    return CorruptPdfError(f"{name}: the PDF is damaged or unreadable ({kind})")


_GUTTER_MIN_WIDTH = 8.0
_GUTTER_MAX_CROSSING = 0.06


def find_gutter(words: list[dict[str, Any]], page_width: float) -> float | None:
    """The x of an empty vertical band in the middle of a two-column page, or None.

    Full-width headers and footers may cross it; a band crossed by at most a few per cent of the words is
    still a gutter when both sides hold a good share of the text.
    """
    if len(words) < 40:
        return None
    low, high = int(page_width * 0.3), int(page_width * 0.7)
    crossing = [0] * (high - low)
    for word in words:
        start, end = max(int(word["x0"]), low), min(int(word["x1"]) + 1, high)
        for x in range(start, end):
            crossing[x - low] += 1
    allowed = len(words) * _GUTTER_MAX_CROSSING
    best: tuple[int, int] | None = None
    run_start = None
    for index, count in enumerate([*crossing, len(words)]):
        if count <= allowed and run_start is None:
            run_start = index
        elif count > allowed and run_start is not None:
            if best is None or index - run_start > best[1] - best[0]:
                best = (run_start, index)
            run_start = None
    if best is None or best[1] - best[0] < _GUTTER_MIN_WIDTH:
        return None
    middle = low + (best[0] + best[1]) / 2
    left = sum(1 for w in words if w["x1"] <= middle)
    right = sum(1 for w in words if w["x0"] >= middle)
    if min(left, right) < 0.25 * len(words):
        return None
    return middle


def page_text(page: Any) -> str:
    """A page's text, reading a two-column page column by column."""
    words = page.extract_words()
    gutter = find_gutter(words, float(page.width))
    if gutter is None:
        return str(page.extract_text() or "")
    left = page.crop((page.bbox[0], page.bbox[1], gutter, page.bbox[3])).extract_text() or ""
    right = page.crop((gutter, page.bbox[1], page.bbox[2], page.bbox[3])).extract_text() or ""
    return f"{left}\n{right}"


ENGINES = ("pdfplumber", "pdfium")


def _check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")


@dataclass(frozen=True)
class _PagesRead:
    """What one reader process found: the raw text of the pages it read, and OCR of those without a text layer."""

    texts: tuple[tuple[int, str], ...] = ()
    ocr_pages: Mapping[int, Any] = field(default_factory=dict)


def extract(
    source: str | Path | bytes, *, name: str | None = None, limits: Limits = DEFAULT_LIMITS, engine: str = "pdfplumber"
) -> Document:
    """Read a denial PDF and return its normalised text page by page.

    ``engine="pdfium"`` reads the text layer with pypdfium2 (about 50 times faster per page, no column detection);
    pdfplumber stays the default. Raises a :class:`~denialparse.errors.DenialParseError` subclass for every kind of
    bad input.
    """
    data, display = read_source(source, limits)
    display = name or display
    return _combine(display, [_read_pages(data, display, limits, engine)])


def _read_pages(data: bytes, display: str, limits: Limits, engine: str, part: int = 0, parts: int = 1) -> _PagesRead:
    """The pages numbered ``part + 1``, ``part + 1 + parts``, ... (all of them by default), OCR included.

    Several reader processes can share one letter this way; every one of them checks the whole file.
    """
    _check_engine(engine)
    from denialparse import ocr

    if ocr.is_image(data):
        return _images_read(data, display, limits) if part == 0 else _PagesRead()
    check_pdf_bytes(data, display)
    reader = _pdfium_texts if engine == "pdfium" else _pdfplumber_texts
    texts = reader(data, display, limits, part, parts)
    blank = [number for number, text in texts if not text.strip()]
    ocr_pages = {}
    if blank and ocr.tesseract() is not None:
        ocr_pages = {number: ocr.read_image(ocr.render_pdf_page(data, number - 1)) for number in blank}
    return _PagesRead(tuple(texts), ocr_pages)


def _pdfplumber_texts(data: bytes, display: str, limits: Limits, part: int, parts: int) -> list[tuple[int, str]]:
    import pdfplumber  # imported here so `denialparse --help` stays fast
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    from denialparse.pdfchars import use_fast_chars

    texts: list[tuple[int, str]] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            _check_page_count(display, len(pdf.pages), limits)
            for number, page in enumerate(pdf.pages, start=1):
                try:
                    if (number - 1) % parts == part:
                        use_fast_chars(page)
                        texts.append((number, page_text(page)))
                finally:
                    page.close()
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise _pdf_error(display, exc, limits) from None
    except PdfminerException as exc:
        raise _pdf_error(display, exc, limits) from None
    except (CorruptPdfError, TooLargeError):
        raise
    except Exception as exc:  # pdfminer raises many unrelated types on hostile files
        raise _pdf_error(display, exc, limits) from None
    return texts


def _pdfium_texts(data: bytes, display: str, limits: Limits, part: int, parts: int) -> list[tuple[int, str]]:
    """The pypdfium2 engine: the same checks and limits as the default engine."""
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        message = str(exc).lower()
        if "password" in message or "security" in message:
            raise EncryptedPdfError(f"{display}: the PDF is encrypted; save an unprotected copy and retry") from None
        raise CorruptPdfError(f"{display}: the PDF is damaged or not readable") from None
    try:
        count = len(pdf)
        _check_page_count(display, count, limits)
        texts = []
        for index in range(part, count, parts):
            page = pdf[index]
            textpage = page.get_textpage()
            texts.append((index + 1, textpage.get_text_range().replace("\r\n", "\n")))
            textpage.close()
            page.close()
    except pypdfium2.PdfiumError:
        raise CorruptPdfError(f"{display}: the PDF is damaged or not readable") from None
    finally:
        pdf.close()
    return texts


def _check_page_count(display: str, count: int, limits: Limits) -> None:
    if count == 0:
        raise CorruptPdfError(f"{display}: the PDF has no pages")
    if count > limits.max_pages:
        raise TooLargeError(f"{display}: {count} pages; the limit is {limits.max_pages}")


def _combine(display: str, reads: list[_PagesRead]) -> Document:
    """One Document from the pages every reader read; pages without text are read by OCR when Tesseract is there."""
    from denialparse import ocr

    texts = sorted(page for read in reads for page in read.texts)
    ocr_pages = {number: page for read in reads for number, page in read.ocr_pages.items()}
    if texts and not ocr_pages and all(not text.strip() for _, text in texts) and ocr.tesseract() is None:
        raise NoTextError(f"{display}: no text layer (a scan?); {ocr.INSTALL_HINT}")
    return _assemble(display, [(n, ocr_pages[n].text if n in ocr_pages else t) for n, t in texts], ocr_pages)


def _assemble(display: str, texts: list[tuple[int, str]], ocr_pages: dict[int, Any]) -> Document:
    """Pages with their offsets in the joined text; OCR'd pages are marked and reported with their confidence."""
    pages: list[Page] = []
    parts: list[str] = []
    offset = 0
    for number, raw in texts:
        text = normalise_text(raw)
        if parts:
            offset += len(PAGE_SEPARATOR)
        pages.append(Page(number=number, text=text, offset=offset, ocr=number in ocr_pages))
        parts.append(text)
        offset += len(text)
    full = PAGE_SEPARATOR.join(parts)
    if not full.strip():
        raise NoTextError(f"{display}: no readable text, even with OCR (a blank or unreadable scan?)")
    warnings = [
        f"page {number} was read by OCR (mean word confidence {page.confidence:.0f}%)"
        for number, page in sorted(ocr_pages.items())
    ]
    warnings += [f"page {p.number} has no text" for p in pages if not p.text.strip()]
    return Document(source=display, pages=tuple(pages), text=full, warnings=tuple(warnings))


def _images_read(data: bytes, display: str, limits: Limits) -> _PagesRead:
    """A PNG/JPEG/TIFF fax or photo: every frame is OCR'd."""
    from denialparse import ocr

    if ocr.tesseract() is None:
        raise NoTextError(f"{display}: an image needs OCR; {ocr.INSTALL_HINT}")
    try:
        frames = ocr.image_frames(data)
    except Exception as exc:  # Pillow raises many types on damaged images
        raise CorruptPdfError(f"{display}: the image cannot be read ({type(exc).__name__})") from None
    if len(frames) > limits.max_pages:
        raise TooLargeError(f"{display}: {len(frames)} pages; the limit is {limits.max_pages}")
    read = {number: ocr.read_image(frame) for number, frame in enumerate(frames, start=1)}
    return _PagesRead(tuple((number, page.text) for number, page in read.items()), read)


def document_from_text(text: str, source: str = "<text>") -> Document:
    """Wrap plain text (from JSONL input or a test) as a one-page Document."""
    clean = normalise_text(text)
    return Document(source=source, pages=(Page(number=1, text=clean, offset=0),), text=clean)


def _cap_memory(extra_bytes: int) -> None:
    """Let this process grow by at most ``extra_bytes`` of address space (Linux; elsewhere the time limit remains).

    The cap is relative to the forked worker's current size, which already holds the parent's libraries; an
    allocation past it raises MemoryError in Python and fails cleanly in pdfium.
    """
    import resource

    try:
        current = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = current + extra_bytes
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _read_in_child(
    connection: Any,
    data: bytes,
    name: str,
    limits: Limits,
    engine: str,
    part: int,
    parts: int,
    then: Callable[[Document], object] | None = None,
    peers: Sequence[tuple[Any, Any]] = (),
) -> None:
    """Runs in a reader process: send back the pages read or the error (both are picklable).

    With ``then``, the first reader also gathers the other readers' pages (``peers``: one pipe from each, reader
    ``k`` sending on pipe ``k - 1``), assembles the Document and sends ``then(document)`` as a second message.
    """
    import faulthandler

    faulthandler.disable()  # a native crash here is reported as one line by the parent, not as a stack dump
    for number, (receiver, sender) in enumerate(peers, start=1):
        # Close the pipe ends this reader does not use, so that the first reader sees the end of a pipe whose
        # sender stopped without sending (a failed reader) instead of waiting for ever.
        if part != 0:
            receiver.close()
        if part != number:
            sender.close()
    status, payload = _read_message(data, name, limits, engine, part, parts)
    if then is not None and part != 0 and status == "ok":
        with contextlib.suppress(OSError):  # the first reader stopped: the parent reports that
            peers[part - 1][1].send(payload)  # first to the first reader: the parent may be busy loading
    try:
        connection.send((status, payload))
    except MemoryError:  # pickling a very long letter under the memory cap
        connection.send(("error", _memory_error(name, limits)))
        return
    if then is not None and part == 0 and isinstance(payload, _PagesRead):
        _derive_and_send(connection, name, payload, [receiver for receiver, _ in peers], then)
    connection.close()


def _read_message(
    data: bytes, name: str, limits: Limits, engine: str, part: int, parts: int
) -> tuple[str, _PagesRead | DenialParseError]:
    """("ok", this reader's pages) or ("error", what stopped it)."""
    try:
        _cap_memory(limits.max_memory_bytes)
        return "ok", _read_pages(data, name, limits, engine, part, parts)
    except DenialParseError as exc:
        return "error", exc
    except MemoryError:
        return "error", _memory_error(name, limits)
    except Exception as exc:  # an unexpected pdfminer failure must not hang the parent
        return "error", CorruptPdfError(f"{name}: unreadable PDF ({type(exc).__name__})")


def _derive_and_send(
    connection: Any, name: str, read: _PagesRead, others: list[Any], then: Callable[[Document], object]
) -> None:
    """Assemble the whole Document from this reader's and the others' pages, and send ``then(document)``.

    Any failure (another reader stopped, no text, an error in ``then``, the memory cap) sends nothing: the parent
    then assembles the Document and runs ``then`` itself, so the error is reported there, as without this step.
    """
    try:
        document = _combine(name, [read, *(receiver.recv() for receiver in others)])
        connection.send(("derived", then(document)))
    except Exception:
        return


def _import_reader(engine: str) -> None:
    """Import the PDF reader in this process, so that every later forked reader process inherits it.

    The first letter's readers import it themselves while this process does other work (on a cold start it
    loads the model meanwhile); from the second letter on it is imported here before forking, else each letter's
    reader would import pdfplumber (or pypdfium2) again, about 0.1 s per letter in ``batch`` and the web app.
    """
    from denialparse import ocr  # noqa: F401

    if engine == "pdfium":
        import pypdfium2  # noqa: F401
    else:
        import pdfplumber  # noqa: F401
        from pdfplumber.utils.exceptions import PdfminerException  # noqa: F401

        from denialparse import pdfchars  # noqa: F401


_NOT_DERIVED = object()
T = TypeVar("T")
# The engines this process has already started readers for (see _import_reader).
_ENGINES_STARTED: set[str] = set()


def default_readers() -> int:
    """Reader processes for one letter: one per core, two at most (a letter is rarely long enough for more)."""
    return max(1, min(2, os.cpu_count() or 1))


class GuardedOptions(TypedDict, total=False):
    """How :func:`extract_guarded` reads: ``name`` shown in errors, ``limits``, ``seconds`` before the readers are
    stopped (default ``limits.max_seconds``), ``engine``, ``while_reading`` (run in this process meanwhile) and the
    number of ``readers``."""

    name: str | None
    limits: Limits
    seconds: float | None
    engine: str
    while_reading: Callable[[], object] | None
    readers: int


def extract_guarded(source: str | Path | bytes, **options: Unpack[GuardedOptions]) -> Document:
    """:func:`extract` in forked reader processes that are killed after ``seconds``.

    pdfminer has known hangs and memory growth on hostile files; a process can be stopped, a thread cannot.
    The letter bytes go to the readers through pipes; nothing touches the disk. With ``readers`` > 1 the pages
    are shared out (page 1, 3, ... to the first, 2, 4, ... to the second), which cuts the wait for a single
    letter of two pages or more; a batch that already runs one letter per core should keep one reader.
    ``while_reading`` runs in this process meanwhile (the analyse stage loads its model and spaCy there: on a
    cold start the two overlap). Each reader has its own memory cap.
    """
    document, _ = _read_guarded(source, None, **options)
    return document


def extract_guarded_then(
    source: str | Path | bytes, then: Callable[[Document], T], **options: Unpack[GuardedOptions]
) -> tuple[Document, T]:
    """:func:`extract_guarded`, and ``then(document)`` worked out in the first reader process.

    This process is free for ``while_reading`` until the pages are read and ``then`` is done: on a cold start
    the reader extracts the fields while this process imports spaCy and loads the model. ``then`` must not need
    anything this process sets up meanwhile, and its result must be picklable. If the reader cannot finish it
    (another reader failed, the memory cap, an error in ``then``, the time limit), it runs here instead, so
    the result and any error are the same as ``then(extract_guarded(...))``.
    """
    document, derived = _read_guarded(source, then, **options)
    return document, then(document) if derived is _NOT_DERIVED else cast(T, derived)


def _read_guarded(
    source: str | Path | bytes,
    then: Callable[[Document], object] | None,
    *,
    name: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    seconds: float | None = None,
    engine: str = "pdfplumber",
    while_reading: Callable[[], object] | None = None,
    readers: int = 1,
) -> tuple[Document, object]:
    """The Document, and ``then(document)`` from the first reader (or ``_NOT_DERIVED``)."""
    import multiprocessing

    from denialparse import ocr

    _check_engine(engine)
    seconds = limits.max_seconds if seconds is None else seconds
    data, display = read_source(source, limits)
    display = name or display
    if not ocr.is_image(data):
        check_pdf_bytes(data, display)  # an empty file or a non-PDF is refused here, without starting a reader
    if engine in _ENGINES_STARTED:
        _import_reader(engine)
    context = multiprocessing.get_context("fork")
    parts = max(1, readers)
    # One pipe from each later reader to the first, which needs every page to work out ``then``.
    peers = [context.Pipe(duplex=False) for _ in range(parts - 1)] if then is not None else []
    pipes: list[Any] = []
    workers: list[Any] = []
    # Frozen objects are skipped by a child's garbage collector, so it neither scans the parent's objects (the
    # model, spaCy, a Dask worker's own) nor copies their pages: pdfplumber reads about a third faster.
    gc.freeze()
    try:
        for part in range(parts):
            receiver, sender = context.Pipe(duplex=False)
            worker = context.Process(
                target=_read_in_child,
                args=(sender, data, display, limits, engine, part, parts, then, peers),
                daemon=True,
            )
            worker.start()
            sender.close()
            pipes.append(receiver)
            workers.append(worker)
    finally:
        gc.unfreeze()
        for peer_receiver, peer_sender in peers:
            peer_receiver.close()
            peer_sender.close()
    _ENGINES_STARTED.add(engine)
    started = time.monotonic()
    reads: list[_PagesRead] = []
    derived: object = _NOT_DERIVED
    try:
        if while_reading is not None:
            while_reading()
        for receiver, worker in zip(pipes, workers, strict=True):
            if not receiver.poll(max(seconds - (time.monotonic() - started), 0)):
                raise ExtractionTimeoutError(f"{display}: reading the PDF took longer than {seconds:g} s; stopped")
            try:
                status, payload = receiver.recv()
            except EOFError:
                worker.join(timeout=5)
                if worker.exitcode == -signal.SIGABRT:  # pdfium aborts when an allocation fails under the memory cap
                    raise _memory_error(display, limits) from None
                raise CorruptPdfError(
                    f"{display}: the PDF reader stopped unexpectedly (exit {worker.exitcode})"
                ) from None
            if status == "error":
                raise payload
            reads.append(payload)
        document = _combine(display, reads)
        if then is not None:
            derived = _derived(pipes[0], max(seconds - (time.monotonic() - started), 0))
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.kill()
        for worker, receiver in zip(workers, pipes, strict=True):
            worker.join(timeout=5)
            receiver.close()
    return document, derived


def _derived(receiver: Any, seconds: float) -> object:
    """The first reader's second message, ``then(document)``, or ``_NOT_DERIVED`` if it does not come in time."""
    try:
        if receiver.poll(seconds):
            status, payload = receiver.recv()
            if status == "derived":
                return payload
    except (EOFError, OSError):
        pass
    return _NOT_DERIVED
