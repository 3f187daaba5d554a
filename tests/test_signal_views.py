"""Waveform envelope and mel spectrogram arrays behind the audio pictures."""

from __future__ import annotations

import numpy as np
import pytest

from turkmood.constants import SPECTROGRAM_DB_RANGE, SPECTROGRAM_MELS
from turkmood.signal_views import mel_spectrogram_db, waveform_envelope

SR = 44_100


def _tone(freq: float, seconds: float, sr: int = SR) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return 0.5 * np.sin(2 * np.pi * freq * t)


def test_envelope_is_bounded_and_keeps_the_extremes():
    rng = np.random.default_rng(0)
    y = rng.normal(0, 0.1, 10 * SR)
    y[123_457] = 0.97
    y[300_001] = -0.88
    env = waveform_envelope(y, SR, n_points=500)
    assert 490 <= len(env.times) <= 500
    assert np.all(env.low <= env.high)
    assert env.high.max() == pytest.approx(0.97)
    assert env.low.min() == pytest.approx(-0.88)
    assert np.all(np.diff(env.times) > 0)
    assert 0 < env.times[0] and env.times[-1] < 10.0


def test_short_signal_keeps_every_sample():
    y = np.array([0.1, -0.2, 0.3])
    env = waveform_envelope(y, 3, n_points=100)
    np.testing.assert_array_equal(env.low, y)
    np.testing.assert_array_equal(env.high, y)
    np.testing.assert_allclose(env.times, [1 / 6, 1 / 2, 5 / 6])


def test_empty_signal_gives_an_empty_envelope():
    env = waveform_envelope(np.zeros(0), SR)
    assert env.times.size == env.low.size == env.high.size == 0


def test_spectrogram_of_a_tone_peaks_at_its_frequency():
    spec = mel_spectrogram_db(_tone(1000.0, 3.0), SR)
    assert spec.db.shape == (SPECTROGRAM_MELS, len(spec.times))
    assert spec.db.max() == pytest.approx(0.0)
    assert spec.db.min() >= -SPECTROGRAM_DB_RANGE - 1e-6
    peak_band = int(np.argmax(spec.db.mean(axis=1)))
    assert spec.freqs[peak_band] == pytest.approx(1000.0, rel=0.15)
    assert 0 <= spec.times[0] and spec.times[-1] <= 3.1
    assert np.all(np.diff(spec.freqs) > 0)


def test_long_signal_is_pooled_to_the_frame_budget():
    y = _tone(440.0, 20.0)
    spec = mel_spectrogram_db(y, SR, max_frames=50)
    assert len(spec.times) <= 50
    assert spec.db.shape[1] == len(spec.times)
    assert np.all(np.diff(spec.times) > 0)
    assert spec.times[-1] == pytest.approx(20.0, abs=1.0)


def test_clip_shorter_than_one_frame_still_draws():
    spec = mel_spectrogram_db(_tone(500.0, 0.01), SR)
    assert spec.db.shape[0] == SPECTROGRAM_MELS and spec.db.shape[1] >= 1
