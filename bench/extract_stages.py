"""Where the extractor's time goes (a benchmark, not a test): CPU per stage of a 30 s clip.

Prints, for the test clip of ``bench/extract.py``, the CPU milliseconds of each shared
representation (O2 attack envelope, O1, O3 gammatone envelope, whole-clip spectrum, HCDF
chromagram curve) and then of each family given those, on ONE extraction thread (medians of
``--repeats`` fresh clips), with each stage's share of their sum; then the CPU seconds of the
threads of one two-thread extraction (how evenly the two threads share the work).

CPU time, not wall time: on a shared machine the wall time includes waiting for a core, CPU
time much less so. Compare stages within one run.

Run: python bench/extract_stages.py [--repeats N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from extract import test_signal  # noqa: E402

from turkmood.constants import ANALYSIS_SR  # noqa: E402


def stage_costs(repeats: int) -> dict[str, float]:
    """Median CPU ms of each representation, then each family, on one thread."""
    from turkmood.features import FAMILY_MODULES, _family, extract_raw_features, onsets, parallel
    from turkmood.features.shared import Clip

    y = test_signal(30.0)
    extract_raw_features(y, ANALYSIS_SR)  # warm-up: kernels, plans
    stages: dict[str, Callable[[Clip], object]] = {
        "O2 attack envelope": onsets.o2,
        "O1 (and its derivative)": lambda c: (onsets.o1(c), onsets.o1_diff(c)),
        "O3 gammatone envelope": onsets.o3,
        "whole-clip spectrum": lambda c: c.spectrum,
        "HCDF chroma curve": _family("hcdf").features,
    }
    stages.update({f"family {name}": _family(name).features for name in FAMILY_MODULES})
    costs: dict[str, list[float]] = {name: [] for name in stages}
    previous = parallel.configured_threads()
    parallel.set_threads(1)
    try:
        for _ in range(repeats):
            clip = Clip(y.copy(), ANALYSIS_SR)
            for name, stage in stages.items():
                start = time.thread_time()
                stage(clip)
                costs[name].append(time.thread_time() - start)
    finally:
        parallel.set_threads(previous)
    return {name: 1000 * statistics.median(values) for name, values in costs.items()}


def thread_split(repeats: int) -> list[float]:
    """Median CPU ms of each extraction thread over ``repeats`` two-thread extractions."""
    from turkmood.features import extract_raw_features, parallel

    y = test_signal(30.0)
    busy: dict[str, float] = {}
    original = parallel._marked

    def marked(task):
        inner = original(task)

        def run():
            start = time.thread_time()
            try:
                return inner()
            finally:
                name = threading.current_thread().name
                busy[name] = busy.get(name, 0.0) + time.thread_time() - start

        return run

    parallel._marked = marked
    per_thread: dict[str, list[float]] = {}
    try:
        for _ in range(repeats):
            busy.clear()
            extract_raw_features(y, ANALYSIS_SR)
            for name, seconds in busy.items():
                per_thread.setdefault(name, []).append(seconds)
    finally:
        parallel._marked = original
    return [1000 * statistics.median(v) for _, v in sorted(per_thread.items())]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    costs = stage_costs(args.repeats)
    total = sum(costs.values())
    print(
        f"CPU per stage, 30 s clip, one extraction thread (median of {args.repeats} clips; "
        f"load average {load:.2f} at the start, {os.getloadavg()[0]:.2f} now):"
    )
    for name, ms in costs.items():
        print(f"  {name:28s} {ms:7.1f} ms  {100 * ms / total:5.1f} %")
    print(f"  {'sum':28s} {total:7.1f} ms")
    split = thread_split(args.repeats)
    print(
        "two-thread extraction, CPU ms of each thread (median): "
        + ", ".join(f"{ms:.0f}" for ms in split)
    )


if __name__ == "__main__":
    main()
