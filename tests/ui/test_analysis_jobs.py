"""Analyses that outlive the page run that started them (ui.analysis_jobs, ui.resources)."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import ui.resources
from ui.analysis_jobs import Job, JobBoard, watch
from ui.resources import analysis_gate, analyze_song

AUDIO = Path(__file__).resolve().parents[1] / "fixtures" / "audio"
PATIENCE_S = 60


class _Rerun(Exception):
    """What Streamlit raises in a page run when the visitor touches a widget."""


class _Watcher:
    def __init__(self, stop_after: int | None = None) -> None:
        self.calls: list[tuple] = []
        self._stop_after = stop_after

    def _note(self, call: tuple) -> None:
        self.calls.append(call)
        if self._stop_after is not None and len(self.calls) >= self._stop_after:
            raise _Rerun

    def waiting(self, position: int, running: int) -> None:
        self._note(("waiting", position, running))

    def started(self) -> None:
        self._note(("started",))

    def progress(self, done: int, total: int) -> None:
        self._note(("progress", done, total))


def test_one_job_per_key_and_a_finished_job_leaves_the_board():
    board: JobBoard[int] = JobBoard()
    release = threading.Event()
    runs = []

    def run(job: Job[int]) -> int:
        runs.append(job)
        release.wait(PATIENCE_S)
        return 42

    first = board.job("clip", run)
    assert board.job("clip", run) is first and len(board) == 1
    release.set()
    assert watch(first, None, 0.01) == 42
    assert len(runs) == 1
    first.future.result()
    for _ in range(100):  # the thread removes the job right after setting its result
        if not len(board):
            break
        threading.Event().wait(0.01)
    assert len(board) == 0


def test_a_job_failure_reaches_its_watchers():
    board: JobBoard[int] = JobBoard()

    def run(job: Job[int]) -> int:
        raise ValueError("not audio")

    with pytest.raises(ValueError, match="not audio"):
        watch(board.job("bad", run), None, 0.01)


@pytest.fixture()
def song() -> bytes:
    """A fresh 70 s song (3 windows; random gain: never in the cache of an earlier test)."""
    y, sr = sf.read(AUDIO / "mus_wesnoth_sad.flac", dtype="float64")
    gain = np.random.default_rng().uniform(0.5, 0.9)
    buffer = io.BytesIO()
    sf.write(buffer, gain * np.concatenate([y, y, y[: 10 * sr]]), sr, format="FLAC")
    return buffer.getvalue()


def test_a_rerun_during_an_analysis_does_not_start_it_again(song, monkeypatch):
    """The page rerun (a watcher raising) stops watching; the next run watches the same job,
    and the clip is analysed once."""
    computed = []
    real = ui.resources._compute
    monkeypatch.setattr(ui.resources, "_compute", lambda *a: computed.append(1) or real(*a))
    model = ui.resources.default_model_name()
    with pytest.raises(_Rerun):
        analyze_song(song, model, _Watcher(stop_after=1))  # the first report: "started"
    again = _Watcher()
    result = analyze_song(song, model, again)
    assert len(computed) == 1
    assert len(result.analysis.timeline) == 3
    assert ("progress", 3, 3) in again.calls  # the second page run saw the windows finish
    assert analysis_gate().running == 0


def test_two_visitors_sending_the_same_new_clip_share_one_analysis(song, monkeypatch):
    computed = []
    real = ui.resources._compute
    monkeypatch.setattr(ui.resources, "_compute", lambda *a: computed.append(1) or real(*a))
    model = ui.resources.default_model_name()
    results = []
    visitors = [
        threading.Thread(target=lambda: results.append(analyze_song(song, model, _Watcher())))
        for _ in range(2)
    ]
    for visitor in visitors:
        visitor.start()
    for visitor in visitors:
        visitor.join(PATIENCE_S)
    assert len(results) == 2 and len(computed) == 1
    assert results[0].analysis.decision == results[1].analysis.decision
