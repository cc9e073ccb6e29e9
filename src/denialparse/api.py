"""The library facade: the only entry points the CLI and the web app use.

extract -> analyse -> recommend -> draft, each a module of its own; this file wires them and turns a
failure on one file into a result with a status, so that a run over many letters never aborts.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from denialparse.datatypes import Analysis, Letter, Plan
from denialparse.errors import DenialParseError
from denialparse.extract import (
    GuardedOptions,
    Limits,
    default_readers,
    document_from_text,
    extract_guarded,
    extract_guarded_then,
)
from denialparse.facts import extract_facts, leave_to_the_reader

if TYPE_CHECKING:
    from denialparse.casefile import CaseFacts

ModelRef = str | Path | None


class _ReadersInUse:
    """Counts the letters being read in this process, so that pages are shared by two readers only when no other
    letter is being read (a server busy with several uploads already uses every core)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active = 0

    @contextmanager
    def reading(self, requested: int | None) -> Iterator[int]:
        with self._lock:
            readers = requested if requested is not None else (default_readers() if self._active == 0 else 1)
            self._active += 1
        try:
            yield readers
        finally:
            with self._lock:
                self._active -= 1


_READERS = _ReadersInUse()


def analyze(
    source: str | Path | bytes,
    *,
    model: ModelRef = None,
    name: str | None = None,
    limits: Limits | None = None,
    engine: str = "pdfplumber",
    readers: int | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> Analysis:
    """Read a denial PDF (path or bytes) and return its reasons and fields (``engine``: pdfplumber or pdfium).

    ``limits`` default to :meth:`Limits.from_env` (``DENIALPARSE_MAX_PAGES`` and friends). ``readers``: processes
    that share the pages (default: one per core, at most two, while no other letter is being read in this
    process; else one); pass 1 when letters are already run in parallel. ``meanwhile``: the caller's own
    preparation for what it does next (such as :func:`prepare_recommendations`), run in this process after the
    model has loaded, while the PDF is still being read: on a cold start this process would otherwise wait idle
    for the reader. It is best effort: an error it raises is not this letter's, and is left for the caller to
    meet when it does that work itself.
    """
    load_seconds = 0.0

    def load() -> None:
        """Runs while the reader processes read the PDF (the model and spaCy are cached after the first call)."""
        nonlocal load_seconds
        from denialparse.analysis import get_model
        from denialparse.nlp import build_pipeline

        load_started = time.perf_counter()
        get_model(model)
        build_pipeline()
        load_seconds = time.perf_counter() - load_started
        if meanwhile is not None:
            # Not this letter's error, if it raises: the caller meets it again when it does that work itself.
            with suppress(Exception):
                meanwhile()

    started = time.perf_counter()
    with _READERS.reading(readers) as chosen:
        options = GuardedOptions(
            name=name, limits=limits or Limits.from_env(), engine=engine, while_reading=load, readers=chosen
        )
        if leave_to_the_reader():
            # The first letter in this process: its reader extracts the fields while this process loads the
            # model, instead of this process compiling the field rules after that.
            document, facts = extract_guarded_then(source, extract_facts, **options)
        else:
            document = extract_guarded(source, **options)
            facts = None
    extracted = time.perf_counter()
    from denialparse.analysis import analyse_document, get_model

    analysis = analyse_document(document, get_model(model), facts)
    analysis.timings.update({"extract_s": round(extracted - started, 4), "model_load_s": round(load_seconds, 4)})
    return analysis


def analyze_text(text: str, *, model: ModelRef = None, source: str = "<text>") -> Analysis:
    """Analyse letter text that is already extracted (e.g. pasted or from JSONL)."""
    from denialparse.analysis import analyse_document, get_model

    return analyse_document(document_from_text(text, source), get_model(model))


@dataclass(frozen=True)
class AnalysisResult:
    """One file's outcome in a multi-file run: an analysis, or the error that stopped it."""

    source: str
    analysis: Analysis | None = None
    error: DenialParseError | None = None
    seconds: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None


def analyze_many(
    paths: Iterable[str | Path],
    *,
    model: ModelRef = None,
    limits: Limits | None = None,
    engine: str = "pdfplumber",
    meanwhile: Callable[[], object] | None = None,
) -> Iterator[AnalysisResult]:
    """Analyse files one by one; a bad file yields an error result and the run goes on (``meanwhile``: as in
    :func:`analyze`, for each letter until one has been analysed)."""
    for path in paths:
        started = time.perf_counter()
        try:
            analysis = analyze(path, model=model, limits=limits, engine=engine, meanwhile=meanwhile)
        except DenialParseError as exc:
            yield AnalysisResult(str(path), error=exc, seconds=time.perf_counter() - started)
            continue
        meanwhile = None
        yield AnalysisResult(str(path), analysis=analysis, seconds=time.perf_counter() - started)


_PARALLEL_MIN_TEXTS = 200
_CHUNKS_PER_WORKER = 16
_MIN_CHUNK = 16


def classify_texts(texts: Sequence[str], *, model: ModelRef = None, jobs: int = 1) -> list[dict[str, Any]]:
    """Scores, labels at or above the threshold, and the primary label for each text.

    This is the stable interface of ``denialparse classify-text``: ``{"scores", "labels", "primary"}``. With
    ``jobs`` > 1 and enough texts, chunks go to forked worker processes (tokenising is the bottleneck and holds
    the GIL); the model loads in well under a second, once per worker, and the output order is kept.
    """
    from denialparse.analysis import get_model

    if jobs > 1 and len(texts) >= _PARALLEL_MIN_TEXTS:
        import gc
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from functools import partial

        # Small chunks, handed out as workers free up: with a few big ones, one worker finishes the last chunk
        # alone while the other waits (about a tenth of the run at four chunks per worker).
        size = max(_MIN_CHUNK, -(-len(texts) // (jobs * _CHUNKS_PER_WORKER)))
        chunks = [list(texts[i : i + size]) for i in range(0, len(texts), size)]
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            # Submitting forks the workers; frozen objects (the model, spaCy) are skipped by their garbage
            # collectors, so the workers neither scan nor copy them.
            gc.freeze()
            try:
                parts = pool.map(partial(classify_texts, model=model), chunks)
            finally:
                gc.unfreeze()
            return [row for part in parts for row in part]

    classifier = get_model(model)
    results = []
    for prediction in classifier.predict_texts(texts):
        scores = {label: round(prediction.probabilities[label], 4) for label in classifier.labels}
        labels = [label for label in classifier.labels if prediction.probabilities[label] >= classifier.threshold]
        # From the rounded scores, so that "primary" always agrees with the scores a consumer sees.
        primary = max(classifier.labels, key=lambda label: scores[label])
        results.append({"scores": scores, "labels": labels, "primary": primary})
    return results


def load_case_file(path: str | Path) -> CaseFacts:
    from denialparse.casefile import load_case

    return load_case(Path(path))


def prepare_recommendations() -> None:
    """Load what :func:`recommend_for` and :func:`draft_letter` need (the knowledge base and its validation,
    Jinja2), once per process; pass it as ``meanwhile`` to :func:`analyze` to have it done while a PDF is read."""
    from denialparse.knowledge import default_knowledge
    from denialparse.recommend import recommend  # noqa: F401  (imports Jinja2 and the case-fact schema)

    default_knowledge()


def recommend_for(analysis: Analysis, case: CaseFacts | None = None) -> Plan:
    """The appeal arguments, evidence and case-fact gaps for an analysed letter."""
    from denialparse.recommend import recommend

    return recommend(analysis, case)


def draft_letter(
    analysis: Analysis,
    case: CaseFacts | None = None,
    *,
    kind: str = "appeal",
    fmt: str = "md",
    plan: Plan | None = None,
) -> Letter:
    """Draft a letter answering the detected reasons; facts the case lacks appear as [[MISSING: ...]]."""
    from denialparse.draft import draft

    return draft(analysis, plan or recommend_for(analysis, case), case, kind=kind, fmt=fmt)
