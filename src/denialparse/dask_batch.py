"""``batch --scheduler``: the same per-file work as the local run, on an existing Dask cluster.

Only paths travel to the workers (a PDF can be megabytes; a path is a few bytes), so every worker must read
the letters at the same absolute paths (a shared filesystem). Each worker process loads the model once:
:func:`prepare_worker` loads it on every connected worker before the first letter, and a worker that joins
later loads it on its first letter (``get_model`` caches it per process). That one-off ``client.run`` leaves
nothing registered on a scheduler that other people may share, unlike a worker plugin.

Imported only when ``--scheduler`` is given: Dask is an optional extra.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any

from distributed import Client, Future, as_completed
from distributed.comm.addressing import resolve_address
from distributed.scheduler import KilledWorker

from denialparse import __version__
from denialparse.batch import analyse_file, init_worker
from denialparse.errors import INTERNAL_ERROR_EXIT, ClusterError

WORKER_WAIT_S = 60  # for at least one worker; an adaptive cluster may be starting its first
IN_FLIGHT_PER_THREAD = 4  # enough queued that no worker idles while its next path is on the way
MIN_IN_FLIGHT = 256  # an adaptive cluster scales on queued work: give it some to see


def prepare_worker(model_dir: str | None, probe: str, version: str) -> str | None:
    """On a worker, before any letter: what would make it fail every letter, else load the model."""
    if version != __version__:
        return f"runs denialparse {__version__}, this client {version}"
    if multiprocessing.current_process().daemon:
        return (
            "is a daemon process, so it cannot start the child process that reads each PDF (and can be stopped "
            "on a hostile file): start the workers with DASK_DISTRIBUTED__WORKER__DAEMON=False"
        )
    if not Path(probe).is_file():
        return f"cannot read {probe}: every worker must see the letters at the same path"
    init_worker(model_dir)
    return None


@contextmanager
def connect(address: str, *, model_dir: str | None, probe: str) -> Iterator[Client]:
    """A client of the scheduler at ``address`` whose workers are ready; every failure is a ClusterError.

    The connection timeout is Dask's ``distributed.comm.timeouts.connect`` (30 s; environment variable
    ``DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT``).
    """
    try:
        resolve_address(address)  # a malformed address or an unknown host fails now, not after the timeout
        client = Client(address, set_as_default=False)
    except (OSError, ValueError) as exc:  # OSError includes timeouts
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    with client:
        try:
            client.wait_for_workers(1, timeout=WORKER_WAIT_S)
        except TimeoutError:
            raise ClusterError(f"no Dask worker joined the scheduler at {address} in {WORKER_WAIT_S} s") from None
        checks = client.run(prepare_worker, _absolute(model_dir), str(Path(probe).absolute()), __version__)
        for worker, problem in checks.items():
            if problem is not None:
                raise ClusterError(f"Dask worker {worker} {problem}")
        yield client


def results(client: Client, todo: list[str], *, model_dir: str | None, engine: str) -> Iterator[dict[str, Any]]:
    """Result lines as workers finish them, with a bounded number of files submitted at any time.

    Each line's ``source`` is the path as given (workers get it made absolute), so the output is the same as a
    local run's. A file that kills its worker (Dask gives up after a few retries) is an error line, as in a
    local run a bad file is; any other failure is a bug and stops the run.
    """
    threads = sum(client.nthreads().values())
    in_flight = max(MIN_IN_FLIGHT, IN_FLIGHT_PER_THREAD * threads)
    model = _absolute(model_dir)
    sources: dict[Future[dict[str, Any]], str] = {}

    def submit(path: str) -> Future[dict[str, Any]]:
        future = client.submit(analyse_file, str(Path(path).absolute()), model, engine, pure=False)
        sources[future] = path
        return future

    queue = iter(todo)
    finished = as_completed(
        [submit(path) for path in islice(queue, in_flight)], loop=client.loop, with_results=True, raise_errors=False
    )
    for future, value in finished:
        source = sources.pop(future)
        if future.status == "finished":
            yield {**value, "source": source}
        elif future.status == "error" and isinstance(value[1], KilledWorker):
            yield {"source": source, "status": "error", "error": "KilledWorker", "exit_code": INTERNAL_ERROR_EXIT}
        elif future.status == "error":
            raise value[1].with_traceback(value[2])
        else:
            raise ClusterError(f"the Dask cluster dropped a letter's task ({future.status}); rerun to resume")
        for path in islice(queue, 1):
            finished.add(submit(path))


def _absolute(model_dir: str | None) -> str | None:
    return None if model_dir is None else str(Path(model_dir).absolute())
