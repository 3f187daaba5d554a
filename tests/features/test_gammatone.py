"""Tests for turkmood.features.gammatone (the O3 bank and smoothing recursions = scipy's)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from turkmood.features import gammatone
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
    sums, zf = gammatone.gammatone_block_sums(bank, x, weights, n_blocks)
    for ch, sos in enumerate(bank):
        band, states = signal.sosfilt(sos, x[: n_blocks * 16], zi=np.zeros((4, 2)))
        assert np.array_equal(zf[ch], states)
        assert np.array_equal(sums[ch], _sequential_block_sums(np.abs(band), weights, n_blocks))


def test_generic_stable_cascade_matches_sosfilt() -> None:
    sos = signal.butter(8, [300.0, 3000.0], btype="bandpass", fs=SR, output="sos")[None, :4]
    x = np.random.default_rng(2).normal(size=5008)
    weights = np.ones((2, 16))
    sums, zf = gammatone.gammatone_block_sums(sos, x, weights, 313)
    band, states = signal.sosfilt(sos[0], x, zi=np.zeros((4, 2)))
    assert np.array_equal(zf[0], states)
    assert np.array_equal(sums[0], _sequential_block_sums(np.abs(band), weights, 313))


def test_other_shapes_use_sosfilt() -> None:
    x = np.random.default_rng(3).normal(size=2000)
    sos2 = signal.butter(4, 1000.0, fs=SR, output="sos")[None]  # 2 sections: not the kernel's
    sums, zf = gammatone.gammatone_block_sums(sos2, x, np.ones((2, 16)), 125)
    band, states = signal.sosfilt(sos2[0], x, zi=np.zeros((2, 2)))
    assert np.array_equal(zf[0], states)
    np.testing.assert_allclose(
        sums[0], _sequential_block_sums(np.abs(band), np.ones((2, 16)), 125), rtol=1e-13
    )


@pytest.mark.parametrize("n_channels", [10, 4, 3, 1])
def test_gammatone_bank_block_sums_are_sosfilt_summed_in_order(n_channels: int) -> None:
    """Four channels per vector, each with sosfilt's bits: sums equal a sequential Python sum
    of |sosfilt| (same products, same order), states equal scipy's final states."""
    x = np.random.default_rng(8).normal(0.0, 0.1, 1700)
    x[300:700] = 0.0
    sos = erb_filterbank_sos(SR, O3_CHANNELS, O3_LOWEST_HZ)[:n_channels]
    weights = np.random.default_rng(9).random((2, 16))
    n_blocks = 100  # 1600 of the 1700 samples
    sums, zf = gammatone.gammatone_block_sums(sos, x, weights, n_blocks)
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
    numpy_path, numpy_zf = gammatone.gammatone_block_sums(sos, x, weights, n_blocks, compiled=False)
    assert np.array_equal(numpy_zf, zf)
    np.testing.assert_allclose(numpy_path, sums, rtol=1e-13, atol=0.0)


def test_gammatone_bank_states_continue_the_filter_exactly() -> None:
    x = np.random.default_rng(10).normal(size=3000)
    sos = erb_filterbank_sos(SR, O3_CHANNELS, O3_LOWEST_HZ)
    _, zf = gammatone.gammatone_block_sums(sos, x, np.ones((2, 16)), 150)
    for ch in (0, 9):
        rest = signal.sosfilt(sos[ch], x[2400:], zi=zf[ch])[0]
        assert np.array_equal(rest, signal.sosfilt(sos[ch], x)[2400:])
    empty, zero = gammatone.gammatone_block_sums(sos, x, np.ones((2, 16)), 0)
    assert empty.shape == (10, 2, 0) and np.all(zero == 0.0)
    with pytest.raises(ValueError, match="more blocks"):
        gammatone.gammatone_block_sums(sos, x, np.ones((2, 16)), 188)


def test_block_recursions_are_lfilter_bit_for_bit() -> None:
    rng = np.random.default_rng(11)
    sums, extra, f_prev = rng.random((3, 2, 500)), rng.random((3, 2, 1)), rng.random(3)
    g, f_last = gammatone.block_forward(sums, extra, f_prev, 0.7, 0.95)
    g_ref, f_ref = gammatone.block_forward(sums, extra, f_prev, 0.7, 0.95, compiled=False)
    assert np.array_equal(g, g_ref) and np.array_equal(f_last, f_ref)
    assert g.shape == (3, 501)
    y_next = rng.random(3)
    out, ref = np.full((3, 502), 5.0), np.full((3, 502), 5.0)
    gammatone.block_backward(g, 0.1, 0.95, y_next, out)
    gammatone.block_backward(g, 0.1, 0.95, y_next, ref, compiled=False)
    assert np.array_equal(out, ref)
    assert np.all(out[:, 501] == 5.0)  # only the first g.shape[1] columns are written
    np.testing.assert_allclose(out[:, 500], 0.1 * g[:, 500] + 0.95 * y_next, rtol=1e-15)


def test_a_read_only_signal_uses_the_one_compiled_bank_kernel() -> None:
    """A read-only signal (e.g. a mapped file) gives the same bits and compiles no second
    specialisation (which numba would build without the SLP vectoriser)."""
    x = np.random.default_rng(3).normal(0.0, 0.1, 1700)
    sos = erb_filterbank_sos(SR, O3_CHANNELS, O3_LOWEST_HZ)
    weights = np.random.default_rng(4).random((2, 16))
    writable = gammatone.gammatone_block_sums(sos, x, weights, 100)
    frozen = x.copy()
    frozen.flags.writeable = False
    read_only = gammatone.gammatone_block_sums(sos, frozen, weights, 100)
    assert all(np.array_equal(a, b) for a, b in zip(writable, read_only, strict=True))
    assert len(gammatone._bank_kernel().signatures) == 1
