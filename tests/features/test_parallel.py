"""Tests for turkmood.features.parallel (extraction threads) and the thread-safe Clip memo."""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest

from turkmood.constants import ANALYSIS_SR, FEATURE_NAMES
from turkmood.features import extract_raw_features, extract_windows_with_flags, parallel
from turkmood.features.shared import Clip


@pytest.fixture
def two_threads():
    parallel.set_threads(2)
    yield
    parallel.set_threads(None)


def test_results_come_back_in_task_order_from_the_extraction_threads(two_threads) -> None:
    names = parallel.run_all([lambda k=k: (k, threading.current_thread().name) for k in range(6)])
    assert [k for k, _ in names] == list(range(6))
    assert all(name.startswith("turkmood-extract") for _, name in names)


def test_one_thread_runs_the_tasks_here() -> None:
    parallel.set_threads(1)
    try:
        here = threading.current_thread().name
        assert parallel.run_all([lambda: threading.current_thread().name] * 3) == [here] * 3
    finally:
        parallel.set_threads(None)


def test_a_task_running_tasks_runs_them_itself(two_threads) -> None:
    def outer() -> list[str]:
        return parallel.run_all([lambda: threading.current_thread().name] * 2)

    (inner,) = parallel.run_all([outer])  # a single task runs here; force the pool:
    nested = parallel.run_all([outer, outer])
    for names in nested:
        assert names[0] == names[1] and names[0].startswith("turkmood-extract")
    assert inner[0] == inner[1]


def test_every_task_finishes_before_the_first_error_is_raised(two_threads) -> None:
    done = []

    def fail(msg: str) -> None:
        raise ValueError(msg)

    with pytest.raises(ValueError, match="first"):
        parallel.run_all([lambda: fail("first"), lambda: done.append(1), lambda: fail("second")])
    assert done == [1]


def test_thread_count_defaults_and_validation() -> None:
    assert 1 <= parallel.threads() <= 2
    with pytest.raises(ValueError):
        parallel.set_threads(0)


@pytest.mark.parametrize(("n", "parts"), [(10, 3), (1, 2), (0, 2), (52_000, 2)])
def test_split_is_contiguous_and_complete(n: int, parts: int) -> None:
    ranges = parallel.split(n, parts)
    assert ranges[0][0] == 0 and ranges[-1][1] == n
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False))
    assert len(ranges) == max(1, min(parts, n))


def test_memo_computes_once_while_another_thread_waits() -> None:
    clip = Clip(np.zeros(10), ANALYSIS_SR)
    started, release = threading.Event(), threading.Event()
    calls, seen = [], []

    def compute() -> object:
        calls.append(1)
        if len(calls) == 1:
            started.set()
            release.wait()
        return object()

    owner = threading.Thread(target=lambda: seen.append(clip.memo("k", compute)))
    owner.start()
    started.wait()
    waiter = threading.Thread(target=lambda: seen.append(clip.memo("k", compute)))
    waiter.start()
    waiter.join(0.2)  # a memo without the pending entry would compute again meanwhile
    release.set()
    owner.join()
    waiter.join()
    assert len(calls) == 1
    assert seen[0] is seen[1]


def test_memo_error_reaches_the_waiters_and_the_key_can_be_retried() -> None:
    clip = Clip(np.zeros(10), ANALYSIS_SR)
    with pytest.raises(RuntimeError, match="boom"):
        clip.memo("k", lambda: (_ for _ in ()).throw(RuntimeError("boom")))
    assert clip.memo("k", lambda: 5) == 5


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def test_one_and_two_threads_give_the_same_bits() -> None:
    rng = np.random.default_rng(3)
    t = np.arange(12 * ANALYSIS_SR) / ANALYSIS_SR
    y = 0.3 * np.sin(2 * np.pi * 330 * t) * (np.sin(2 * np.pi * 2 * t) > 0)
    y += 0.02 * rng.standard_normal(t.size)
    bounds = [(0, 6 * ANALYSIS_SR), (5 * ANALYSIS_SR, 11 * ANALYSIS_SR)]
    results = {}
    try:
        for n in (1, 2):
            parallel.set_threads(n)
            results[n] = (
                extract_raw_features(y, ANALYSIS_SR),
                extract_windows_with_flags(y, ANALYSIS_SR, bounds),
            )
    finally:
        parallel.set_threads(None)
    (raw1, win1), (raw2, win2) = results[1], results[2]
    assert all(_same(raw1[n], raw2[n]) for n in FEATURE_NAMES)
    for a, b in zip(win1, win2, strict=True):
        assert a.imputed == b.imputed
        assert all(_same(a.values[n], b.values[n]) for n in FEATURE_NAMES)
