"""Extract the windows of a long song on a persistent pool of worker processes.

A 5-minute song has 10 analysis windows. Their features are computed one window after the other
in pure float64 numpy/numba code that holds the GIL between small operations, so threads do not
help (measured, see README "Speed"); two warm worker processes do. The windows are cut into
contiguous groups, one per worker; the song is handed over as a mapped file, each worker copies
out the stretch of song its group covers and runs
:func:`turkmood.features.extract_windows_with_flags` on that copy, so
windows that overlap inside a group (the end-aligned last one) still share their O2 attack
envelope. The values are the same as extracting every window in this process (tested bit for
bit).

Progress: ``extract_windows(..., progress=)`` reports ``progress(done, total)`` once per finished
window, k = 1..n in order. In the pool each worker counts its finished windows in a slot of a
small counter block appended to the song's copy; this process polls the counters while it
waits (PROGRESS_POLL_S), so a 10-window song on two workers moves 1, 2, … 10 rather than jumping
from 0 to 5 to 10.

The pool is a resource: create it once (:func:`start_window_pool`, the app caches it), pass it to
:func:`turkmood.analyze.analyze`, and it stays warm between songs. A broken pool (a worker was
killed) falls back to extracting in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress

import numpy as np

from turkmood.constants import MIN_POOL_WINDOWS, PROGRESS_POLL_S, WINDOW_WORKERS
from turkmood.features import FeatureVector, extract_windows_with_flags
from turkmood.features.fft import forget_buffers
from turkmood.workers import available_cpus, init_worker, release_free_memory

#: A fresh server process forks the workers: nothing inherited from a threaded parent (the
#: Streamlit server), and the whole extractor is loaded once in the server
#: (:mod:`turkmood.features.preload`: imports, compiled kernels), not per worker: the workers
#: share those pages.
_MP_START = "forkserver"
#: ``progress(done, total)``: windows finished so far, of the song's windows.
Progress = Callable[[int, int], None]


def _warm_worker(owner_pid: int) -> None:
    """Pool initializer: :func:`turkmood.workers.init_worker`; the extractor is already loaded
    (inherited from the fork server, which preloads :mod:`turkmood.features.preload`)."""
    init_worker(owner_pid)
    import turkmood.features.preload  # noqa: F401  (a no-op when the server preloaded it)


def start_window_pool(workers: int | None = None) -> Executor | None:
    """A warm process pool for window extraction, or None on a single-core machine and inside
    a worker process.

    ``workers`` defaults to WINDOW_WORKERS, capped by the CPUs this process may use. Returns
    after every worker has started and loaded the feature code.
    """
    if multiprocessing.parent_process() is not None:
        return None  # inside a worker: never a pool of its own (no process tree growing)
    n = min(workers or WINDOW_WORKERS, available_cpus())
    if n < 2:
        return None
    context = multiprocessing.get_context(_MP_START)
    # the server loads the whole extractor once; the workers it forks share those pages (the
    # server is one per process: batch_run and the API's pool ask for the same preload)
    context.set_forkserver_preload(["turkmood.features.preload", "turkmood.window_pool"])
    pool = ProcessPoolExecutor(
        max_workers=n, mp_context=context, initializer=_warm_worker, initargs=(os.getpid(),)
    )
    # one no-op task per worker makes the executor start them all now, not at the first song
    for future in [pool.submit(os.getpid) for _ in range(n)]:
        future.result()
    return pool


def pool_is_usable(pool: Executor) -> bool:
    """False once ``pool`` is shut down or broken (a worker died); then start a new one."""
    return not (getattr(pool, "_broken", False) or getattr(pool, "_shutdown_thread", False))


def pool_size(pool: Executor) -> int:
    """Number of workers of ``pool`` (1 for executors that do not say)."""
    return int(getattr(pool, "_max_workers", 1))


def split_windows(bounds: Sequence[tuple[int, int]], groups: int) -> list[list[tuple[int, int]]]:
    """Cut the window list into at most ``groups`` contiguous, near-equal, non-empty groups."""
    parts = np.array_split(np.arange(len(bounds)), min(groups, len(bounds)))
    return [[bounds[i] for i in part] for part in parts if len(part)]


#: Where the song's copy for the workers is written, first that works: RAM-backed /dev/shm, then
#: the temporary folder (on disk, but served from the page cache).
SHARE_DIRS: tuple[str, ...] = ("/dev/shm", tempfile.gettempdir())


def _write(y: np.ndarray, path: str) -> None:
    """Write the samples to ``path`` (OSError, e.g. ENOSPC, when its folder is full)."""
    with open(path, "wb") as handle:
        y.tofile(handle)


def _write_counters(path: str, n: int) -> None:
    """Append ``n`` zeroed int64 progress counters after the samples in ``path`` (OSError when
    the folder is full)."""
    with open(path, "ab") as handle:
        np.zeros(n, dtype=np.int64).tofile(handle)


@contextmanager
def _shared_signal(y: np.ndarray, counters: int = 0) -> Iterator[str | None]:
    """A read-only file copy of float64 ``y`` for the workers (its path), removed afterwards.

    ``counters`` int64 slots follow the samples, one per group, where the workers count their
    finished windows (written, like the samples, before anything maps the file).

    Workers map it instead of receiving ~50 MB pickled through a pipe per group (measured:
    the second worker of a 5-minute song started 0.24 s after submission, 0.12 s per group).
    The copy is *written* (not filled through a shared mapping): a full /dev/shm — Docker gives
    64 MB by default, less than a 3-minute song — then fails the write with ENOSPC, which moves on
    to the next folder, instead of killing the server with SIGBUS. ``None`` when no folder has
    room: the caller extracts in this process.
    """
    for folder in SHARE_DIRS:
        try:
            fd, path = tempfile.mkstemp(prefix="turkmood-song-", suffix=".f64", dir=folder)
            os.close(fd)
        except OSError:
            continue
        try:
            _write(y, path)
            if counters:
                _write_counters(path, counters)
        except OSError:
            with suppress(OSError):
                os.unlink(path)
            continue
        try:
            yield path
        finally:
            with suppress(OSError):
                os.unlink(path)
        return
    yield None


def _counters(path: str, n_samples: int, n_groups: int, mode: str) -> np.memmap:
    """The progress counters after the ``n_samples`` samples of the song's copy ``path``."""
    return np.memmap(path, dtype=np.int64, mode=mode, offset=8 * n_samples, shape=(n_groups,))


def _extract_group(
    path: str,
    n_samples: int,
    first: int,
    last: int,
    sr: int,
    bounds: Sequence[tuple[int, int]],
    counter: tuple[int, int] | None = None,
) -> list[FeatureVector]:
    """Worker task: flagged features of windows ``bounds`` (relative to ``first``) of the song
    in the file ``path`` (mapped read-only, the stretch first..last copied out). ``counter`` =
    (groups, this group): the slot where the finished windows are counted."""
    song = np.memmap(path, dtype=np.float64, mode="r", shape=(n_samples,))
    # a private copy of the group's stretch: numpy backs large arrays with huge pages, the
    # shared file's mapping has 4 kB pages, and the extractor reads every sample many times
    # (measured, 5 windows on one core: 2.05 s of CPU from the mapping, 1.70 s with the copy)
    stretch = np.array(song[first:last])
    del song
    counter_ = None if counter is None else _Counter(path, n_samples, *counter)
    try:
        on_window = None if counter_ is None else counter_.set
        return extract_windows_with_flags(stretch, sr, bounds, on_window)
    finally:
        del stretch, counter_
        forget_buffers()  # an idle worker keeps its imports, not its last song's FFT buffers
        release_free_memory()  # nor the freed arrays glibc would keep


class _Counter:
    """A worker's slot of the progress counters (mapped read-write)."""

    def __init__(self, path: str, n_samples: int, n_groups: int, index: int) -> None:
        self.counts, self.index = _counters(path, n_samples, n_groups, "r+"), index

    def set(self, done: int) -> None:
        self.counts[self.index] = done  # an aligned 8-byte store: read whole, old or new


class _Reporter:
    """Calls ``progress(k, total)`` for every k up to the finished count, each k once, in order."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.reported = progress, total, 0

    def upto(self, done: int) -> None:
        if self.progress is None:
            return
        while self.reported < min(done, self.total):
            self.reported += 1
            self.progress(self.reported, self.total)


def _in_process(
    y: np.ndarray, sr: int, bounds: Sequence[tuple[int, int]], progress: Progress | None
) -> list[FeatureVector]:
    report = _Reporter(progress, len(bounds))
    return extract_windows_with_flags(y, sr, bounds, report.upto if progress else None)


def _gather(
    futures: list[Future], sizes: list[int], counts: np.memmap | None, report: _Reporter
) -> list[FeatureVector]:
    """Results of the group futures in order, reporting progress while they run."""
    pending = set(futures)
    while pending:
        _, pending = wait(pending, timeout=PROGRESS_POLL_S, return_when=FIRST_COMPLETED)
        finished = sum(size for future, size in zip(futures, sizes, strict=True) if future.done())
        counted = int(counts.sum()) if counts is not None else 0
        report.upto(max(finished, counted))
    return [vector for future in futures for vector in future.result()]


def extract_windows(
    y: np.ndarray,
    sr: int,
    bounds: Sequence[tuple[int, int]],
    pool: Executor | None = None,
    progress: Progress | None = None,
) -> list[FeatureVector]:
    """:func:`extract_windows_with_flags` of ``y``, on ``pool``'s workers when it pays off.

    Songs with fewer than MIN_POOL_WINDOWS windows, or no pool, are extracted here; so is
    everything when the pool is broken (a killed worker), with the same result (its progress
    then starts again from window 1). ``progress(k, len(bounds))`` is called for k = 1..n as
    windows finish. An exception raised by ``progress`` stops the extraction: the groups not
    started are cancelled and the exception propagates.
    """
    if pool is None or len(bounds) < MIN_POOL_WINDOWS:
        return _in_process(y, sr, bounds, progress)
    signal = np.asarray(y, dtype=np.float64)  # written to the workers' file copy below
    groups = split_windows(bounds, pool_size(pool))
    try:
        with _shared_signal(signal, len(groups)) as name:
            if name is None:
                return _in_process(y, sr, bounds, progress)
            futures = []
            try:
                for index, group in enumerate(groups):
                    first, last = group[0][0], group[-1][1]
                    shifted = [(s - first, e - first) for s, e in group]
                    counter = (len(groups), index)
                    futures.append(
                        pool.submit(
                            _extract_group, name, signal.size, first, last, sr, shifted, counter
                        )
                    )
                counts = _counters(name, signal.size, len(groups), "r")
                try:
                    report = _Reporter(progress, len(bounds))
                    return _gather(futures, [len(g) for g in groups], counts, report)
                finally:
                    del counts
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
    except BrokenProcessPool:
        return _in_process(y, sr, bounds, progress)
