"""Speed and memory benchmark: `make benchmark` (or `python benchmarks/run.py [--letters N]`).

Generates its inputs from the corpus (two-page PDFs), then measures side by side in one run: raw text extraction
with pypdfium2 and with pdfplumber, a cold `denialparse report` process, `--help`, a warm library call,
`classify-text` throughput after loading and as a whole `--jobs 2` process, `batch --jobs 2`, and
`batch --scheduler` on a local Dask cluster of 1 and 2 workers. Peak memory (max RSS) is measured for the
subprocesses, resident memory for a Dask worker, and the memory of a process parsing letters full of new words
(spaCy's vocabulary must stop growing). Writes benchmarks/results/benchmark.json and benchmark.md. Not
part of the unit suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
BIN = Path(sys.executable).parent
ENGINES = ("pdfplumber", "pdfium")


def timed_process(args: list[str], repeat: int = 3) -> dict[str, float]:
    """Median (and fastest) wall time and peak RSS of a fresh process (cold start every time)."""
    walls, peaks = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - started)
        peaks.append(max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024)
    return {
        "seconds": round(statistics.median(walls), 3),
        "fastest_seconds": round(min(walls), 3),
        "peak_mb": round(max(peaks), 1),
    }


def make_inputs(work: Path, letters: int) -> tuple[list[Path], Path]:
    """Two-page PDFs rendered from corpus letters, and a classify-text JSONL of the same texts."""
    from denialparse.corpus import load_corpus
    from denialparse.pdfrender import options_for, render_pdf

    corpus = sorted(load_corpus(ROOT / "corpus"), key=lambda letter: letter.id)
    pdf_dir = work / "pdf"
    pdf_dir.mkdir()
    paths = []
    for index in range(letters):
        letter = corpus[index % len(corpus)]
        text = letter.text + "\n\n" + corpus[(index + 7) % len(corpus)].text  # about two pages
        path = pdf_dir / f"letter-{index:05d}.pdf"
        path.write_bytes(render_pdf(text, options_for(index, title=letter.id)))
        paths.append(path)
    jsonl = work / "texts.jsonl"
    rows = [{"id": letter.id, "text": letter.text} for letter in corpus]  # each letter once: no repeated text
    jsonl.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return paths, jsonl


def extraction_speed(paths: list[Path]) -> dict[str, float]:
    import pdfplumber
    import pypdfium2

    sample = paths[:50]
    started = time.perf_counter()
    pages = 0
    for path in sample:
        pdf = pypdfium2.PdfDocument(str(path))
        for page in pdf:
            page.get_textpage().get_text_range()
            pages += 1
        pdf.close()
    pdfium = time.perf_counter() - started
    started = time.perf_counter()
    for path in sample:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.close()
    plumber = time.perf_counter() - started
    return {
        "pages": pages,
        "pypdfium2_ms_per_page": round(1000 * pdfium / pages, 2),
        "pdfplumber_ms_per_page": round(1000 * plumber / pages, 2),
        "ratio_pdfplumber_over_pypdfium2": round(plumber / pdfium, 1),
    }


def warm_call(paths: list[Path]) -> dict[str, float]:
    import denialparse

    # The first call loads the model and the spaCy pipeline (its reader extracts the fields meanwhile); the second
    # compiles the field rules in this process. Every later call is warm.
    denialparse.analyze(paths[0])
    denialparse.analyze(paths[1])
    times = []
    for path in paths[2:22]:
        started = time.perf_counter()
        denialparse.analyze(path)
        times.append(time.perf_counter() - started)
    return {"median_ms": round(1000 * statistics.median(times), 1), "p95_ms": round(1000 * sorted(times)[18], 1)}


def classify_throughput(jsonl: Path) -> dict[str, dict[str, float]]:
    """`classify_texts` after the model and spaCy are loaded, in this process and with two forked workers.

    The two-worker runs go first: each forks new workers from this process's empty tokenizer cache, as
    `classify-text --jobs 2` would, so all three are cold and their median is reported (one run of about a second
    moves by a third with this VM's speed). The one-worker run warms this process's cache, so it is run once.
    """
    from denialparse import api
    from denialparse.analysis import get_model
    from denialparse.nlp import build_pipeline

    get_model()
    build_pipeline()
    api.classify_texts(["Coverage is denied: the service is not medically necessary."])
    texts = [json.loads(line)["text"] for line in jsonl.read_text(encoding="utf-8").splitlines()]
    figures = {}
    for jobs, runs in ((2, 3), (1, 1)):
        walls = []
        for _ in range(runs):
            started = time.perf_counter()
            api.classify_texts(texts, jobs=jobs)
            walls.append(time.perf_counter() - started)
        seconds = statistics.median(walls)
        figures[f"jobs_{jobs}"] = {
            "texts": len(texts),
            "seconds": round(seconds, 2),
            "texts_per_second": round(len(texts) / seconds, 1),
            "runs_texts_per_second": [round(len(texts) / wall, 1) for wall in walls],
        }
    return figures


def classify_process(cli: str, jsonl: Path, work: Path) -> dict[str, float]:
    """`classify-text --jobs 2` as a user runs it: start-up, model load in each worker, and output included."""
    texts = len(jsonl.read_text(encoding="utf-8").splitlines())
    figure = timed_process([cli, "classify-text", str(jsonl), "--jobs", "2", "-o", str(work / "classified.jsonl")], 1)
    return {"texts": texts, **figure, "texts_per_second": round(texts / figure["seconds"], 1)}


def timed_batch(cli: str, work: Path, letters: int, *options: str) -> dict[str, float]:
    """Wall time of one `batch` process over the generated PDFs, into a fresh output file."""
    output = work / f"batch-{len(list(work.glob('batch-*.jsonl')))}.jsonl"
    started = time.perf_counter()
    command = [cli, "batch", str(work / "pdf"), "-o", str(output), *options]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    return {"letters": letters, "seconds": round(seconds, 1), "letters_per_second": round(letters / seconds, 2)}


def _rss_mb() -> float:
    """Resident memory of the calling process now (runs on a Dask worker)."""
    status = Path("/proc/self/status").read_text()
    return round(int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1]) / 1024, 1)


def _load_model() -> float:
    from denialparse.analysis import get_model

    get_model()
    return _rss_mb()


def _cpu_s() -> float:
    """CPU seconds of the calling process and its finished children (the PDF readers it forks)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def vocabulary_memory(steps: int = 12) -> list[dict[str, float]]:
    """Memory of one process parsing letters full of new words: the spaCy vocabulary must stop growing."""
    output = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "vocabulary_probe.py"), str(steps)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return list(json.loads(output))


def dask_batches(cli: str, work: Path, letters: int) -> dict[str, object]:
    """`batch --scheduler` on a fresh LocalCluster of 1 and 2 one-thread, non-daemon workers (as the README says to
    start them), the model loaded beforehand: wall rate, workers' CPU per letter (what one worker with a core of
    its own would do, whatever else runs on the machine), and a worker's memory after loading the model and after.
    """
    import dask
    from distributed import Client, LocalCluster

    results: dict[str, object] = {}
    for workers in (1, 2):
        for engine in ENGINES:
            with (
                dask.config.set({"distributed.worker.daemon": False}),
                LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=":0") as cluster,
                Client(cluster, set_as_default=False) as client,
            ):
                loaded = max(client.run(_load_model).values())
                cpu = sum(client.run(_cpu_s).values())
                figure: dict[str, float] = timed_batch(
                    cli, work, letters, "--engine", engine, "--scheduler", cluster.scheduler_address
                )
                cpu_per_letter = (sum(client.run(_cpu_s).values()) - cpu) / letters
                figure.update(
                    worker_cpu_s_per_letter=round(cpu_per_letter, 3),
                    letters_per_second_per_worker_core=round(1 / cpu_per_letter, 2),
                    worker_rss_mb_model_loaded=loaded,
                    worker_rss_mb_after=max(client.run(_rss_mb).values()),
                )
            results[f"batch_dask_{workers}_workers_{engine}"] = figure
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--letters", type=int, default=1000, help="PDFs for the batch figure (default 1000)")
    args = parser.parse_args()
    cli = str(BIN / "denialparse")
    work = Path(tempfile.mkdtemp(prefix="denialparse-bench-"))
    try:
        paths, jsonl = make_inputs(work, args.letters)
        results: dict[str, object] = {
            "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
            "extraction": extraction_speed(paths),
            "cold_help": timed_process([cli, "--help"]),
            "cold_version": timed_process([cli, "--version"]),
            # Seven runs: this VM's speed drifts by a third from one run to the next.
            "cold_report_2_pages": timed_process([cli, "report", str(paths[0]), "--format", "json"], repeat=7),
            # Before the warm call, which would fill this process's tokenizer cache with corpus letters.
            "classify_text_after_load": classify_throughput(jsonl),
            "warm_library_call_2_pages": warm_call(paths),
            "vocabulary_memory_new_words": vocabulary_memory(12),
            "classify_text_jobs_2_whole_process": classify_process(cli, jsonl, work),
        }
        for engine in ENGINES:
            results[f"batch_jobs_2_{engine}"] = timed_batch(cli, work, len(paths), "--jobs", "2", "--engine", engine)
        results.update(dask_batches(cli, work, len(paths)))
        results["cold_report_2_pages_pdfium"] = timed_process(
            [cli, "report", str(paths[0]), "--format", "json", "--engine", "pdfium"], repeat=7
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "benchmark.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    lines = ["| measure | value |", "|---|---|"]
    for name, value in results.items():
        if name != "machine":
            lines.append(f"| {name} | {json.dumps(value)} |")
    (RESULTS / "benchmark.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
