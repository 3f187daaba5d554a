"""What a visitor sees while a song is analysed: its place in the queue, then window k of n.

The texts are plain functions (tested directly); :class:`ProgressPanel` draws them into one
placeholder and is what :func:`ui.resources.analyze_audio` reports to.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from turkmood.constants import MAX_CONCURRENT_ANALYSES, WINDOW_S
from ui.resources import analysis_gate

#: Shown between the slot being taken and the first finished window (decoding, first window).
STARTING_TEXT = "Decoding the audio and computing the 50 MIRtoolbox features…"


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def waiting_text(position: int, running: int, waited_s: float) -> str:
    """The queue message: the analyses ahead of this one (running, then queued before it)."""
    ahead = _plural(running + position - 1, "analysis", "analyses")
    queued = f", {position - 1} waiting before yours" if position > 1 else ""
    return (
        f"Waiting for a free slot: {ahead} ahead of you ({running} running{queued}; this "
        f"server analyses {MAX_CONCURRENT_ANALYSES} songs at a time) — waited {waited_s:.0f} s"
    )


def seconds_text(seconds: float) -> str:
    """A rough duration: "about 20 s", "about 2 min"."""
    if seconds < 10:
        return f"about {max(1, round(seconds))} s"
    if seconds < 90:
        return f"about {round(seconds / 5) * 5} s"
    return f"about {round(seconds / 60)} min"


def progress_text(done: int, total: int, per_window_s: float) -> str:
    """ "Window k of n analysed — about X s left", from the seconds per window so far."""
    if done >= total:
        return f"All {_plural(total, 'window', 'windows')} of {WINDOW_S:.0f} s analysed; deciding…"
    return f"Window {done} of {total} analysed — {seconds_text(per_window_s * (total - done))} left"


def seconds_per_window(done: int, elapsed_s: float, first_done: int, first_s: float) -> float:
    """Pace of the analysis: from the first report on once two more windows are done (the first
    window also paid for decoding and, on the pool, its group's shared attack envelope, so it
    is slower than the rest), else the elapsed time per window."""
    if done - first_done >= 2:
        return (elapsed_s - first_s) / (done - first_done)
    return elapsed_s / done


class ProgressPanel:
    """One placeholder showing the queue, then a progress bar over the song's windows."""

    def __init__(self) -> None:
        self._slot = st.empty()
        self._queued_at: float | None = None
        self._started_at = time.monotonic()
        self._last_done = 0
        self._first: tuple[int, float] | None = None  # (windows done, seconds) of the 1st report
        #: Seconds spent in the queue before the analysis started (0 when it never queued).
        self.queued_s = 0.0

    def waiting(self, position: int, running: int) -> None:
        """The analysis is queued (called about every QUEUE_POLL_S until it starts)."""
        now = time.monotonic()
        if self._queued_at is None:
            self._queued_at = now
        self._slot.info(
            waiting_text(position, running, now - self._queued_at), icon=":material/hourglass_top:"
        )

    def started(self) -> None:
        """The analysis holds a slot and starts decoding."""
        self._started_at = time.monotonic()
        if self._queued_at is not None:
            self.queued_s = self._started_at - self._queued_at
        self._last_done, self._first = 0, None
        self._slot.progress(0.0, text=STARTING_TEXT)

    def progress(self, done: int, total: int) -> None:
        """``done`` of ``total`` windows finished."""
        if done <= self._last_done:  # the extraction started again (a broken pool)
            self._started_at, self._first = time.monotonic(), None
        self._last_done = done
        elapsed = time.monotonic() - self._started_at
        if self._first is None:
            self._first = (done, elapsed)
        pace = seconds_per_window(done, elapsed, *self._first)
        self._slot.progress(done / total, text=progress_text(done, total, pace))

    def clear(self) -> None:
        self._slot.empty()

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold a slot of the server's analysis gate for the body (for work that does not go
        through :func:`ui.resources.analyze_audio`, e.g. a Batch file), showing the queue while
        waiting; the placeholder is cleared once the slot is taken."""
        self._queued_at = None
        with analysis_gate().slot(self.waiting):
            self.clear()
            yield
