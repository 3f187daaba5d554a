"""turkmood.features.roughness: Sethares pair sums on tones and agreement with the oracle."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from oracle_cases import oracle_case, oracle_files

from turkmood.features.peaks import find_peaks
from turkmood.features.roughness import (
    COLUMNS,
    features,
    frame_spectra,
    global_contrast_peaks,
    pair_roughness,
    plomp,
    roughness_curve,
)
from turkmood.features.shared import Clip

SR = 44_100
N_FFT = 4096  # next_pow2(0.05 s * 44.1 kHz = 2205)
L = 2205
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ORACLE = FIXTURES / "oracle_reference.csv"


def _tones(freqs: tuple[float, ...], amp: float, seconds: float = 2.0) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return sum(amp * np.sin(2 * np.pi * f * t) for f in freqs)


def test_plomp_curve_values():
    # spec §9: s = 0.24/(0.0207*440 + 18.96), s*100 = 0.8551 -> e^-3.0014 - e^-4.9168 = 0.0424
    assert plomp(np.array(440.0), np.array(540.0)) == pytest.approx(0.0424, abs=1e-4)
    assert plomp(np.array(540.0), np.array(440.0)) == plomp(np.array(440.0), np.array(540.0))
    assert plomp(np.array(500.0), np.array(500.0)) == 0.0
    assert plomp(np.array(440.0), np.array(3000.0)) < 1e-6  # far beyond the critical band


def test_two_tones_give_v1_v2_times_plomp():
    df = SR / N_FFT
    f1, f2 = 41 * df, 50 * df  # bin-centred: 441.4 and 538.3 Hz
    amp = 0.25
    curve, _ = roughness_curve(_tones((f1, f2), amp), SR)
    # peak magnitude of a bin-centred sine: amp/2 * sum(hamming) = amp/2 * (0.54 L - 0.46)
    v = amp / 2 * (0.54 * L - 0.46)
    expected = v * v * float(plomp(np.array(f1), np.array(f2)))
    np.testing.assert_allclose(curve, expected, rtol=0.01)


def test_roughness_scales_with_amplitude_squared():
    y = _tones((440.0, 470.0), 0.1)
    low, _ = roughness_curve(y, SR)
    high, _ = roughness_curve(3 * y, SR)
    np.testing.assert_allclose(high, 9 * low, rtol=1e-9)


def test_single_tone_is_smooth_zero_with_nan_slope():
    out = features(Clip(_tones((440.0,), 0.5), SR))
    assert list(out) == list(COLUMNS)
    assert out["_Roughness_Mean"] == 0.0
    assert math.isnan(out["_Roughness_Slope"])  # constant curve: Std = 0 -> NaN


def test_rising_roughness_gives_positive_slope():
    # second tone fades in: roughness grows along the clip
    t = np.arange(4 * SR) / SR
    y = 0.3 * np.sin(2 * np.pi * 440 * t) + 0.3 * (t / t[-1]) * np.sin(2 * np.pi * 480 * t)
    out = features(Clip(y, SR))
    # not a perfect ramp (the faint start is below the 1 % peak contrast), so below sqrt(3)/2
    assert 0.5 < out["_Roughness_Slope"] < 0.87


def _reference_peaks(curves: np.ndarray, contrast: float) -> list[tuple[int, int]]:
    """(curve, index) pairs from the one-curve-at-a-time mirpeaks port."""
    found = find_peaks(curves.T, contrast=contrast, normalize="global")
    return sorted((k, int(i)) for k, p in enumerate(found) for i in p.index)


@pytest.mark.parametrize("compiled", [True, False])
def test_lockstep_peak_scan_equals_the_mirpeaks_port_on_random_curves(compiled):
    rng = np.random.default_rng(7)
    for _ in range(150):
        curves = rng.random((rng.integers(1, 30), rng.integers(1, 40))) ** rng.integers(1, 6)
        if rng.random() < 0.3:
            curves = np.round(curves, 1)  # plateaus and ties
        contrast = float(rng.choice([0.01, 0.05, 0.1, 0.3]))
        row, idx = global_contrast_peaks(curves, contrast, compiled)
        assert list(zip(row.tolist(), idx.tolist(), strict=True)) == _reference_peaks(
            curves, contrast
        )


@pytest.mark.parametrize("compiled", [True, False])
def test_lockstep_peak_scan_equals_the_mirpeaks_port_on_music_spectra(compiled):
    y, sr = sf.read(FIXTURES / "audio" / "mus_wesnoth_sad.flac", always_2d=True)
    _, spec, _ = frame_spectra(y.mean(axis=1)[: 5 * sr], sr)
    row, idx = global_contrast_peaks(spec, 0.01, compiled)
    assert row.size > 1000
    assert list(zip(row.tolist(), idx.tolist(), strict=True)) == _reference_peaks(spec, 0.01)


def test_vectorised_pair_sums_equal_per_frame_sums():
    freqs, spec, _ = frame_spectra(_tones((300.0, 320.0, 450.0), 0.2, 0.5), SR)
    row, idx = global_contrast_peaks(spec, 0.01)
    curve, _ = roughness_curve(_tones((300.0, 320.0, 450.0), 0.2, 0.5), SR)
    for k in range(spec.shape[0]):
        sel = idx[row == k]
        assert curve[k] == pytest.approx(pair_roughness(freqs[sel], spec[k, sel]), rel=1e-12)


@pytest.mark.parametrize("name", oracle_files())
def test_agrees_with_mirtoolbox_oracle(name):
    ref, clip = oracle_case(name)
    ours = features(clip)
    for column in COLUMNS:
        assert ours[column] == pytest.approx(float(ref[column]), rel=1e-6, abs=1e-9, nan_ok=True), (
            column
        )
