"""turkmood.features.spectral against the MIRtoolbox definitions (spec §3) and analytic values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from turkmood.features.shared import Clip
from turkmood.features.spectral import (
    brightness,
    features,
    rolloff,
    spectral_entropy,
    spectral_flatness,
    spectral_moments,
    zero_crossing_rate,
)

SR = 44_100


def _sine(freq: float, amp: float = 0.5, seconds: float = 10.0) -> np.ndarray:
    return amp * np.sin(2 * np.pi * freq * np.arange(int(seconds * SR)) / SR + 0.1)


@pytest.fixture(scope="module")
def noise_features() -> dict[str, float]:
    return features(Clip(np.random.default_rng(11).normal(0.0, 0.1, SR * 10), SR))


@pytest.fixture(scope="module")
def sine_features() -> dict[str, float]:
    return features(Clip(_sine(1000.0), SR))


# --- helpers on hand-made spectra: exact values ---------------------------------------------------


def test_moments_of_two_equal_lines():
    freqs = np.arange(11) * 100.0
    mag = np.zeros(11)
    mag[[2, 8]] = 1.0  # lines at 200 and 800 Hz (min(mag) = 0, so d = mag)
    c, s, sk, ku = spectral_moments(freqs, mag)
    assert (c, s) == pytest.approx((500.0, 300.0))
    assert sk == pytest.approx(0.0, abs=1e-12)
    assert ku == pytest.approx(1.0)


def test_moments_add_the_minimum_like_peaksegments():
    freqs = np.array([0.0, 100.0, 200.0])
    mag = np.array([1.0, 2.0, 4.0])
    d = mag + mag.min()  # [2, 3, 5]
    centroid = float(np.dot(freqs, d) / d.sum())
    assert spectral_moments(freqs, mag)[0] == pytest.approx(centroid)
    assert centroid != pytest.approx(float(np.dot(freqs, mag) / mag.sum()))


def test_moments_of_flat_spectrum_are_uniform_distribution():
    freqs = np.linspace(0.0, 22_050.0, 100_001)
    c, s, sk, ku = spectral_moments(freqs, np.ones_like(freqs))
    assert c == pytest.approx(11_025.0)
    assert s == pytest.approx(22_050.0 / math.sqrt(12), rel=1e-4)
    assert sk == pytest.approx(0.0, abs=1e-9)
    assert ku == pytest.approx(1.8, rel=1e-4)  # not excess kurtosis


def test_entropy_extremes():
    one_hot = np.zeros(1000)
    one_hot[17] = 3.0
    assert spectral_entropy(one_hot) == pytest.approx(0.0, abs=1e-9)
    assert spectral_entropy(np.ones(1000)) == pytest.approx(1.0, abs=1e-9)
    assert spectral_entropy(np.zeros(1000)) == 0.0


def test_flatness_rules():
    assert spectral_flatness(np.full(64, 0.3)) == pytest.approx(1.0)
    mag = np.array([1.0, 4.0])  # geometric 2, arithmetic 2.5
    assert spectral_flatness(mag) == pytest.approx(0.8)
    assert spectral_flatness(np.array([0.0, 1.0, 2.0])) == 0.0  # a zero bin zeroes the product
    assert math.isnan(spectral_flatness(np.zeros(8)))  # 0/0, as in MIRtoolbox


def test_brightness_cutoff_is_strict_and_rolloff_is_first_bin_reaching_85pct():
    freqs = np.array([0.0, 1000.0, 1500.0, 2000.0, 3000.0])
    mag = np.array([0.0, 1.0, 1.0, 1.0, 1.0])
    cs = np.cumsum(mag)
    assert brightness(freqs, cs) == pytest.approx(0.5)  # 1500 Hz itself is not "above"
    assert rolloff(freqs, cs) == 3000.0  # cumsum 1,2,3,4: first >= 3.4 is the 4th line
    mag2 = np.array([0.0, 0.0, 0.0, 85.0, 15.0])
    assert rolloff(freqs, np.cumsum(mag2)) == 2000.0  # exactly 85 % counts (>=)
    assert math.isnan(brightness(freqs, np.zeros(5)))
    assert rolloff(freqs, np.zeros(5)) == 0.0


def test_zero_crossing_rate_definition():
    y = np.array([1.0, -1.0, 1.0, 0.0, -1.0, -2.0, 3.0, 0.0])
    # Strict sign changes of consecutive samples: (1,-1), (-1,1), (-2,3): 3; zeros don't count.
    assert zero_crossing_rate(y, 8.0) == pytest.approx(3 / 8 * 8 / 2)


# --- analytic signals (spec §9) -------------------------------------------------------------------


def test_sine_zcr_rolloff_brightness_centroid(sine_features):
    out = sine_features
    assert out["_Zero-crossingrate_Mean"] == pytest.approx(1000.0, abs=0.2)
    assert out["_Rolloff_Mean"] == pytest.approx(1000.0, abs=1.0)
    assert 0.0 < out["_Brightness_Mean"] < 0.05  # only window leakage lies above 1.5 kHz
    # Leakage of the Hamming sidelobes pulls the centroid a few % above f0 (oracle: 479 Hz
    # for 440 Hz); entropy is low so the MaxEntropy rule keeps it.
    assert 1000.0 < out["_Spectralcentroid_Mean"] < 1100.0
    assert out["_EntropyofSpectrum_Mean"] < 0.5
    assert out["_Spectralflatness_Mean"] < 0.02
    assert out["_Spectralskewness_Mean"] > 5 and out["_Spectralkurtosis_Mean"] > 50


def test_white_noise_matches_uniform_and_rayleigh_predictions(noise_features):
    out = noise_features
    # Rayleigh-distributed magnitudes: geometric / arithmetic mean = 2 e^(-γ/2) / sqrt(π).
    rayleigh = 2 * math.exp(-np.euler_gamma / 2) / math.sqrt(math.pi)
    assert out["_Spectralflatness_Mean"] == pytest.approx(rayleigh, abs=0.005)
    assert out["_Spectralspread_Mean"] == pytest.approx(22_050 / math.sqrt(12), rel=0.01)
    assert out["_Spectralskewness_Mean"] == pytest.approx(0.0, abs=0.02)
    assert out["_Spectralkurtosis_Mean"] == pytest.approx(1.8, abs=0.02)
    assert out["_Brightness_Mean"] == pytest.approx(1 - 1500 / 22_050, abs=0.005)
    assert out["_Rolloff_Mean"] == pytest.approx(0.85 * 22_050, rel=0.01)
    assert out["_Zero-crossingrate_Mean"] == pytest.approx(SR / 4, rel=0.01)


def test_centroid_is_nan_when_entropy_exceeds_095(noise_features):
    assert noise_features["_EntropyofSpectrum_Mean"] > 0.95
    assert math.isnan(noise_features["_Spectralcentroid_Mean"])
    # The rule belongs to the centroid only: spread etc. use the un-trimmed centroid.
    assert math.isfinite(noise_features["_Spectralspread_Mean"])


def test_silence_gives_mirtoolbox_nans():
    out = features(Clip(np.zeros(SR * 2), SR))
    for name in (
        "_Brightness_Mean",
        "_Spectralcentroid_Mean",
        "_Spectralspread_Mean",
        "_Spectralskewness_Mean",
        "_Spectralkurtosis_Mean",
        "_Spectralflatness_Mean",
    ):
        assert math.isnan(out[name]), name
    assert out["_EntropyofSpectrum_Mean"] == 0.0
    assert out["_Rolloff_Mean"] == 0.0
    assert out["_Zero-crossingrate_Mean"] == 0.0


def test_uses_the_shared_whole_clip_spectrum():
    clip = Clip(_sine(300.0, seconds=1.0), SR)
    features(clip)
    freqs, mag = clip.spectrum
    assert mag.size == 2**16 // 2 + 1  # 44100 samples -> next power of two 65536
    assert sorted(clip._memo) == ["whole_rfft", "whole_spectrum"]
