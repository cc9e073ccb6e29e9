"""Batch analysis of many letters: worker processes or a Dask cluster, one result line per file, resumable.

Each worker process loads the model once (pool initializer; on Dask, :mod:`denialparse.dask_batch`). A bad
file becomes an error line and the run goes on. Results are appended as they arrive, so an interrupted run
loses nothing and a rerun skips what is done. Only reasons, scores and a few structured fields are written;
no letter text.
"""

from __future__ import annotations

import csv
import glob
import json
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from types import ModuleType
from typing import Any

from denialparse.errors import ClusterError, DenialParseError, UsageError

SUMMARY_FIELDS = ("payer", "plan_type")


def find_letters(target: str) -> list[Path]:
    """PDF files in a directory (recursively) or matching a glob, sorted for a stable order."""
    path = Path(target)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")
    elif path.is_file():
        files = [path]
    else:
        files = sorted(Path(p) for p in glob.glob(target, recursive=True) if Path(p).is_file())  # noqa: PTH207
    if not files:
        raise UsageError(f"{target}: no PDF files found")
    return files


def latest_results(output: Path) -> dict[str, dict[str, Any]]:
    """Each source's last result line in an output file (a torn line from an interrupted run is ignored)."""
    if not output.is_file():
        return {}
    latest: dict[str, dict[str, Any]] = {}
    for line in output.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
            latest[str(row["source"])] = row
        except (json.JSONDecodeError, KeyError, TypeError):
            continue
    return latest


def done_sources(output: Path, *, retry_errors: bool = False) -> set[str]:
    """Sources already in an output file; with ``retry_errors``, not those whose last result is an error (a file
    that was encrypted or damaged and has since been replaced)."""
    latest = latest_results(output)
    return {source for source, row in latest.items() if not (retry_errors and row.get("status") == "error")}


def init_worker(model_dir: str | None) -> None:
    """Load the model once per worker (get_model caches it for every later call in the process)."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    from denialparse.analysis import get_model

    get_model(model_dir)


def analyse_file(path: str, model_dir: str | None = None, engine: str = "pdfplumber") -> dict[str, Any]:
    """One result line: status, reasons, scores and the structured fields used by the summary."""
    from denialparse.api import analyze

    try:
        analysis = analyze(path, model=model_dir, engine=engine, readers=1)  # letters already run one per worker
    except DenialParseError as exc:
        return {"source": path, "status": "error", "error": type(exc).__name__, "exit_code": exc.exit_code}
    deadline = analysis.deadline
    return {
        "source": path,
        "status": "ok",
        "pages": len(analysis.document.pages),
        "labels": list(analysis.labels),
        "uncertain": analysis.uncertain,
        "scores": {reason.label: reason.probability for reason in analysis.reasons},
        "payer": analysis.field_value("payer"),
        "plan_type": analysis.field_value("plan_type"),
        "letter_date": analysis.field_value("letter_date"),
        "deadline": deadline.due if deadline else None,
        "codes": [code.code for code in analysis.codes],
    }


def run_batch(
    files: list[Path],
    output: Path,
    *,
    jobs: int = 2,
    model_dir: str | None = None,
    engine: str = "pdfplumber",
    scheduler: str | None = None,
    on_result: Callable[[dict[str, Any]], None] | None = None,
    retry_errors: bool = False,
) -> list[dict[str, Any]]:
    """Analyse ``files`` not yet in ``output``; append one JSON line per file as each finishes.

    The work runs in this process (``jobs`` 1), in ``jobs`` worker processes, or on the Dask cluster whose
    scheduler is at ``scheduler``; the writing loop is the same for all three. ``retry_errors``: analyse again
    the files whose last line is an error; the new line is appended and is the one that counts.
    """
    skip = done_sources(output, retry_errors=retry_errors)
    todo = [str(path) for path in files if str(path) not in skip]
    results: list[dict[str, Any]] = []
    if not todo:
        return results
    output.parent.mkdir(parents=True, exist_ok=True)
    with _runner(todo, jobs, model_dir, engine, scheduler) as arriving, output.open("a", encoding="utf-8") as handle:
        if _ends_torn(output):  # an interrupted run's partial line: end it, or the next result would join it
            handle.write("\n")
        for result in arriving:
            handle.write(json.dumps(result, ensure_ascii=False) + "\n")
            handle.flush()
            results.append(result)
            if on_result is not None:
                on_result(result)
    return results


def _ends_torn(output: Path) -> bool:
    """Whether the file's last line lacks its newline (a run stopped while writing it)."""
    with output.open("rb") as handle:
        if handle.seek(0, os.SEEK_END) == 0:
            return False
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) != b"\n"


@contextmanager
def _runner(
    todo: list[str], jobs: int, model_dir: str | None, engine: str, scheduler: str | None
) -> Iterator[Iterator[dict[str, Any]]]:
    """Results in the order they finish; set-up failures (model, cluster) raise before the output is opened."""
    if scheduler is not None:
        dask_batch = _import_dask_batch()
        with dask_batch.connect(scheduler, model_dir=model_dir, probe=todo[0]) as client:
            yield dask_batch.results(client, todo, model_dir=model_dir, engine=engine)
    elif jobs <= 1:
        init_worker(model_dir)
        yield (analyse_file(path, model_dir, engine) for path in todo)
    else:
        with ProcessPoolExecutor(max_workers=jobs, initializer=init_worker, initargs=(model_dir,)) as pool:
            yield _pool_results(pool, todo, jobs * 4, model_dir, engine)


def _pool_results(
    pool: ProcessPoolExecutor, todo: list[str], in_flight: int, model_dir: str | None, engine: str
) -> Iterator[dict[str, Any]]:
    """At most ``in_flight`` files submitted at a time, so a huge folder does not make a huge queue."""
    queue = iter(todo)
    pending = {pool.submit(analyse_file, path, model_dir, engine) for path in islice(queue, in_flight)}
    while pending:
        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
        for future in finished:
            yield future.result()
            pending.update(pool.submit(analyse_file, path, model_dir, engine) for path in islice(queue, 1))


def _import_dask_batch() -> ModuleType:
    """The Dask runner, imported only for ``--scheduler`` (Dask is an optional extra and slow to import)."""
    try:
        from denialparse import dask_batch
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in {"dask", "distributed"}:
            raise
        raise ClusterError("--scheduler needs Dask: pip install 'denialparse[dask]'") from None
    return dask_batch


def summarise(output: Path) -> dict[str, Any]:
    """Reasons by payer and by plan type, and error counts, over each file's last result line."""
    rows = list(latest_results(output).values())
    errors = Counter(row["error"] for row in rows if row.get("status") == "error")
    by: dict[str, dict[str, Counter[str]]] = {name: defaultdict(Counter) for name in SUMMARY_FIELDS}
    reasons: Counter[str] = Counter()
    for row in rows:
        if row.get("status") != "ok":
            continue
        labels = row.get("labels") or ["(uncertain)"]
        reasons.update(labels)
        for name in SUMMARY_FIELDS:
            by[name][row.get(name) or "(not found)"].update(labels)
    return {
        "letters": len(rows),
        "ok": sum(1 for row in rows if row.get("status") == "ok"),
        "errors": dict(sorted(errors.items())),
        # Ties by name, not by arrival: the summary must not depend on which worker finished first.
        "reasons": dict(sorted(reasons.items(), key=lambda item: (-item[1], item[0]))),
        "by": {name: {key: dict(counter) for key, counter in table.items()} for name, table in by.items()},
    }


def write_summary_csv(summary: dict[str, Any], path: Path) -> None:
    """The summary as a long table: dimension, value, reason, letters."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["dimension", "value", "reason", "letters"])
        for reason, count in summary["reasons"].items():
            writer.writerow(["all", "all", reason, count])
        for dimension, table in summary["by"].items():
            for value, counts in sorted(table.items()):
                for reason, count in sorted(counts.items()):
                    writer.writerow([dimension, value, reason, count])
        for kind, count in summary["errors"].items():
            writer.writerow(["error", kind, "", count])
