"""Label queue page (AppTest): locked without the admin password; uncertain clips first; labels."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import soundfile as sf
from apptest_helpers import visible

from turkmood.constants import ADMIN_PASSWORD_ENV, CLASSES, FEATURE_NAMES, HOME_ENV
from turkmood.data import load_training_data
from turkmood.learning.clip_store import keep_clip
from turkmood.learning.labels import read_labels
from turkmood.telemetry.prediction_log import PredictionRecord, log_prediction

PASSWORD = "queue-test-password"
EVIL = "[x](http://evil.example)<b>bold</b>.wav"


@pytest.fixture()
def home(monkeypatch, tmp_path):
    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    return tmp_path


def _log(name: str, probs: dict[str, float], row: int) -> str:
    features = load_training_data().X.iloc[row]
    clip_hash = hashlib.sha256(name.encode()).hexdigest()
    top = max(probs, key=probs.get)
    log_prediction(
        PredictionRecord(
            source="api",
            clip_hash=clip_hash,
            clip_name=name,
            model_version="soft_vote_calibrated@eb72f387c917",
            predicted=top,
            decision=top if probs[top] >= 0.75 else f"Review: {top}",
            confidence=probs[top],
            probabilities=probs,
            is_ood=False,
            latency_s=0.5,
            duration_s=30.0,
            features={f: float(features[f]) for f in FEATURE_NAMES},
        )
    )
    return clip_hash


def test_locked_without_an_admin_password(home, monkeypatch, open_page):
    monkeypatch.delenv(ADMIN_PASSWORD_ENV, raising=False)
    _log("secret-song.wav", {"happy": 0.4, "sad": 0.35, "angry": 0.15, "relax": 0.1}, 0)
    at = open_page("label_queue")
    assert not at.exception, at.exception
    assert "TURKMOOD_ADMIN_PASSWORD" in " ".join(i.value for i in at.info)
    assert "secret-song" not in " ".join(visible(m.value) for m in at.markdown)
    assert not at.button


def test_uncertain_first_escaped_and_one_click_label(home, monkeypatch, open_page, tmp_path):
    monkeypatch.setenv(ADMIN_PASSWORD_ENV, PASSWORD)
    sure = _log("sure.wav", {"happy": 0.9, "sad": 0.05, "angry": 0.03, "relax": 0.02}, 0)
    torn = _log(EVIL, {"happy": 0.41, "sad": 0.39, "angry": 0.1, "relax": 0.1}, 120)
    _log("middle.wav", {"happy": 0.6, "sad": 0.2, "angry": 0.1, "relax": 0.1}, 250)
    wav = tmp_path / "t.wav"
    sf.write(wav, 0.1 * np.sin(np.arange(44100) / 10), 44100)
    assert keep_clip(torn, wav.read_bytes())
    at = open_page("label_queue")
    at.text_input(key="queue-admin").input("wrong").run()
    assert at.error and "not the admin password" in at.error[0].value
    at.text_input(key="queue-admin").input(PASSWORD).run()
    assert not at.exception, at.exception
    text = " ".join(visible(m.value) for m in at.markdown)
    assert text.index("middle.wav") < text.index("sure.wav")
    cards = [m.value for m in at.markdown if "margin" in m.value]
    assert visible(cards[0]).startswith(f"**{EVIL}**")  # shown as typed, the most uncertain
    assert "](http" not in cards[0] and "<b>" not in cards[0]  # never a live link or HTML
    assert len(at.get("audio")) == 1  # only the kept clip has a player
    assert [m.value for m in at.metric][:1] == ["0"]
    next(b for b in at.button if (b.key or "").endswith(f"{torn[:16]}-relax")).click().run()
    labels = read_labels()
    assert labels["clip_hash"].tolist() == [torn] and labels["emotion"].tolist() == ["relax"]
    assert labels["source"].tolist() == ["queue"]
    assert [m.value for m in at.metric][0] == "1"
    assert any((b.key or "").endswith(f"{sure[:16]}-happy") for b in at.button)
    assert not any(torn[:16] in b.key for b in at.button if (b.key or "").startswith("label-"))
    assert set(CLASSES) <= {b.label.lower() for b in at.button}
