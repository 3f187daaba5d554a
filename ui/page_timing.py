"""Server-side phase timings of a page run, for ``bench/page.py`` (off unless asked for).

When the environment variable TURKMOOD_PAGE_TIMINGS names a file, every :func:`phase` appends
one JSON line ``{"t": end time, "phase": name, "s": seconds}`` to it; otherwise it costs a dict
look-up. The bench starts the server with it set and reads where a page run spent its time.
"""

from __future__ import annotations

import gc
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

#: Environment variable naming the JSON-lines file the timings are appended to.
TIMINGS_ENV = "TURKMOOD_PAGE_TIMINGS"


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Time the body as phase ``name`` (appended to $TURKMOOD_PAGE_TIMINGS when it is set)."""
    target = os.environ.get(TIMINGS_ENV)
    if not target:
        yield
        return
    start = time.perf_counter()
    try:
        yield
    finally:
        _append(target, name, time.perf_counter() - start)


def _append(target: str, name: str, seconds: float) -> None:
    """One timing line ``{"t": now, "phase": name, "s": seconds}`` appended to ``target``."""
    line = json.dumps({"t": time.time(), "phase": name, "s": seconds})
    with open(target, "a", encoding="utf-8") as out:
        out.write(line + "\n")


def _record_gc(phase_name: str, info: dict[str, int], starts: dict[int, float]) -> None:
    generation = info.get("generation", -1)
    if phase_name == "start":
        starts[generation] = time.perf_counter()
        return
    began = starts.pop(generation, None)
    target = os.environ.get(TIMINGS_ENV)
    if began is None or not target or generation < 1:
        return
    _append(target, f"gc: generation {generation} collections", time.perf_counter() - began)


def watch_gc() -> None:
    """When timings are on, also write the pauses of Python's collector (generations 1 and 2,
    which hold the interpreter lock for every thread) as phases; once per process."""
    if not os.environ.get(TIMINGS_ENV) or any(
        getattr(c, "__name__", "") == "_turkmood_gc_timer" for c in gc.callbacks
    ):
        return
    starts: dict[int, float] = {}

    def _turkmood_gc_timer(phase_name: str, info: dict[str, int]) -> None:
        _record_gc(phase_name, info, starts)

    gc.callbacks.append(_turkmood_gc_timer)
