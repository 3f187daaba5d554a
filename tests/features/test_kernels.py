"""Tests for turkmood.features.kernels (compiled loops = their numpy/scipy definitions)."""

from __future__ import annotations

import numpy as np
import pytest

from turkmood.features import kernels

SR = 44_100


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


def test_normalised_frames_equal_numpy_bit_for_bit_and_constant_frames_are_nan() -> None:
    y = np.random.default_rng(12).normal(size=4000)
    y[3000:] = 0.25  # a constant stretch: 0/0
    starts = np.array([0, 17, 1500, 3100])
    window = np.hamming(800)
    got = np.full((4, 1024), 3.0)
    kernels.normalised_frames_into(y, starts, window, got)
    for row, s in zip(got, starts, strict=True):
        frame = y[s : s + 800]
        with np.errstate(invalid="ignore", divide="ignore"):
            expected = (frame - frame.min()) * (1.0 / (frame.max() - frame.min())) * window
        np.testing.assert_array_equal(row[:800], expected)
        assert np.all(row[800:] == 3.0)
    assert np.all(np.isnan(got[3, :800]))
    numpy_path = np.full((4, 1024), 3.0)
    kernels.normalised_frames_into(y, starts, window, numpy_path, compiled=False)
    np.testing.assert_array_equal(numpy_path, got)


def test_frame_extrema_equal_each_frames_min_and_max() -> None:
    """Overlapping, irregular and nested frames: the piecewise extrema are the frames' own."""
    y = np.random.default_rng(13).normal(size=5000)
    starts = np.array([0, 3, 40, 41, 999, 1000, 2500, 4100])
    lo, hi = kernels.frame_extrema(y, starts, 900)
    np.testing.assert_array_equal(lo, [y[s : s + 900].min() for s in starts])
    np.testing.assert_array_equal(hi, [y[s : s + 900].max() for s in starts])
    empty = kernels.frame_extrema(y, np.zeros(0, dtype=np.int64), 900)
    assert empty[0].size == empty[1].size == 0


def test_frame_magnitudes_in_one_call_match_one_numpy_step_per_batch() -> None:
    """Roughness, fluctuation and HCDF frame spectra: the GIL-free loop agrees with the
    Python loop (same FFTW plan; sqrt(re^2 + im^2) vs numpy's complex abs: within an ulp)."""
    from turkmood.features import chroma, fft, fluctuation, roughness
    from turkmood.features.frames import frame_starts

    if fft.EXECUTE_R2C is None:
        pytest.skip("FFTW not installed: only the Python loop runs")
    t = np.arange(3 * SR) / SR
    y = np.sin(2 * np.pi * 440 * t) + 0.1 * np.random.default_rng(14).normal(size=t.size)
    starts, length = frame_starts(y.size, SR, 0.743, 0.1)
    compiled = (
        roughness.frame_spectra(y, SR)[1],
        fluctuation.fluctuation_matrix(y, SR),
        chroma.chromagram_frames(y, SR, starts, length),
    )
    patch = pytest.MonkeyPatch()
    for module in (roughness, fluctuation, chroma):
        patch.setattr(module, "fft_magnitudes", lambda *args, **kwargs: None)
    try:
        loops = (
            roughness.frame_spectra(y, SR)[1],
            fluctuation.fluctuation_matrix(y, SR),
            chroma.chromagram_frames(y, SR, starts, length),
        )
    finally:
        patch.undo()
    for got, expected in zip(compiled, loops, strict=True):
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-14, atol=1e-12)
