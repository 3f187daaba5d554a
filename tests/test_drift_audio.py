"""Audio-level drift (turkmood.drift.audio*): transforms, re-extraction on sample excerpts."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from turkmood.constants import CLASSES, SAMPLES_DIR
from turkmood.data import load_training_data
from turkmood.drift.audio import (
    AUDIO_SCENARIOS,
    AudioScenarioConfig,
    add_noise,
    band_pass,
    change_gain,
    change_tempo,
    excerpt,
    low_pass,
    mp3_unavailable_reason,
    pick_samples,
    read_samples,
    reencode_mp3,
    transform,
)
from turkmood.drift.audio_run import load_sample_clips, run_audio_drift
from turkmood.model import load_model

SR = 44_100


def _tone_mix(seconds: float = 2.0) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return 0.3 * np.sin(2 * np.pi * 440 * t) + 0.3 * np.sin(2 * np.pi * 8000 * t)


def _power_at(y: np.ndarray, hz: float) -> float:
    freqs, power = signal.periodogram(y, SR)
    return float(power[np.argmin(np.abs(freqs - hz))])


@pytest.mark.parametrize("snr", [0.0, 10.0, 30.0])
def test_noise_has_the_requested_snr(snr):
    y = _tone_mix()
    noisy = add_noise(y, snr, np.random.default_rng(0))
    measured = 10 * np.log10(np.mean(y**2) / np.mean((noisy - y) ** 2))
    assert measured == pytest.approx(snr, abs=0.1)


def test_filters_remove_the_high_tone_and_keep_the_low_one():
    y = _tone_mix()
    for out in (low_pass(y, SR, 3000.0), band_pass(y, SR, 300.0, 3400.0)):
        assert _power_at(out, 8000) < 1e-4 * _power_at(y, 8000)
        assert _power_at(out, 440) == pytest.approx(_power_at(y, 440), rel=0.05)


def test_gain_and_tempo():
    y = _tone_mix()
    np.testing.assert_allclose(change_gain(y, -6.0), y * 10 ** (-6 / 20))
    assert np.abs(change_gain(y, 20.0)).max() <= 1.0
    assert len(change_tempo(y, 1.25)) == pytest.approx(len(y) / 1.25, rel=0.01)


def test_mp3_round_trip_or_stated_reason():
    reason = mp3_unavailable_reason()
    if reason:
        pytest.skip(reason)
    y = _tone_mix()
    decoded = reencode_mp3(y, SR)
    assert decoded.ndim == 1 and abs(len(decoded) - len(y)) < SR // 10
    assert not np.allclose(decoded[: len(y)], y[: len(decoded)], atol=1e-3)


def test_transform_rejects_unknown_keys():
    with pytest.raises(ValueError, match="unknown audio transform"):
        transform("reverb", _tone_mix(), SR, None, 0)


def test_samples_are_picked_one_per_emotion_first():
    picked = pick_samples(read_samples(), 4)
    assert [p["emotion"] for p in picked] == list(CLASSES)
    assert len(excerpt(np.zeros(SR * 30), SR, 10.0)) == SR * 10


def test_noise_at_0_db_moves_features_more_than_at_30_db():
    clips = load_sample_clips(2, excerpt_s=10.0, samples_dir=SAMPLES_DIR)
    model = load_model()
    reference = load_training_data().X
    shifts, originals = {}, []
    for snr in (0.0, 30.0):
        result = run_audio_drift(
            clips, model, reference, AudioScenarioConfig(snr_db=snr), keys=("noise",)
        )
        (scenario,) = result.scenarios
        shifts[snr] = scenario.mean_abs_shift_sd
        assert scenario.n_clips == 2
        originals.append(list(scenario.clips["original"]))
    assert originals[0] == originals[1]  # the unchanged clips predict the same both times
    assert shifts[0.0] > 2 * shifts[30.0]
    assert set(AUDIO_SCENARIOS) >= {"noise", "lowpass", "telephone", "gain", "tempo", "mp3"}
