"""Server-side phase timings of a page run, for ``bench/page.py`` (off unless asked for).

When the environment variable TURKMOOD_PAGE_TIMINGS names a file, every :func:`phase` appends
one JSON line ``{"t": end time, "phase": name, "s": seconds}`` to it; otherwise it costs a dict
look-up. The bench starts the server with it set and reads where a page run spent its time.
"""

from __future__ import annotations

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
        end = time.perf_counter()
        line = json.dumps({"t": time.time(), "phase": name, "s": end - start})
        with open(target, "a", encoding="utf-8") as out:
            out.write(line + "\n")
