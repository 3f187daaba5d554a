"""Analyses that outlive the page run that started them (pure threading, no Streamlit).

A Streamlit script run stops as soon as the visitor touches a widget (the page reruns). An
analysis computed on the script thread was lost with it, and the rerun started it again from
window 1. Here each clip's analysis runs on a thread of its own; a page run only watches it, so
a rerun, or another visitor uploading the same clip at the same moment, finds the analysis
under way and watches the same one instead of starting another.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

T = TypeVar("T")


class Watcher(Protocol):
    """What a page shows while it waits (e.g. :class:`ui.analysis_progress.ProgressPanel`)."""

    def waiting(self, position: int, running: int) -> None: ...

    def started(self) -> None: ...

    def progress(self, done: int, total: int) -> None: ...


@dataclass
class Job(Generic[T]):
    """One analysis under way: its outcome and what it last reported (set by its thread)."""

    future: Future[T] = field(default_factory=Future)
    #: Place in the server's queue and analyses running ahead (0, 0 when not queued).
    position: int = 0
    running: int = 0
    started: bool = False
    done: int = 0
    total: int = 0

    def waiting(self, position: int, running: int) -> None:
        """The job is queued (called by the gate while it waits)."""
        self.position, self.running = position, running

    def start(self) -> None:
        """The job holds a slot and starts."""
        self.position, self.running, self.started = 0, 0, True

    def progress(self, done: int, total: int) -> None:
        """``done`` of ``total`` windows finished."""
        self.done, self.total = done, total


class JobBoard(Generic[T]):
    """The analyses under way in this server, one per key (e.g. clip hash + model)."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job[T]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._jobs)

    def job(self, key: str, run: Callable[[Job[T]], T]) -> Job[T]:
        """The job under way for ``key``, or a new one running ``run(job)`` on its own thread;
        a finished job leaves the board (its result belongs in a cache)."""
        with self._lock:
            job = self._jobs.get(key)
            if job is None:
                job = Job()
                self._jobs[key] = job
                threading.Thread(
                    target=self._run, args=(key, job, run), name="turkmood-analysis", daemon=True
                ).start()
            return job

    def _run(self, key: str, job: Job[T], run: Callable[[Job[T]], T]) -> None:
        try:
            job.future.set_result(run(job))
        except BaseException as exc:  # noqa: BLE001 - handed to whoever watches the job
            job.future.set_exception(exc)
        finally:
            with self._lock:
                self._jobs.pop(key, None)


def watch(job: Job[T], watcher: Watcher | None, poll_s: float) -> T:
    """Relay ``job``'s queue place, start and finished windows to ``watcher`` until it ends;
    its result (or its exception). A watcher that raises (a page that reruns) stops watching;
    the job goes on."""
    shown_start, shown_done = False, 0

    def relay() -> None:
        nonlocal shown_start, shown_done
        if watcher is None:
            return
        if job.started and not shown_start:
            watcher.started()
            shown_start = True
        elif not job.started and job.position:
            watcher.waiting(job.position, job.running)
        if shown_start and job.done != shown_done:
            watcher.progress(job.done, job.total)
            shown_done = job.done

    while True:
        try:
            job.future.exception(timeout=poll_s)  # returns as soon as the job ends
        except FutureTimeout:
            relay()
            continue
        relay()
        return job.future.result()
