"""turkmood.features.dynamics against the mirrms / mirlowenergy definitions (spec §2, §9)."""

from __future__ import annotations

import numpy as np
import pytest

from turkmood.features.dynamics import features, frame_rms, low_energy, rms
from turkmood.features.shared import Clip

SR = 44_100


def _sine(freq: float, amp: float, seconds: float) -> np.ndarray:
    return amp * np.sin(2 * np.pi * freq * np.arange(int(seconds * SR)) / SR)


def test_rms_of_sine_is_amplitude_over_sqrt2():
    # 1 kHz over 30 s = a whole number of periods, so sum(y²) = N·A²/2 exactly; MIRtoolbox
    # divides by N - 1 (its stored length), a 0.5/N relative excess.
    y = _sine(1000.0, 0.5, 30.0)
    n = y.size
    assert rms(y) == pytest.approx(0.5 / np.sqrt(2) * np.sqrt(n / (n - 1)), rel=1e-12)
    assert rms(y) == pytest.approx(0.5 / np.sqrt(2), rel=1e-6)


def test_rms_of_noise_and_clicks():
    noise = np.random.default_rng(3).normal(0.0, 0.1, SR * 10)
    assert rms(noise) == pytest.approx(0.1, rel=0.01)
    clicks = np.zeros(SR * 30)
    clicks[:: SR // 2] = 1.0  # 60 unit clicks -> sqrt(60 / N)
    assert rms(clicks) == pytest.approx(np.sqrt(60 / (clicks.size - 1)), rel=1e-12)
    assert rms(np.zeros(10)) == 0.0
    assert rms(np.array([0.5])) == 0.0


def test_frame_rms_uses_mirframe_grid():
    y = np.random.default_rng(4).normal(size=SR * 2)
    curve = frame_rms(y, SR)
    # L = 2205, hop 1102.5: n = floor((N - L) / h) + 1, frame i starts at floor(i * h).
    assert curve.size == int(np.floor((y.size - 2205) / 1102.5)) + 1
    for i in (0, 1, 7, curve.size - 1):
        start = int(np.floor(i * 1102.5))
        assert curve[i] == pytest.approx(np.sqrt(np.mean(y[start : start + 2205] ** 2)))


def test_low_energy_is_strict_share_below_mean():
    assert low_energy(np.array([1.0, 1.0, 1.0, 1.0])) == 0.0  # nothing strictly below the mean
    assert low_energy(np.array([0.0, 0.0, 0.0, 4.0])) == 0.75
    assert low_energy(np.array([1.0, 2.0, 3.0])) == pytest.approx(1 / 3)  # 2 is not < 2
    assert np.isnan(low_energy(np.array([])))


def test_low_energy_of_gated_sine_is_about_half():
    # 1 s on / 1 s off: off frames (and frames with < 25 % "on") are below the mean RMS.
    tone = _sine(440.0, 0.5, 30.0)
    gate = (np.arange(tone.size) // SR) % 2 == 0
    out = features(Clip(tone * gate, SR))
    assert out["_Lowenergy_Mean"] == pytest.approx(0.5, abs=0.02)


def test_low_energy_of_loud_then_quiet_halves():
    y = np.concatenate([_sine(300.0, 0.5, 5.0), _sine(300.0, 0.05, 5.0)])
    # Frames of the quiet half (plus at most one boundary frame) fall below the mean.
    assert features(Clip(y, SR))["_Lowenergy_Mean"] == pytest.approx(0.5, abs=0.01)


def test_low_energy_of_click_train():
    clicks = np.zeros(SR * 30)
    clicks[SR // 4 :: SR // 2] = 1.0
    # Each click lands in 2 of the ~20 overlapping 25 ms-hop frames per 0.5 s: 18/20 are empty.
    assert features(Clip(clicks, SR))["_Lowenergy_Mean"] == pytest.approx(0.9, abs=0.01)


def test_silence_gives_zero_rms_and_zero_low_energy():
    out = features(Clip(np.zeros(SR * 2), SR))
    assert out == {"_RMSenergy_Mean": 0.0, "_Lowenergy_Mean": 0.0}


def test_frame_curve_is_shared_through_the_clip_memo():
    clip = Clip(_sine(500.0, 0.3, 2.0), SR)
    features(clip)
    assert "rms_frames_50ms" in clip._memo
