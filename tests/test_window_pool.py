"""turkmood.window_pool: long songs extracted on worker processes give the in-process values."""

from __future__ import annotations

import errno
import os
import signal
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from turkmood import window_pool
from turkmood.analyze import analyze_signal, window_bounds
from turkmood.audio import load_audio
from turkmood.constants import ANALYSIS_SR, MIN_POOL_WINDOWS
from turkmood.features import extract_windows_with_flags
from turkmood.window_pool import (
    extract_windows,
    pool_is_usable,
    split_windows,
    start_window_pool,
)

SR = ANALYSIS_SR
FIXTURES = Path(__file__).parent / "fixtures" / "audio"


@pytest.fixture(scope="module")
def pool():
    executor = start_window_pool(workers=2)
    if executor is None:
        pytest.skip("fewer than 2 CPUs: the pool is never used here")
    yield executor
    executor.shutdown(cancel_futures=True)


@pytest.fixture(scope="module")
def song() -> np.ndarray:
    """Four different 30 s music fixtures joined and cut to 100 s: windows at 0, 30, 60 and an
    end-aligned one at 70 s that overlaps the one before."""
    paths = sorted(FIXTURES.glob("mus_*.flac"))[:4]
    y = np.concatenate([load_audio(p)[0] for p in paths])[: 100 * SR]
    assert len(window_bounds(len(y), SR)) == 4
    return y


def _values(vectors) -> np.ndarray:
    return np.array([list(v.values.values()) for v in vectors])


@pytest.mark.parametrize("n_windows", [1, 2, 3, 4, 19])
@pytest.mark.parametrize("groups", [1, 2, 3])
def test_split_windows_is_contiguous_near_equal_and_complete(n_windows, groups):
    bounds = [(i * 10, i * 10 + 30) for i in range(n_windows)]
    parts = split_windows(bounds, groups)
    assert [b for part in parts for b in part] == bounds  # every window once, in order
    assert len(parts) == min(groups, n_windows)
    sizes = [len(part) for part in parts]
    assert min(sizes) >= 1 and max(sizes) - min(sizes) <= 1


def test_pool_gives_the_in_process_values_bit_for_bit(pool, song):
    bounds = window_bounds(len(song), SR)
    got = extract_windows(song, SR, bounds, pool)
    # the workers run with one BLAS thread; multi-threaded BLAS may change the last bit of a
    # matrix product (measured: <= 8e-16 relative), so compare with the same setting
    with threadpool_limits(limits=1):
        expected = extract_windows_with_flags(song, SR, bounds)
    assert len(got) == len(bounds)
    np.testing.assert_array_equal(_values(got), _values(expected))
    assert [v.imputed for v in got] == [v.imputed for v in expected]


def test_the_shared_copy_of_the_song_is_removed(pool, song, tmp_path, monkeypatch):
    monkeypatch.setattr(window_pool, "SHARE_DIRS", (str(tmp_path),))
    written = []
    real = window_pool._write
    monkeypatch.setattr(window_pool, "_write", lambda y, p: written.append(p) or real(y, p))
    extract_windows(song, SR, window_bounds(len(song), SR), pool)
    assert len(written) == 1 and Path(written[0]).parent == tmp_path
    assert list(tmp_path.iterdir()) == []


def _full_folder(monkeypatch, full: set[str]) -> None:
    """Writing the song's copy into a folder of ``full`` fails with ENOSPC (a full tmpfs)."""
    real = window_pool._write

    def write(y, path):
        if str(Path(path).parent) in full:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(y, path)

    monkeypatch.setattr(window_pool, "_write", write)


def test_a_full_dev_shm_falls_back_to_the_temporary_folder(pool, song, tmp_path, monkeypatch):
    # Docker's default 64 MB /dev/shm is smaller than a 3-minute song: writing there used to go
    # through a shared mapping, and a full tmpfs then kills the server with SIGBUS
    shm, disk = tmp_path / "shm", tmp_path / "disk"
    shm.mkdir(), disk.mkdir()
    monkeypatch.setattr(window_pool, "SHARE_DIRS", (str(shm), str(disk)))
    _full_folder(monkeypatch, {str(shm)})
    bounds = window_bounds(len(song), SR)
    got = extract_windows(song, SR, bounds, pool)
    with threadpool_limits(limits=1):
        expected = extract_windows_with_flags(song, SR, bounds)
    np.testing.assert_array_equal(_values(got), _values(expected))
    assert list(shm.iterdir()) == [] and list(disk.iterdir()) == []


def test_no_room_anywhere_extracts_in_this_process(pool, song, tmp_path, monkeypatch):
    monkeypatch.setattr(window_pool, "SHARE_DIRS", (str(tmp_path),))
    _full_folder(monkeypatch, {str(tmp_path)})
    monkeypatch.setattr(pool, "submit", lambda *a, **k: pytest.fail("work sent to the pool"))
    bounds = window_bounds(len(song), SR)
    got = extract_windows(song, SR, bounds, pool)
    assert len(got) == len(bounds)


def test_analysis_with_pool_equals_analysis_without(pool, song):
    with_pool = analyze_signal(song, SR, pool=pool)
    without = analyze_signal(song, SR)
    np.testing.assert_allclose(
        with_pool.features.to_numpy(), without.features.to_numpy(), rtol=1e-12, atol=0
    )
    assert with_pool.timeline["decision"].tolist() == without.timeline["decision"].tolist()
    assert with_pool.decision == without.decision


def test_short_clip_stays_in_process(pool, song, monkeypatch):
    """Below MIN_POOL_WINDOWS windows nothing is sent to the workers."""
    clip = song[: 20 * SR]
    bounds = window_bounds(len(clip), SR)
    assert len(bounds) < MIN_POOL_WINDOWS
    monkeypatch.setattr(pool, "submit", lambda *a, **k: pytest.fail("work sent to the pool"))
    got = extract_windows(clip, SR, bounds, pool)
    np.testing.assert_array_equal(
        _values(got), _values(extract_windows_with_flags(clip, SR, bounds))
    )


def test_killed_worker_falls_back_to_in_process_extraction(song):
    """A worker killed (e.g. by the OOM killer) breaks the pool; the song is still analysed."""
    executor = start_window_pool(workers=2)
    if executor is None:
        pytest.skip("fewer than 2 CPUs")
    try:
        victim = next(iter(executor._processes))
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while pool_is_usable(executor):  # the executor notices the death asynchronously
            assert time.monotonic() < deadline, "the executor never noticed the killed worker"
            time.sleep(0.05)
        bounds = window_bounds(len(song), SR)
        got = extract_windows(song, SR, bounds, executor)
        expected = extract_windows_with_flags(song, SR, bounds)
        np.testing.assert_allclose(_values(got), _values(expected), rtol=1e-12, atol=0)
    finally:
        executor.shutdown(wait=False, cancel_futures=True)


def test_a_worker_never_starts_a_pool_of_its_own(pool):
    """Whatever a worker imports or runs, it cannot grow the process tree."""
    assert pool.submit(start_window_pool, 2).result(timeout=60) is None


def test_a_worker_extracts_on_one_thread(pool):
    """The pool's workers are the parallelism: no extraction threads on top (no oversubscribed
    cores on a 2-core machine)."""
    from turkmood.features import parallel

    assert pool.submit(parallel.threads).result(timeout=60) == 1


def test_one_worker_means_no_pool():
    assert start_window_pool(workers=1) is None


def test_fresh_pool_is_usable_and_shut_down_pool_is_not(pool):
    assert pool_is_usable(pool)
    other = start_window_pool(workers=2)
    other.shutdown()
    assert not pool_is_usable(other)


def test_workers_exit_when_their_owner_is_killed(tmp_path):
    """A SIGKILLed app (no clean shutdown) leaves no worker processes behind."""
    import subprocess
    import sys

    script = (
        "import sys, time\n"
        "from turkmood.window_pool import start_window_pool\n"
        "pool = start_window_pool(workers=2)\n"
        "print(*pool._processes, flush=True)\n"
        "time.sleep(120)\n"
    )
    owner = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    try:
        workers = [int(pid) for pid in owner.stdout.readline().split()]
        assert len(workers) == 2
        owner.kill()
        owner.wait(timeout=10)
        deadline = time.monotonic() + 15
        alive = workers
        while alive and time.monotonic() < deadline:
            time.sleep(0.2)
            alive = [pid for pid in workers if _running(pid)]
        assert not alive, f"workers {alive} outlived their killed owner"
    finally:
        owner.kill()


def _running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


def _recorder() -> tuple[list[tuple[int, int]], object]:
    calls: list[tuple[int, int]] = []
    return calls, lambda done, total: calls.append((done, total))


def test_progress_reports_each_window_once_in_order_in_process(song):
    bounds = window_bounds(len(song), SR)
    calls, progress = _recorder()
    got = extract_windows(song, SR, bounds, None, progress)
    assert calls == [(k, len(bounds)) for k in range(1, len(bounds) + 1)]
    np.testing.assert_array_equal(
        _values(got), _values(extract_windows_with_flags(song, SR, bounds))
    )


def test_progress_reports_each_window_once_in_order_with_the_pool(pool, song):
    bounds = window_bounds(len(song), SR)
    calls, progress = _recorder()
    got = extract_windows(song, SR, bounds, pool, progress)
    assert calls == [(k, len(bounds)) for k in range(1, len(bounds) + 1)]
    without = extract_windows(song, SR, bounds, pool)
    np.testing.assert_array_equal(_values(got), _values(without))
    assert [v.imputed for v in got] == [v.imputed for v in without]


def test_a_worker_counts_its_finished_windows_in_its_slot(song, tmp_path):
    """The counters the parent polls: group 1 of 2 writes its own slot, window by window."""
    bounds = window_bounds(len(song), SR)[:2]
    path = tmp_path / "song.f64"
    window_pool._write(song, str(path))
    window_pool._write_counters(str(path), 2)
    seen = []
    real_set = window_pool._Counter.set

    def spy(self, done):
        real_set(self, done)
        seen.append(self.counts.tolist())

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(window_pool._Counter, "set", spy)
        got = window_pool._extract_group(str(path), song.size, 0, song.size, SR, bounds, (2, 1))
    assert seen == [[0, 1], [0, 2]]
    np.testing.assert_array_equal(
        _values(got), _values(extract_windows_with_flags(song, SR, bounds))
    )
    # the samples before the counters are untouched
    np.testing.assert_array_equal(np.fromfile(path, dtype=np.float64, count=song.size), song)


def test_an_exception_from_progress_stops_the_extraction_and_removes_the_copy(
    pool, song, tmp_path, monkeypatch
):
    monkeypatch.setattr(window_pool, "SHARE_DIRS", (str(tmp_path),))

    def stop(done, total):
        raise KeyboardInterrupt  # as Streamlit stops a script whose visitor left

    with pytest.raises(KeyboardInterrupt):
        extract_windows(song, SR, window_bounds(len(song), SR), pool, stop)
    assert list(tmp_path.iterdir()) == []
    assert pool_is_usable(pool)


@pytest.mark.parametrize("use_pool", [False, True])
def test_analysis_values_are_the_same_with_and_without_a_progress_callback(pool, song, use_pool):
    executor = pool if use_pool else None
    calls, progress = _recorder()
    with_progress = analyze_signal(song, SR, pool=executor, progress=progress)
    plain = analyze_signal(song, SR, pool=executor)
    n = len(window_bounds(len(song), SR))
    assert calls == [(k, n) for k in range(1, n + 1)]
    pd.testing.assert_frame_equal(with_progress.features, plain.features, check_exact=True)
    pd.testing.assert_frame_equal(with_progress.timeline, plain.timeline, check_exact=True)
    pd.testing.assert_frame_equal(with_progress.track, plain.track, check_exact=True)


def _where_the_extractor_was_loaded() -> tuple[int, int, list[str]]:
    import sys

    from turkmood.features import preload

    loaded = [m for m in sys.modules if m.startswith("turkmood.features.")]
    return preload.LOADED_IN_PID, os.getpid(), loaded


def test_workers_are_forked_with_the_extractor_loaded(pool):
    """The fork server preloads the extractor (turkmood.features.preload): a worker starts with
    every family module imported and the compiled kernels loaded by its parent, in pages it
    shares with the server, rather than loading its own copy."""
    loaded_in, worker, modules = pool.submit(_where_the_extractor_was_loaded).result(timeout=60)
    assert loaded_in != worker
    for name in ("hcdf", "roughness", "kernels", "fft"):
        assert f"turkmood.features.{name}" in modules
