"""Tests for turkmood.features.kernels (compiled loops = their numpy/scipy definitions)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from turkmood.features import kernels
from turkmood.features.onsets import O3_CHANNELS, O3_LOWEST_HZ, erb_filterbank_sos

SR = 44_100


def _sequential_block_sums(band: np.ndarray, weights: np.ndarray, n_blocks: int) -> np.ndarray:
    """(2, n_blocks) sums of ``weights[i, k] * band[m*16 + k]`` added in k order (element-wise
    numpy operations: the same IEEE operations as a scalar loop)."""
    blocks = band[: n_blocks * 16].reshape(n_blocks, 16)
    out = np.zeros((2, n_blocks))
    for k in range(16):
        out = out + weights[:, k : k + 1] * blocks[:, k]
    return out


@pytest.mark.parametrize("sr", [SR, 48_000, 22_050])
def test_gammatone_bank_is_bit_identical_to_sosfilt(sr: int) -> None:
    """Every O3 channel: same bits as scipy's sosfilt (same operations, same order)."""
    x = np.random.default_rng(1).normal(0.0, 0.1, sr // 2)
    x[1000:3000] = 0.0  # a silent stretch (states decaying towards subnormals)
    bank = erb_filterbank_sos(sr, O3_CHANNELS, O3_LOWEST_HZ)
    weights = np.random.default_rng(0).random((2, 16))
    n_blocks = x.size // 16
    sums, zf = kernels.gammatone_block_sums(bank, x, weights, n_blocks)
    for ch, sos in enumerate(bank):
        band, states = signal.sosfilt(sos, x[: n_blocks * 16], zi=np.zeros((4, 2)))
        assert np.array_equal(zf[ch], states)
        assert np.array_equal(sums[ch], _sequential_block_sums(np.abs(band), weights, n_blocks))


def test_generic_stable_cascade_matches_sosfilt() -> None:
    sos = signal.butter(8, [300.0, 3000.0], btype="bandpass", fs=SR, output="sos")[None, :4]
    x = np.random.default_rng(2).normal(size=5008)
    weights = np.ones((2, 16))
    sums, zf = kernels.gammatone_block_sums(sos, x, weights, 313)
    band, states = signal.sosfilt(sos[0], x, zi=np.zeros((4, 2)))
    assert np.array_equal(zf[0], states)
    assert np.array_equal(sums[0], _sequential_block_sums(np.abs(band), weights, 313))


def test_other_shapes_use_sosfilt() -> None:
    x = np.random.default_rng(3).normal(size=2000)
    sos2 = signal.butter(4, 1000.0, fs=SR, output="sos")[None]  # 2 sections: not the kernel's
    sums, zf = kernels.gammatone_block_sums(sos2, x, np.ones((2, 16)), 125)
    band, states = signal.sosfilt(sos2[0], x, zi=np.zeros((2, 2)))
    assert np.array_equal(zf[0], states)
    np.testing.assert_allclose(
        sums[0], _sequential_block_sums(np.abs(band), np.ones((2, 16)), 125), rtol=1e-13
    )


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


@pytest.mark.parametrize("n_channels", [10, 4, 3, 1])
def test_gammatone_bank_block_sums_are_sosfilt_summed_in_order(n_channels: int) -> None:
    """Four channels per vector, each with sosfilt's bits: sums equal a sequential Python sum
    of |sosfilt| (same products, same order), states equal scipy's final states."""
    x = np.random.default_rng(8).normal(0.0, 0.1, 1700)
    x[300:700] = 0.0
    sos = erb_filterbank_sos(SR, O3_CHANNELS, O3_LOWEST_HZ)[:n_channels]
    weights = np.random.default_rng(9).random((2, 16))
    n_blocks = 100  # 1600 of the 1700 samples
    sums, zf = kernels.gammatone_block_sums(sos, x, weights, n_blocks)
    assert sums.shape == (n_channels, 2, n_blocks) and zf.shape == (n_channels, 4, 2)
    for ch in range(n_channels):
        band, states = signal.sosfilt(sos[ch], x[:1600], zi=np.zeros((4, 2)))
        band = np.abs(band)
        assert np.array_equal(zf[ch], states)
        for i in range(2):
            for m in (0, 1, 37, 99):
                expected = 0.0
                for k in range(16):
                    expected += weights[i, k] * band[m * 16 + k]
                assert sums[ch, i, m] == expected
    numpy_path, numpy_zf = kernels.gammatone_block_sums(sos, x, weights, n_blocks, compiled=False)
    assert np.array_equal(numpy_zf, zf)
    np.testing.assert_allclose(numpy_path, sums, rtol=1e-13, atol=0.0)


def test_gammatone_bank_states_continue_the_filter_exactly() -> None:
    x = np.random.default_rng(10).normal(size=3000)
    sos = erb_filterbank_sos(SR, O3_CHANNELS, O3_LOWEST_HZ)
    _, zf = kernels.gammatone_block_sums(sos, x, np.ones((2, 16)), 150)
    for ch in (0, 9):
        rest = signal.sosfilt(sos[ch], x[2400:], zi=zf[ch])[0]
        assert np.array_equal(rest, signal.sosfilt(sos[ch], x)[2400:])
    empty, zero = kernels.gammatone_block_sums(sos, x, np.ones((2, 16)), 0)
    assert empty.shape == (10, 2, 0) and np.all(zero == 0.0)
    with pytest.raises(ValueError, match="more blocks"):
        kernels.gammatone_block_sums(sos, x, np.ones((2, 16)), 188)


def test_block_recursions_are_lfilter_bit_for_bit() -> None:
    rng = np.random.default_rng(11)
    sums, extra, f_prev = rng.random((3, 2, 500)), rng.random((3, 2, 1)), rng.random(3)
    g, f_last = kernels.block_forward(sums, extra, f_prev, 0.7, 0.95)
    g_ref, f_ref = kernels.block_forward(sums, extra, f_prev, 0.7, 0.95, compiled=False)
    assert np.array_equal(g, g_ref) and np.array_equal(f_last, f_ref)
    assert g.shape == (3, 501)
    y_next = rng.random(3)
    out, ref = np.full((3, 502), 5.0), np.full((3, 502), 5.0)
    kernels.block_backward(g, 0.1, 0.95, y_next, out)
    kernels.block_backward(g, 0.1, 0.95, y_next, ref, compiled=False)
    assert np.array_equal(out, ref)
    assert np.all(out[:, 501] == 5.0)  # only the first g.shape[1] columns are written
    np.testing.assert_allclose(out[:, 500], 0.1 * g[:, 500] + 0.95 * y_next, rtol=1e-15)


def test_normalised_frames_equal_numpy_bit_for_bit_and_constant_frames_are_nan() -> None:
    y = np.random.default_rng(12).normal(size=4000)
    y[3000:] = 0.25  # a constant stretch: 0/0
    starts = np.array([0, 17, 1500, 3100])
    window = np.hamming(800)
    got = np.full((4, 1024), 3.0)
    kernels.normalised_frames_into(y, starts, window, got)
    for row, s in zip(got, starts, strict=True):
        frame = y[s : s + 800]
        with np.errstate(invalid="ignore"):
            expected = (frame - frame.min()) / (frame.max() - frame.min()) * window
        np.testing.assert_array_equal(row[:800], expected)
        assert np.all(row[800:] == 3.0)
    assert np.all(np.isnan(got[3, :800]))
    numpy_path = np.full((4, 1024), 3.0)
    kernels.normalised_frames_into(y, starts, window, numpy_path, compiled=False)
    np.testing.assert_array_equal(numpy_path, got)


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
