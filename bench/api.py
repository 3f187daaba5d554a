"""Throughput and latency of the REST API beside the library's own, in the same run.

Usage: python bench/api.py [--requests N] [--workers W]

1. The library: ``turkmood.analyze.analyze`` on the bundled 30 s samples, one process after the
   other, then on W worker processes at once (the service's default pool size) — clips/s.
2. The service: ``python -m turkmood serve`` started on a free port with a fresh TURKMOOD_HOME
   (the start-up time is printed), then 1, 4 and 8 concurrent clients each posting clips to
   ``/api/v1/predict``; a 503 is retried after its Retry-After (counted). Clips/s and p50/p95
   latency per level.
3. Overhead = (library clips/s on W processes) / (service clips/s at 8 clients) - 1: what
   HTTP, the upload, the prediction log and the JSON cost on top of the same computation.

Every number printed is measured on this machine by this script; run it on an idle machine.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import numpy as np

# Runnable as `python bench/NAME.py`: put the project root on the import path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.launch import ApiServer  # noqa: E402
from turkmood.analyze import analyze  # noqa: E402
from turkmood.constants import API_WORKERS, SAMPLES_DIR  # noqa: E402
from turkmood.model import cached_model  # noqa: E402
from turkmood.workers import init_worker  # noqa: E402

CLIPS = sorted(SAMPLES_DIR.glob("*.flac"))


def _lib_one(path: str) -> float:
    start = time.perf_counter()
    analyze(Path(path), cached_model())
    return time.perf_counter() - start


def _lib_init(owner: int) -> None:
    init_worker(owner)
    _lib_one(str(CLIPS[0]))  # load the model, compile the extractor


def library_rates(n: int, workers: int) -> tuple[float, float]:
    """Clips/s of the library: serially here, and on ``workers`` processes."""
    _lib_one(str(CLIPS[0]))
    paths = [str(CLIPS[i % len(CLIPS)]) for i in range(n)]
    start = time.perf_counter()
    for p in paths:
        _lib_one(p)
    serial = n / (time.perf_counter() - start)
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_lib_init, initargs=(os.getpid(),)
    ) as pool:
        list(pool.map(_lib_one, paths[:workers]))  # all workers started and warm
        start = time.perf_counter()
        list(pool.map(_lib_one, paths))
        parallel = n / (time.perf_counter() - start)
    return serial, parallel


def _post(url: str, path: Path) -> tuple[float, int]:
    import httpx

    data = path.read_bytes()
    start = time.perf_counter()
    retries = 0
    while True:
        r = httpx.post(f"{url}/api/v1/predict", files={"file": (path.name, data)}, timeout=300)
        if r.status_code == 503:
            retries += 1
            time.sleep(float(r.headers.get("retry-after", "1")))
            continue
        r.raise_for_status()
        return time.perf_counter() - start, retries


def service_level(url: str, clients: int, n: int) -> dict:
    """``n`` uploads by ``clients`` concurrent clients: clips/s, latency p50/p95, 503 retries."""
    paths = [CLIPS[i % len(CLIPS)] for i in range(n)]
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(lambda p: _post(url, p), paths))
    wall = time.perf_counter() - start
    latencies = np.array([t for t, _ in results])
    return {
        "clients": clients,
        "rate": n / wall,
        "p50": float(np.percentile(latencies, 50)),
        "p95": float(np.percentile(latencies, 95)),
        "retries": sum(r for _, r in results),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=24, help="uploads per level (default 24)")
    parser.add_argument("--workers", type=int, default=API_WORKERS)
    args = parser.parse_args(argv)
    n = args.requests
    print(f"command: python bench/api.py --requests {n} --workers {args.workers}")
    print(f"clips: {len(CLIPS)} bundled 30 s samples, cycled; {n} uploads per level")
    serial, parallel = library_rates(n, args.workers)
    print(f"library analyze, 1 process        : {serial:.2f} clips/s")
    print(f"library analyze, {args.workers} processes      : {parallel:.2f} clips/s")
    with tempfile.TemporaryDirectory() as home:
        server = ApiServer(Path(home), args=["--workers", str(args.workers)])
        start = time.perf_counter()
        server.start()
        print(f"service start-up to healthy       : {time.perf_counter() - start:.1f} s")
        try:
            _post(server.url, CLIPS[0])
            levels = [
                service_level(server.url, c, n if c > 1 else max(n // 3, 4)) for c in (1, 4, 8)
            ]
        finally:
            server.stop()
    print()
    print("clients  clips/s  p50 s   p95 s   503-retries  vs library (same run)")
    for lv in levels:
        base = serial if lv["clients"] == 1 else parallel
        label = "1 process" if lv["clients"] == 1 else f"{args.workers} processes"
        print(
            f"{lv['clients']:>7}  {lv['rate']:7.2f}  {lv['p50']:6.2f}  {lv['p95']:6.2f}  "
            f"{lv['retries']:>11}  {lv['rate'] / base:.2f}× ({label})"
        )
    overhead = parallel / levels[-1]["rate"] - 1
    print(
        f"\noverhead at 8 clients: {100 * overhead:+.1f} % "
        f"(library {args.workers}-process rate / service rate - 1)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
