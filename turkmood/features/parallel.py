"""The threads of one extraction: independent pieces of work run side by side.

A person waits for the wall time of one clip, and the machine has more than one core. The
costly parts of the extractor (FFTW transforms, numba kernels compiled ``nogil``, large numpy
operations) release the GIL, so :func:`run_all` spreads independent tasks (the two halves of
the O2 frames, the feature families) over EXTRACT_THREADS threads. Results never depend on the
thread count: every task computes the same numbers wherever it runs (tested bit for bit).

Worker processes that already run one extraction per core (the window pool, batch ``--jobs``)
call :func:`set_threads` with 1 (in :func:`turkmood.workers.init_worker`), so a song never
runs more threads than cores.

Tasks started by :func:`run_all` must not call :func:`run_all` themselves (they would wait for
threads of the same pool): from inside a task it runs the tasks one after the other.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from typing import TypeVar

from turkmood.constants import EXTRACT_THREADS
from turkmood.workers import available_cpus

T = TypeVar("T")

_lock = threading.Lock()
_state: dict[str, object] = {"threads": None, "pool": None, "pid": None}
_inside = threading.local()


def threads() -> int:
    """Threads one extraction uses: :func:`set_threads`'s value, else EXTRACT_THREADS capped by
    the CPUs this process may use."""
    chosen = _state["threads"]
    return int(chosen) if chosen is not None else max(1, min(EXTRACT_THREADS, available_cpus()))


def configured_threads() -> int | None:
    """The value last given to :func:`set_threads` (``None``: the default)."""
    chosen = _state["threads"]
    return None if chosen is None else int(chosen)


def set_threads(n: int | None) -> None:
    """Use ``n`` threads per extraction from now on (``None``: back to the default)."""
    if n is not None and n < 1:
        raise ValueError("an extraction needs at least one thread")
    with _lock:
        _state["threads"] = n
        pool = _state["pool"]
        _state["pool"] = None
    if isinstance(pool, ThreadPoolExecutor):
        pool.shutdown(wait=False)


def _pool(n: int) -> ThreadPoolExecutor:
    """The process's extraction threads (made again after a fork or a change of count)."""
    with _lock:
        pool = _state["pool"]
        if (
            not isinstance(pool, ThreadPoolExecutor)
            or _state["pid"] != os.getpid()
            or pool._max_workers != n
        ):
            pool = ThreadPoolExecutor(max_workers=n, thread_name_prefix="turkmood-extract")
            _state["pool"], _state["pid"] = pool, os.getpid()
        return pool


def _marked(task: Callable[[], T]) -> Callable[[], T]:
    def run() -> T:
        _inside.active = True
        try:
            return task()
        finally:
            _inside.active = False

    return run


def run_all(tasks: Sequence[Callable[[], T]]) -> list[T]:
    """Results of ``tasks`` (in their order), run on the extraction threads.

    Threads take the tasks in list order, so put the longest first. With one thread, or when
    called from inside a task, the tasks run here one after the other. Every task is finished
    before this returns; the first exception (in list order) is then raised.
    """
    n = threads()
    if n <= 1 or len(tasks) <= 1 or getattr(_inside, "active", False):
        return [task() for task in tasks]
    futures = [_pool(n).submit(_marked(task)) for task in tasks]
    wait(futures)
    return [future.result() for future in futures]


def split(n_items: int, parts: int) -> list[tuple[int, int]]:
    """``parts`` contiguous, near-equal, non-empty ranges (start, stop) covering ``n_items``."""
    parts = max(1, min(parts, n_items))
    edges = [n_items * k // parts for k in range(parts + 1)]
    return [(edges[k], edges[k + 1]) for k in range(parts)]
