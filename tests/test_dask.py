"""``batch --scheduler`` on a real local Dask cluster (two worker processes): same lines as a local run."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import denialparse
from conftest import EXAMPLES, Run
from denialparse.errors import ClusterError, UsageError

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A LocalCluster like `dask scheduler` + `dask worker --nthreads 1` (non-daemon workers, as documented)."""
    with (
        dask.config.set({"distributed.worker.daemon": False}),
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
    ):
        yield cluster.scheduler_address


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_results_are_those_of_a_local_run_and_resumable(
    run: Run, scheduler: str, make_pdf: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "letters"
    folder.mkdir()
    for example in sorted(EXAMPLES.glob("*.pdf")):
        shutil.copy(example, folder)
    (folder / "not-a-pdf.pdf").write_text("just text, not a PDF\n")
    monkeypatch.chdir(tmp_path)  # relative paths: the workers, started elsewhere, get them made absolute
    code, _, err = run("batch", "letters", "-o", "local.jsonl", "--jobs", "1")
    assert code == 0, err
    code, _, err = run("batch", "letters", "-o", "dask.jsonl", "--scheduler", scheduler)
    assert code == 0, err
    local, remote = lines(tmp_path / "local.jsonl"), lines(tmp_path / "dask.jsonl")
    assert sorted(remote, key=str) == sorted(local, key=str)
    assert {Path(str(r["source"])).name: r["status"] for r in remote}["not-a-pdf.pdf"] == "error"
    assert sum(r["status"] == "ok" for r in remote) == 3
    assert (tmp_path / "dask.summary.csv").read_text() == (tmp_path / "local.summary.csv").read_text()

    with distributed.Client(scheduler, set_as_default=False) as client:
        loads = client.run(lambda: __import__("denialparse.analysis").analysis._cached_model.cache_info().misses)
    assert list(loads.values()) == [1, 1]  # the model was loaded once by each worker

    make_pdf(name="letters/new.pdf")
    code, _, err = run("batch", "letters", "-o", "dask.jsonl", "--scheduler", scheduler)
    assert code == 0, err
    sources = [r["source"] for r in lines(tmp_path / "dask.jsonl")]
    assert len(sources) == len(set(sources)) == len(local) + 1  # only the new letter was analysed


def test_daemon_workers_are_refused_with_the_fix(run: Run, tmp_path: Path) -> None:
    """Dask's default daemon workers cannot start the child process that reads (and can stop) each PDF."""
    with (
        dask.config.set({"distributed.worker.daemon": True}),  # Dask's default
        distributed.LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=":0") as cluster,
    ):
        code, _, err = run("batch", EXAMPLES, "-o", tmp_path / "out.jsonl", "--scheduler", cluster.scheduler_address)
    assert code == ClusterError.exit_code
    assert "DASK_DISTRIBUTED__WORKER__DAEMON=False" in err
    assert not (tmp_path / "out.jsonl").exists()


def _closed_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"tcp://127.0.0.1:{probe.getsockname()[1]}"  # nothing listens there once closed


@pytest.mark.parametrize("address", [_closed_port(), "no-port-here", "tcp://no-such-host.invalid:8786"])
def test_an_unreachable_scheduler_is_one_line_and_quick(run: Run, tmp_path: Path, address: str) -> None:
    started = time.monotonic()
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code, _, err = run("batch", EXAMPLES, "-o", tmp_path / "out.jsonl", "--scheduler", address)
    assert code == ClusterError.exit_code
    assert f"cannot reach the Dask scheduler at {address}" in err
    assert "Traceback" not in err and err.count("denialparse: error:") == 1
    assert time.monotonic() - started < 15
    assert not (tmp_path / "out.jsonl").exists()


def test_without_dask_the_error_says_what_to_install(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ModuleNotFoundError
    monkeypatch.delitem(sys.modules, "denialparse.dask_batch", raising=False)
    monkeypatch.delattr(denialparse, "dask_batch", raising=False)
    code, _, err = run("batch", EXAMPLES, "-o", tmp_path / "out.jsonl", "--scheduler", "tcp://127.0.0.1:1")
    assert code == ClusterError.exit_code
    assert "pip install 'denialparse[dask]'" in err


def test_jobs_and_scheduler_together_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    code, _, err = run("batch", EXAMPLES, "-o", tmp_path / "o.jsonl", "--jobs", "4", "--scheduler", "tcp://x:1")
    assert code == UsageError.exit_code and "--jobs" in err


def test_help_does_not_import_dask() -> None:
    script = (
        "import sys\nfrom denialparse import cli\nsys.argv = ['denialparse', 'batch', '--help']\n"
        "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'dask', 'distributed'}))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert "--scheduler" in out and out.strip().endswith("[]")
