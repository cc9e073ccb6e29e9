"""Batch analysis of many letters: worker processes, one result line per file, resumable, with a summary.

Each worker process loads the model once (pool initializer). A bad file becomes an error line and the run goes
on. Results are appended as they arrive, so an interrupted run loses nothing and a rerun skips what is done.
Only reasons, scores and a few structured fields are written; no letter text.
"""

from __future__ import annotations

import csv
import glob
import json
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

from denialparse.errors import DenialParseError, UsageError

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


def done_sources(output: Path) -> set[str]:
    """Sources already in an output file (a torn last line from an interrupted run is ignored)."""
    if not output.is_file():
        return set()
    done = set()
    for line in output.read_text(encoding="utf-8").splitlines():
        try:
            done.add(str(json.loads(line)["source"]))
        except (json.JSONDecodeError, KeyError, TypeError):
            continue
    return done


def _init_worker(model_dir: str | None) -> None:
    """Load the model once per worker (get_model caches it for every later call in the process)."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    from denialparse.analysis import get_model

    get_model(model_dir)


def analyse_file(path: str, model_dir: str | None = None, engine: str = "pdfplumber") -> dict[str, Any]:
    """One result line: status, reasons, scores and the structured fields used by the summary."""
    from denialparse.api import analyze

    try:
        analysis = analyze(path, model=model_dir, engine=engine)
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
    on_result: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Analyse ``files`` not yet in ``output``; append one JSON line per file as each finishes."""
    skip = done_sources(output)
    todo = [str(path) for path in files if str(path) not in skip]
    results: list[dict[str, Any]] = []
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("a", encoding="utf-8") as handle:

        def record(result: dict[str, Any]) -> None:
            handle.write(json.dumps(result, ensure_ascii=False) + "\n")
            handle.flush()
            results.append(result)
            if on_result is not None:
                on_result(result)

        if jobs <= 1:
            _init_worker(model_dir)
            for path in todo:
                record(analyse_file(path, model_dir, engine))
            return results
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(model_dir,)) as pool:
            pending: set[Future[dict[str, Any]]] = set()
            queue: Iterator[str] = iter(todo)
            for path in queue:
                pending.add(pool.submit(analyse_file, path, model_dir, engine))
                if len(pending) >= jobs * 4:
                    break
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    record(future.result())
                    next_path = next(queue, None)
                    if next_path is not None:
                        pending.add(pool.submit(analyse_file, next_path, model_dir, engine))
    return results


def summarise(output: Path) -> dict[str, Any]:
    """Reasons by payer and by plan type, and error counts, over every line of an output file."""
    rows = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines() if line.strip()]
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
        "errors": dict(errors),
        "reasons": dict(reasons.most_common()),
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
