"""Analyze page, microphone: a clip recorded with st.audio_input is analysed like an upload."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
import soundfile as sf

from turkmood.analyze import analyze
from turkmood.constants import ANALYSIS_SR, FEEDBACK_DB_ENV, HOME_ENV
from ui.text import decision_text, md_escape

ROOT = Path(__file__).resolve().parents[2]
AUDIO = ROOT / "tests" / "fixtures" / "audio"
RECORD = "Record with the microphone"
UPLOAD_PREFIX = "Upload"


@pytest.fixture(autouse=True)
def own_state(tmp_path, monkeypatch):
    """Feedback and the prediction log of every test go to throw-away places."""
    monkeypatch.setenv(FEEDBACK_DB_ENV, str(tmp_path / "feedback.db"))
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))


def _wav(seconds: float) -> bytes:
    """A recording as the browser hands it over: 16-bit PCM WAV at the widget's sample rate."""
    y, sr = sf.read(AUDIO / "mus_wesnoth_love_theme.flac", dtype="float32")
    assert sr == ANALYSIS_SR
    buffer = io.BytesIO()
    sf.write(buffer, y[: int(seconds * sr)], sr, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def _record(open_page, data: bytes):
    at = open_page("analyze")
    at.radio[0].set_value(RECORD).run()
    assert not at.exception
    at.audio_input(key="analyze-record").set_value(("audio.wav", data, "audio/wav"))
    return at.run()


def _decisions(at) -> list[str]:
    prefix = "Decision: **"
    return [m.value[len(prefix) : -2] for m in at.markdown if m.value.startswith(prefix)]


def test_record_is_an_input_option_with_a_microphone_widget(open_page):
    at = open_page("analyze")
    assert RECORD in at.radio[0].options
    at.radio[0].set_value(RECORD).run()
    assert not at.exception and not at.error
    recorder = at.audio_input(key="analyze-record")
    assert recorder.sample_rate == ANALYSIS_SR  # music at the training rate, not 16 kHz speech
    assert any("Record a clip to analyse it" in i.value for i in at.info)


def test_a_recording_is_analysed_like_an_uploaded_wav(open_page, default_model):
    from turkmood.telemetry.prediction_log import read_predictions

    data = _wav(6)
    at = _record(open_page, data)
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    expected = analyze(data, default_model)
    assert _decisions(at) == [decision_text(expected.track.iloc[0])]
    name = f"recording-{hashlib.sha256(data).hexdigest()[:8]}.wav"
    assert [m.value for m in at.markdown if m.value.startswith("#### ")] == [
        f"#### {md_escape(name)}"
    ]
    assert len(at.get("audio")) == 0  # the recorder plays it already; no second player
    assert at.radio(key="feedback-truth") is not None  # "Was this right?" as for an upload
    log = read_predictions()
    assert log["clip_name"].tolist() == [name]
    assert log["source"].tolist() == ["app"]
    assert log.loc[0, "decision"] == expected.decision


def test_a_recording_and_the_same_wav_uploaded_share_one_analysis(open_page, monkeypatch):
    """Same bytes, same cache entry: the upload after the recording is not analysed again."""
    import ui.resources

    data = _wav(6)
    at = _record(open_page, data)
    assert not at.exception and not at.error
    computed = []
    real = ui.resources._compute
    monkeypatch.setattr(ui.resources, "_compute", lambda *a: computed.append(1) or real(*a))
    at.radio[0].set_value(next(o for o in at.radio[0].options if o.startswith(UPLOAD_PREFIX)))
    at.run()
    at.file_uploader[0].set_value([("clip.wav", data, "audio/wav")])
    at.run()
    assert not at.exception and not at.error
    assert computed == []
    assert len(_decisions(at)) == 1


def test_a_too_short_recording_gets_the_clear_audio_message(open_page):
    at = _record(open_page, _wav(0.5))
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1
    assert errors[0].startswith("This recording cannot be analysed:")
    assert "too short" in errors[0] and "at least 1 s" in errors[0]
    assert _decisions(at) == []
