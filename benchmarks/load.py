"""Load test of `denialparse serve`: `python benchmarks/load.py [--clients 20] [--seconds 60]`.

Starts the web app on a free loopback port, then CLIENTS threads each upload the example denial PDF to
/api/v1/analyze again and again for SECONDS. Reports requests, errors, p50/p95 latency and the server's memory
(RSS at start, peak, end) to benchmarks/results/load.json. Not part of the unit suite.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    import httpx2 as httpx

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "denialparse"), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    pdf = (ROOT / "examples" / "ketamine-off-label-denial.pdf").read_bytes()
    try:
        for _ in range(300):
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        httpx.post(url + "/api/v1/analyze", files={"file": ("d.pdf", pdf, "application/pdf")}, timeout=120)  # warm-up
        start_rss = rss_mb(server.pid)
        latencies: list[float] = []
        errors: list[str] = []
        peak = [start_rss]
        stop = time.monotonic() + args.seconds
        lock = threading.Lock()

        def client() -> None:
            with httpx.Client(timeout=120) as session:
                while time.monotonic() < stop:
                    began = time.perf_counter()
                    try:
                        response = session.post(
                            url + "/api/v1/analyze", files={"file": ("d.pdf", pdf, "application/pdf")}
                        )
                        ok = response.status_code == 200 and response.json()["labels"][:1] == ["off_label"]
                    except httpx.HTTPError as exc:
                        ok, response = False, exc
                    with lock:
                        latencies.append(time.perf_counter() - began)
                        if not ok:
                            errors.append(str(getattr(response, "status_code", response)))

        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            peak.append(rss_mb(server.pid))
            time.sleep(0.5)
        end_rss = rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)
    ordered = sorted(latencies)
    result = {
        "clients": args.clients,
        "seconds": args.seconds,
        "requests": len(latencies),
        "errors": len(errors),
        "requests_per_second": round(len(latencies) / args.seconds, 2),
        "p50_s": round(statistics.median(ordered), 3) if ordered else None,
        "p95_s": round(ordered[int(0.95 * (len(ordered) - 1))], 3) if ordered else None,
        "rss_mb": {"start": round(start_rss, 1), "peak": round(max(peak), 1), "end": round(end_rss, 1)},
    }
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "load.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
