"""turkmood.features.mfcc: Auditory-Toolbox mel bank, log10, DCT ranks 1..13 (spec §3)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.fft

from turkmood.features.frames import magnitude_spectrum
from turkmood.features.mfcc import (
    COLUMNS,
    MEL_BANDS,
    dct_matrix,
    features,
    mel_bank,
    mel_edges,
    mel_log_spectrum,
    mfcc,
)
from turkmood.features.shared import Clip

SR = 44_100


def _dense_bank(sr: float, n_fft: int) -> np.ndarray:
    """The (40, bins) weight matrix written out literally from the Auditory Toolbox rules."""
    edges = mel_edges()
    lower, centre, upper = edges[:-2], edges[1:-1], edges[2:]
    f = np.arange(n_fft // 2 + 1) * (sr / n_fft)
    bank = np.zeros((MEL_BANDS, f.size))
    for j in range(MEL_BANDS):
        rise = (f > lower[j]) & (f <= centre[j])
        fall = (f > centre[j]) & (f < upper[j])
        bank[j] = (2.0 / (upper[j] - lower[j])) * (
            rise * (f - lower[j]) / (centre[j] - lower[j])
            + fall * (upper[j] - f) / (upper[j] - centre[j])
        )
    return bank


def test_band_edges():
    edges = mel_edges()
    assert edges.size == MEL_BANDS + 2
    np.testing.assert_allclose(edges[:13], 133.3333 + 66.66666666 * np.arange(13))
    np.testing.assert_allclose(edges[13:] / edges[12:-1], 1.0711703)
    assert edges[-1] == pytest.approx(edges[12] * 1.0711703**29)


@pytest.mark.parametrize(("sr", "n_fft"), [(44_100, 4096), (44_100, 65_536), (22_050, 8192)])
def test_sparse_bank_equals_dense_definition(sr, n_fft):
    mag = np.random.default_rng(5).random(n_fft // 2 + 1)
    dense = _dense_bank(sr, n_fft) @ mag
    np.testing.assert_allclose(mel_bank(sr, n_fft).apply(mag), dense, rtol=1e-12, atol=1e-15)


def test_triangles_have_unit_area():
    n_fft = 2**20
    df = SR / n_fft
    # Each row sums (times the bin width) to the triangle's area, 1.
    areas = mel_bank(SR, n_fft).apply(np.ones(n_fft // 2 + 1)) * df
    np.testing.assert_allclose(areas, 1.0, rtol=1e-3)


def test_bank_is_cached_and_read_only():
    a, b = mel_bank(SR, 8192), mel_bank(SR, 8192)
    assert a is b
    with pytest.raises(ValueError):
        a.rising[0] = 1.0


def test_dct_rows_equal_orthonormal_dct2_ranks_1_to_13():
    x = np.random.default_rng(6).normal(size=MEL_BANDS)
    np.testing.assert_allclose(dct_matrix() @ x, scipy.fft.dct(x, type=2, norm="ortho")[1:14])


def test_white_noise_gives_near_zero_coefficients():
    # Flat spectrum -> equal band values (unit-area triangles) -> constant log -> DCT(n>=1) = 0.
    noise = np.random.default_rng(7).normal(0.0, 0.1, SR * 30)
    coeffs = np.array(list(features(Clip(noise, SR)).values()))
    assert np.max(np.abs(coeffs)) < 0.01


def test_silence_gives_zero_coefficients():
    _, mag = magnitude_spectrum(np.zeros(SR), SR)
    np.testing.assert_allclose(mel_log_spectrum(mag, SR), -16.0)  # log10(0 + 1e-16)
    np.testing.assert_allclose(mfcc(mag, SR), 0.0, atol=1e-12)


def test_log10_of_band_values_plus_floors():
    _, mag = magnitude_spectrum(np.random.default_rng(8).normal(size=SR), SR)
    bands = _dense_bank(SR, 2 * (mag.size - 1)) @ mag
    np.testing.assert_allclose(mel_log_spectrum(mag, SR), np.log10(bands + 2e-16), rtol=1e-12)


def test_features_names_and_a_tone_in_one_band():
    t = np.arange(SR * 5) / SR
    out = features(Clip(0.5 * np.sin(2 * np.pi * 1000.0 * t), SR))
    assert tuple(out) == COLUMNS == tuple(f"_MFCC_Mean_{n}" for n in range(1, 14))
    # Energy concentrated in the low-middle bands gives a large positive c1 (spec: c1 ≈ 4.37).
    assert out["_MFCC_Mean_1"] > 2.0
