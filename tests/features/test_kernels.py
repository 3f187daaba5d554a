"""Tests for turkmood.features.kernels (compiled loops = their numpy/scipy definitions)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from turkmood.features import kernels
from turkmood.features.onsets import O3_CHANNELS, O3_LOWEST_HZ, erb_filterbank_sos

SR = 44_100


@pytest.mark.parametrize("sr", [SR, 48_000, 22_050])
def test_gammatone_cascade_is_bit_identical_to_sosfilt(sr: int) -> None:
    """Every O3 channel: same bits as scipy's sosfilt (same operations, same order)."""
    x = np.random.default_rng(1).normal(0.0, 0.1, sr // 2)
    x[1000:3000] = 0.0  # a silent stretch (states decaying towards subnormals)
    for sos in erb_filterbank_sos(sr, O3_CHANNELS, O3_LOWEST_HZ):
        got = kernels.cascade_abs(sos, x)
        assert np.array_equal(got, np.abs(signal.sosfilt(sos, x)))


def test_generic_stable_cascade_matches_sosfilt() -> None:
    sos = signal.butter(8, [300.0, 3000.0], btype="bandpass", fs=SR, output="sos")[:4]
    x = np.random.default_rng(2).normal(size=5000)
    assert np.array_equal(kernels.cascade_abs(sos, x), np.abs(signal.sosfilt(sos, x)))


def test_fallback_path_and_other_shapes_use_sosfilt() -> None:
    x = np.random.default_rng(3).normal(size=2000)
    sos4 = erb_filterbank_sos(SR, O3_CHANNELS, O3_LOWEST_HZ)[0]
    scipy_path = kernels.cascade_abs(sos4, x, compiled=False)
    assert np.array_equal(scipy_path, kernels.cascade_abs(sos4, x))
    sos2 = signal.butter(4, 1000.0, fs=SR, output="sos")  # 2 sections: not the kernel's shape
    assert np.array_equal(kernels.cascade_abs(sos2, x), np.abs(signal.sosfilt(sos2, x)))


def test_pair_sums_match_the_matrix_product_including_empty_and_single_frames() -> None:
    rng = np.random.default_rng(4)
    n_bins = 300
    table = np.triu(rng.random((n_bins, n_bins)), k=1)
    counts = [0, 1, 2, 5, 0, 120, 1, 37]
    bins = np.concatenate([np.sort(rng.choice(n_bins, c, replace=False)) for c in counts])
    amps = rng.random(bins.size)
    bounds = np.concatenate(([0], np.cumsum(counts)))
    got = kernels.pair_sums(bounds, bins, amps, table)
    assert got.shape == (len(counts),)
    for k in range(len(counts)):
        b, v = bins[bounds[k] : bounds[k + 1]], amps[bounds[k] : bounds[k + 1]]
        expected = v @ table[np.ix_(b, b)] @ v
        assert got[k] == pytest.approx(expected, rel=1e-12, abs=0.0)
    assert got[0] == got[1] == got[4] == got[6] == 0.0
    np.testing.assert_allclose(
        kernels.pair_sums(bounds, bins, amps, table, compiled=False), got, rtol=1e-12, atol=0.0
    )


def test_window_frames_into_equals_the_numpy_gather_and_keeps_the_padding() -> None:
    y = np.random.default_rng(5).normal(size=3000)
    starts = np.array([0, 26, 52, 79, 1600, 1677])
    window = np.hanning(1323)
    got = np.full((len(starts), 2048), 7.0)
    kernels.window_frames_into(y, starts, window, got)
    expected = np.stack([y[s : s + 1323] * window for s in starts])
    assert np.array_equal(got[:, :1323], expected)
    assert np.all(got[:, 1323:] == 7.0)
    numpy_path = np.full_like(got, 7.0)
    kernels.window_frames_into(y, starts, window, numpy_path, compiled=False)
    assert np.array_equal(numpy_path, got)


def test_abs_row_sums_match_numpy_and_ignore_the_rows_past_n() -> None:
    rng = np.random.default_rng(6)
    spec = rng.normal(size=(16, 1025)) + 1j * rng.normal(size=(16, 1025))
    spec[2] = 0.0  # a silent frame sums to exactly 0
    out = np.full(16, -1.0)
    kernels.abs_row_sums(spec, 12, out)
    expected = np.abs(spec[:12]).sum(axis=1)
    np.testing.assert_allclose(out[:12], expected, rtol=1e-14, atol=0.0)
    assert out[2] == 0.0
    assert np.all(out[12:] == -1.0)
    numpy_path = np.full(16, -1.0)
    kernels.abs_row_sums(spec, 12, numpy_path, compiled=False)
    np.testing.assert_array_equal(numpy_path[:12], expected)
    assert np.all(numpy_path[12:] == -1.0)


def test_abs_row_sum_of_a_row_does_not_depend_on_its_neighbours() -> None:
    rng = np.random.default_rng(7)
    spec = rng.normal(size=(8, 1025)) + 1j * rng.normal(size=(8, 1025))
    out = np.empty(8)
    kernels.abs_row_sums(spec, 8, out)
    moved = np.ascontiguousarray(np.roll(spec, 3, axis=0))
    again = np.empty(8)
    kernels.abs_row_sums(moved, 8, again)
    assert np.array_equal(np.roll(out, 3), again)
