"""Analyze page with audio uploads: the song verdict is the library's, bad audio is a message."""

from __future__ import annotations

from pathlib import Path

import pytest

from turkmood.analyze import analyze
from turkmood.constants import FEEDBACK_DB_ENV
from ui.text import decision_text

AUDIO = Path(__file__).resolve().parents[1] / "fixtures" / "audio"


@pytest.fixture(autouse=True)
def _empty_feedback_store(tmp_path, monkeypatch):
    """No stored feedback, so the page shows no feedback download."""
    monkeypatch.setenv(FEEDBACK_DB_ENV, str(tmp_path / "feedback.db"))


def _upload_audio(at, name: str, data: bytes):
    at.file_uploader[0].set_value([(name, data, "audio/flac")])
    return at.run()


def _decisions(at) -> list[str]:
    prefix = "Decision: **"
    return [m.value[len(prefix) : -2] for m in at.markdown if m.value.startswith(prefix)]


def test_audio_upload_shows_the_song_verdict(open_page, default_model):
    path = AUDIO / "mus_wesnoth_sad.flac"
    at = _upload_audio(open_page("analyze"), path.name, path.read_bytes())
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    expected = analyze(path, default_model)
    assert _decisions(at) == [decision_text(expected.track.iloc[0])]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Duration"] == f"{expected.duration_s:.1f} s"
    assert metrics["Windows"] == str(len(expected.timeline))
    assert [b.proto.label for b in at.get("download_button")] == [
        "Export this analysis (JSON)",
        "Export this analysis (CSV)",
    ]


def test_silent_audio_is_refused_with_a_message(open_page):
    path = AUDIO / "syn_silence10s.flac"
    at = _upload_audio(open_page("analyze"), path.name, path.read_bytes())
    assert not at.exception
    assert at.error and at.error[0].value.startswith("This audio file cannot be analysed:")
    assert _decisions(at) == []
    assert len(at.download_button) == 0


def test_corrupt_audio_is_refused_with_a_message(open_page):
    at = _upload_audio(open_page("analyze"), "broken.wav", b"RIFF\x00\x00not really a wave file")
    assert not at.exception
    assert at.error and at.error[0].value.startswith("This audio file cannot be analysed:")
    assert _decisions(at) == []


def test_long_song_is_analysed_on_the_worker_pool_with_the_library_verdict(
    open_page, default_model, tmp_path, monkeypatch
):
    """A 65 s song (3 windows) goes through the app's worker pool; same verdict as in-process."""
    import numpy as np
    import soundfile as sf

    from ui.resources import start_pool, window_pool

    parts = [sf.read(AUDIO / n)[0] for n in ("mus_wesnoth_sad.flac", "mus_wesnoth_frantic.flac")]
    song = np.concatenate([p if p.ndim == 1 else p.mean(axis=1) for p in parts])
    song = np.concatenate([song, song[: 5 * 44_100]])
    path = tmp_path / "long_song.flac"
    sf.write(path, song, 44_100, subtype="PCM_16")
    start_pool()  # what the app's warm-up does once no song has been analysed for a while
    pool = window_pool()
    if pool is None:
        pytest.skip("one CPU: the app analyses in its own process")
    sent = []
    submit = pool.submit
    monkeypatch.setattr(pool, "submit", lambda *a, **k: sent.append(a) or submit(*a, **k))
    at = _upload_audio(open_page("analyze"), path.name, path.read_bytes())
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    expected = analyze(path, default_model)  # in this process, no pool
    assert len(expected.timeline) == 3
    assert {m.label: m.value for m in at.metric}["Windows"] == "3"
    assert _decisions(at) == [decision_text(expected.track.iloc[0])]
    assert len(sent) == 2  # the three windows went to the two workers in two groups


def test_pool_started_by_the_app_has_workers_that_do_not_run_the_app(open_page, monkeypatch):
    """Workers started while app.py is ``__main__`` import it as ``__mp_main__``; under its
    ``__main__`` guard they must not run the app (which would start a pool of their own, whose
    workers would do the same, and so on)."""
    import time

    import psutil

    from ui import resources

    resources.warm_up_in_background.clear()
    resources._pool_holder.clear()  # the next app run's warm-up starts a fresh pool
    monkeypatch.setattr(resources, "WARM_UP_QUIET_S", 0.0)
    at = open_page("analyze")
    assert not at.exception
    resources.warm_up_in_background().join(timeout=120)
    pool = resources.window_pool()
    if pool is None:
        pytest.skip("one CPU: no worker pool")
    workers = [psutil.Process(pid) for pid in pool._processes]
    assert len(workers) == 2
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        assert all(w.children() == [] for w in workers), "a worker started processes"
        time.sleep(0.2)
