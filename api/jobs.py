"""Runs the batch jobs of :mod:`turkmood.batch_jobs` one at a time, each in its own process.

A job process that is killed (server stop, crash) leaves its job ``running`` on disk; the next
server start queues it again and :func:`turkmood.batch_jobs.run_job` resumes its results file.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading

from turkmood.batch_jobs import mark_failed, run_job, unfinished_jobs
from turkmood.workers import init_worker


def _job_process(job_id: str, owner_pid: int) -> None:
    init_worker(owner_pid)
    run_job(job_id)


class JobRunner:
    """A thread feeding queued job ids to one job process at a time."""

    def __init__(self) -> None:
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._context = multiprocessing.get_context("forkserver")
        self._current: multiprocessing.process.BaseProcess | None = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="batch-jobs")

    def start(self) -> None:
        """Queue the jobs a previous run left unfinished, then start taking new ones."""
        for job_id in unfinished_jobs():
            self._queue.put(job_id)
        self._thread.start()

    def submit(self, job_id: str) -> None:
        self._queue.put(job_id)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            job_id = self._queue.get()
            if job_id is None:
                return
            process = self._context.Process(
                target=_job_process, args=(job_id, os.getpid()), daemon=True
            )
            self._current = process
            process.start()
            process.join()
            self._current = None
            if process.exitcode != 0 and not self._stopping.is_set():
                mark_failed(job_id, f"the job's process ended unexpectedly ({process.exitcode})")

    def stop(self) -> None:
        """Stop taking jobs and end the running one (it resumes at the next start)."""
        self._stopping.set()
        self._queue.put(None)
        process = self._current
        if process is not None and process.is_alive():
            process.terminate()
            process.join(5)
