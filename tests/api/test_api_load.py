"""Concurrency and back-pressure of a real service: 200 or 503 + Retry-After, memory bounded."""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import psutil

from api.launch import ROOT

SAMPLES = sorted((ROOT / "sample_audios").glob("*.flac"))
#: Resident memory of the service and its workers together, never more than this (bytes).
RSS_BOUND = 3 * 1024**3


def _tree_rss(pid: int) -> int:
    parent = psutil.Process(pid)
    total = parent.memory_info().rss
    for child in parent.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += child.memory_info().rss
    return total


def _post(url: str, index: int) -> httpx.Response:
    path = SAMPLES[index % len(SAMPLES)]
    return httpx.post(
        f"{url}/api/v1/predict", files={"file": (path.name, path.read_bytes())}, timeout=180
    )


def _load(url: str, clients: int, per_client: int, pid: int) -> tuple[list, int]:
    """``clients`` threads × ``per_client`` uploads; responses and the peak tree RSS seen."""
    peak = [0]
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.2):
            peak[0] = max(peak[0], _tree_rss(pid))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    with ThreadPoolExecutor(clients) as pool:
        futures = [pool.submit(_post, url, i) for i in range(clients * per_client)]
        responses = [f.result() for f in futures]
    done.set()
    watcher.join()
    return responses, peak[0]


def test_eight_clients_three_uploads_each(server):
    responses, peak = _load(server.url, 8, 3, server.process.pid)
    statuses = {r.status_code for r in responses}
    assert statuses <= {200, 503}, statuses
    assert sum(r.status_code == 200 for r in responses) >= 16  # room for 10 at once
    for r in responses:
        if r.status_code == 503:
            assert int(r.headers["retry-after"]) >= 1
    assert 0 < peak < RSS_BOUND


def test_past_capacity_answers_503_with_retry_after(small_server):
    # one worker and one waiting slot: eight at once must turn some away, at once
    responses, peak = _load(small_server.url, 8, 1, small_server.process.pid)
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 503}, statuses
    assert 1 <= statuses.count(200) and statuses.count(503) >= 1
    for r in responses:
        if r.status_code == 503:
            assert r.headers["retry-after"] == "2"
            assert "capacity" in r.json()["detail"]
    assert 0 < peak < RSS_BOUND
    metrics = httpx.get(f"{small_server.url}/metrics", timeout=30).text
    assert "turkmood_rejected_at_capacity_total" in metrics
