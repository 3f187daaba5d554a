"""The bounded worker pool: warmed processes, a fixed number of slots, 503 past capacity.

At most ``workers + queue`` requests hold a slot at once, and their uploads together at most
``max_inflight_bytes``; a request that finds no slot gets :class:`AtCapacity` at once (the route
answers 503 with Retry-After) instead of waiting in an unbounded queue. A slot is given back
when the work really ends, also after a request timed out, so the bound holds.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor

from turkmood.workers import init_worker


class AtCapacity(Exception):
    """Every slot (or the in-flight byte budget) is taken."""


class WorkTimeout(Exception):
    """The work did not finish within the request timeout."""


def _init(owner_pid: int, model_name: str | None) -> None:
    """Worker start: exit with the server, one BLAS thread, model and extractor warmed."""
    from turkmood.serving import warm_up

    init_worker(owner_pid)
    warm_up(model_name)


def _ready() -> int:
    return os.getpid()


class WorkPool:
    """Process pool with slot and byte accounting (thread-safe)."""

    def __init__(self, workers: int, queue: int, max_bytes: int, model_name: str | None = None):
        context = multiprocessing.get_context("forkserver")
        # the extractor loaded once in the fork server (shared by the workers; the server is
        # one per process, so every pool asks for this preload)
        context.set_forkserver_preload(["turkmood.features.preload", "turkmood.serving"])
        self.workers = workers
        self.slots = workers + queue
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._in_flight = 0
        self._bytes = 0
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_init,
            initargs=(os.getpid(), model_name),
        )

    def warm(self) -> None:
        """Start every worker (each warms up in its initializer) and wait for them."""
        futures = [self._pool.submit(_ready) for _ in range(self.workers)]
        for future in futures:
            future.result()

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def _take(self, nbytes: int) -> None:
        with self._lock:
            if self._in_flight >= self.slots or (
                self._in_flight and self._bytes + nbytes > self.max_bytes
            ):
                raise AtCapacity
            self._in_flight += 1
            self._bytes += nbytes

    def _give(self, nbytes: int) -> None:
        with self._lock:
            self._in_flight -= 1
            self._bytes -= nbytes

    async def run(self, timeout_s: float, nbytes: int, fn: Callable, *args: object) -> object:
        """Run ``fn(*args)`` on a worker; AtCapacity at once when full, WorkTimeout if slow."""
        self._take(nbytes)
        try:
            future: Future = self._pool.submit(fn, *args)
        except BaseException:
            self._give(nbytes)
            raise
        future.add_done_callback(lambda _f: self._give(nbytes))
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout_s)
        except TimeoutError as exc:
            raise WorkTimeout from exc

    def shutdown(self) -> None:
        """Stop the workers (running work is abandoned)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
