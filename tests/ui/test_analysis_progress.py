"""Analyze's wait and progress: queue and window texts; analyze_audio with the gate and cache."""

from __future__ import annotations

import io
import queue
import threading
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import ui.analyze_resources  # noqa: F401 - imported before ui.resources.get_model is patched
import ui.classroom_resources  # noqa: F401 - (they bind it by name when first imported)
import ui.resources
from turkmood.constants import MAX_CONCURRENT_ANALYSES
from ui.analysis_progress import (
    progress_text,
    seconds_per_window,
    seconds_text,
    waiting_text,
)
from ui.resources import analysis_gate, analyze_audio

AUDIO = Path(__file__).resolve().parents[1] / "fixtures" / "audio"
PATIENCE_S = 60


def test_waiting_text_counts_the_analyses_ahead():
    assert waiting_text(1, 2, 3.4).startswith(
        "Waiting for a free slot: 2 analyses ahead of you (2 running; "
    )
    assert "3 analyses ahead of you (2 running, 1 waiting before yours" in waiting_text(2, 2, 0)
    assert "1 analysis ahead of you" in waiting_text(1, 1, 0)
    assert waiting_text(1, 2, 12.2).endswith("waited 12 s")


def test_progress_text_says_window_k_of_n_and_the_time_left():
    # 3 s per window, 7 windows left
    assert progress_text(3, 10, 3.0) == "Window 3 of 10 analysed — about 20 s left"
    assert progress_text(1, 20, 30.0) == "Window 1 of 20 analysed — about 10 min left"
    assert progress_text(9, 10, 3.0) == "Window 9 of 10 analysed — about 3 s left"
    assert progress_text(10, 10, 3.0).startswith("All 10 windows of 30 s analysed")


def test_the_pace_leaves_out_the_slow_first_window_once_it_can():
    # measured on the pool: window 1 after 20 s (decoding, shared envelope), then ~1 s each
    assert seconds_per_window(1, 20.0, 1, 20.0) == 20.0
    assert seconds_per_window(2, 20.6, 1, 20.0) == pytest.approx(10.3)  # one step: too noisy
    assert seconds_per_window(3, 22.0, 1, 20.0) == pytest.approx(1.0)
    assert seconds_per_window(5, 25.0, 1, 20.0) == pytest.approx(1.25)


@pytest.mark.parametrize(("seconds", "text"), [(0.2, "about 1 s"), (42, "about 40 s")])
def test_seconds_text_is_rough(seconds, text):
    assert seconds_text(seconds) == text


class _Watcher:
    def __init__(self) -> None:
        self.events: queue.Queue = queue.Queue()
        self.calls: list[tuple] = []

    def waiting(self, position: int, running: int) -> None:
        if ("waiting", position, running) not in self.calls:
            self.events.put(("waiting", position, running))
        self.calls.append(("waiting", position, running))

    def started(self) -> None:
        self.calls.append(("started",))

    def progress(self, done: int, total: int) -> None:
        self.calls.append(("progress", done, total))


@pytest.fixture()
def clip() -> bytes:
    """A fresh 5 s clip (random gain: never in the cache of an earlier test)."""
    y, sr = sf.read(AUDIO / "mus_wesnoth_sad.flac", dtype="float64")
    gain = np.random.default_rng().uniform(0.5, 0.9)
    buffer = io.BytesIO()
    sf.write(buffer, gain * y[: 5 * sr], sr, format="FLAC")
    return buffer.getvalue()


def _fill(stack: ExitStack) -> None:
    """Take every slot of the server's gate (as other sessions' analyses would)."""
    for _ in range(MAX_CONCURRENT_ANALYSES):
        stack.enter_context(analysis_gate().slot())


def test_an_analysis_waits_for_a_slot_and_a_cached_one_does_not(clip, monkeypatch):
    model = ui.resources.default_model_name()
    watcher, result = _Watcher(), {}
    with ExitStack() as busy:
        _fill(busy)
        worker = threading.Thread(
            target=lambda: result.setdefault("analysis", analyze_audio(clip, model, watcher)),
            daemon=True,
        )
        worker.start()
        assert watcher.events.get(timeout=PATIENCE_S) == ("waiting", 1, MAX_CONCURRENT_ANALYSES)
        assert "started" not in {c[0] for c in watcher.calls}
    worker.join(PATIENCE_S)
    assert "analysis" in result
    steps = [c for c in watcher.calls if c[0] != "waiting"]
    assert steps == [("started",), ("progress", 1, 1)]  # a 5 s clip is one window
    assert analysis_gate().running == 0

    # the same clip again, every slot taken: it comes from the cache at once
    monkeypatch.setattr(ui.resources, "_compute", lambda *a: pytest.fail("computed again"))
    again = _Watcher()
    with ExitStack() as busy:
        _fill(busy)
        cached = analyze_audio(clip, model, again)
    assert again.calls == []
    assert cached.decision == result["analysis"].decision


def test_a_failed_analysis_gives_its_slot_back(monkeypatch):
    from turkmood.errors import AudioError

    with pytest.raises(AudioError):
        analyze_audio(b"not audio at all", ui.resources.default_model_name())
    assert analysis_gate().running == 0


def test_the_warm_up_starts_the_pool_only_after_a_quiet_spell(monkeypatch):
    """The window pool takes both cores for a few seconds while it starts: it waits until no
    song has been analysed for WARM_UP_QUIET_S, so a visitor's clips go first."""
    gate = ui.resources.AnalysisGate(MAX_CONCURRENT_ANALYSES)
    steps = []
    monkeypatch.setattr(ui.resources, "analysis_gate", lambda: gate)
    monkeypatch.setattr(ui.resources, "WARM_UP_YIELD_S", 0.01)
    monkeypatch.setattr(ui.resources, "WARM_UP_QUIET_S", 0.5)
    monkeypatch.setattr(ui.resources, "get_model", lambda name: steps.append("model"))
    monkeypatch.setattr(ui.resources, "analyze_signal", lambda *a, **k: steps.append("kernels"))
    monkeypatch.setattr("ui.analyze_resources.get_explainer", lambda name: steps.append("shap"))
    monkeypatch.setattr(ui.resources, "training_detector", lambda: steps.append("ood"))
    monkeypatch.setattr(ui.resources, "start_pool", lambda: steps.append("pool"))
    with gate.slot():  # a visitor's song is being analysed
        warm = threading.Thread(target=ui.resources._warm_up)
        warm.start()
        warm.join(timeout=1.0)
        assert warm.is_alive()
        assert steps == ["model", "kernels", "shap", "ood"]
    assert "pool" not in steps  # the song has just ended: the quiet spell has not passed
    warm.join(timeout=PATIENCE_S)
    assert steps == ["model", "kernels", "shap", "ood", "pool"]


def test_songs_are_extracted_in_process_until_the_pool_is_started(monkeypatch):
    holder = ui.resources._PoolHolder()
    monkeypatch.setattr(ui.resources, "_pool_holder", lambda: holder)
    started = []
    monkeypatch.setattr(ui.resources, "start_window_pool", lambda: started.append(1) or "pool")
    monkeypatch.setattr(ui.resources, "pool_is_usable", lambda pool: True)
    assert ui.resources.window_pool() is None
    ui.resources.start_pool()
    ui.resources.start_pool()
    assert ui.resources.window_pool() == "pool"
    assert started == [1]
