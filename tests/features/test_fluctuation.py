"""turkmood.features.fluctuation: modulation sensitivity and agreement with the oracle."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from oracle_cases import oracle_case, oracle_files

from turkmood.features.fluctuation import (
    COLUMN,
    band_matrix,
    features,
    fluctuation_matrix,
    fluctuation_strength_weight,
    spreading_matrix,
    terhardt_weight,
)
from turkmood.features.shared import Clip

SR = 44_100
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ORACLE = FIXTURES / "oracle_reference.csv"


def _noise(seconds: float = 10.0, seed: int = 5) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, 0.08, int(seconds * SR))


def test_weighting_curves():
    w = fluctuation_strength_weight(np.array([0.0, 2.0, 4.0, 10.0, 30.0]))
    np.testing.assert_allclose(w, [0.0, 0.5, 1.0, 0.7, 0.0])
    t = terhardt_weight(np.array([0.0, 100.0, 1000.0, 3300.0]))
    assert t[0] == 0.0 and t[1] < t[2] < t[3]  # DC excluded, ear most sensitive near 3.3 kHz
    s = spreading_matrix(24)
    assert s.shape == (24, 24) and np.all(np.argmax(s, axis=1) == np.arange(24))


def test_bark_bands_cover_0_to_15500_hz_at_44k():
    m = band_matrix(float(SR), 1024)
    assert m.shape == (24, 513)
    freqs = np.arange(513) * SR / 1024
    assert np.all(m[:, freqs > 15500] == 0) and np.all(m[:, 0] == 0)
    assert np.all(m[:, (freqs > 0) & (freqs <= 15500)].sum(axis=0) > 0)


def test_pattern_shape_is_modulation_bins_by_bands():
    pattern = fluctuation_matrix(_noise(), SR)
    # 8192-point FFT at 80 frames/s: bins 0 .. 10 Hz inclusive = 1025
    assert pattern.shape == (1025, 24)
    assert np.all(pattern[0] == 0)  # the resonance curve is 0 at 0 Hz


def test_am_noise_fluctuates_more_than_steady_noise():
    noise = _noise()
    t = np.arange(noise.size) / SR
    am = noise * (1 + np.sin(2 * np.pi * 4 * t))
    steady = features(Clip(noise, SR))[COLUMN]
    modulated = features(Clip(am, SR))[COLUMN]
    assert modulated > 2 * steady
    # and the energy sits at the modulation rate
    bins = np.argmax(fluctuation_matrix(am, SR).sum(axis=1))
    assert bins * 80 / 8192 == pytest.approx(4.0, abs=0.1)


@pytest.mark.parametrize("name", oracle_files())
def test_agrees_with_mirtoolbox_oracle(name):
    ref, clip = oracle_case(name)
    ours = features(clip)
    assert ours[COLUMN] == pytest.approx(float(ref[COLUMN]), rel=1e-6)
