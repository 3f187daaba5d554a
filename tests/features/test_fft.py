"""Tests for turkmood.features.fft (FFTW through pyFFTW, scipy without it)."""

from __future__ import annotations

import importlib.util
import threading

import numpy as np
import pytest
import scipy.fft

from turkmood.features import fft


def _frames(rows: int, length: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(rows, length))


def test_batch_rfft_is_the_zero_padded_dft() -> None:
    frames = _frames(16, 1323)
    batch = fft.BatchRfft(2048, 16)
    batch.frames_of(1323)[:, :1323] = frames
    got = batch.execute()
    expected = scipy.fft.rfft(frames, n=2048, axis=1)
    assert got.shape == (16, 1025)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12 * np.abs(expected).max())
    assert np.all(batch.input[:, 1323:] == 0.0), "the transform must not touch the padding"


def test_a_frame_gets_the_same_bits_in_every_row_of_the_batch() -> None:
    """What lets a window reuse its song's frame spectra: no dependence on batch position."""
    frames = _frames(16, 1323, seed=1)
    batch = fft.BatchRfft(2048, 16)
    rows = batch.frames_of(1323)
    rows[:, :1323] = frames
    reference = batch.execute()[3].copy()
    for shift in range(1, 16):
        rows[:, :1323] = np.roll(frames, shift, axis=0)
        assert np.array_equal(batch.execute()[(3 + shift) % 16], reference)


def test_shorter_frames_get_a_zeroed_padding() -> None:
    batch = fft.BatchRfft(256, 4)
    batch.frames_of(200)[:, :200] = 1.0
    rows = batch.frames_of(150)
    assert np.all(rows[:, 150:] == 0.0)
    rows[:, :150] = _frames(4, 150, seed=2)
    np.testing.assert_allclose(
        batch.execute(), scipy.fft.rfft(rows[:, :150], n=256, axis=1), atol=1e-12
    )
    with pytest.raises(ValueError, match="does not fit"):
        batch.frames_of(257)


def test_batches_are_per_thread_and_reused() -> None:
    mine = fft.batch_rfft(512, 8)
    assert fft.batch_rfft(512, 8) is mine
    theirs = []
    thread = threading.Thread(target=lambda: theirs.append(fft.batch_rfft(512, 8)))
    thread.start()
    thread.join()
    assert theirs[0] is not mine


@pytest.mark.parametrize("n_fft", [4096, 1 << 17])  # a cached small plan and the large plan
def test_rfft_windowed_is_the_windowed_zero_padded_dft(n_fft: int) -> None:
    x = _frames(1, n_fft - 1000, seed=3)[0]
    window = np.hamming(x.size)
    expected = scipy.fft.rfft(x * window, n=n_fft)
    for _ in range(2):  # the second call reuses the plan and its buffer
        got = fft.rfft_windowed(x, window, n_fft)
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12 * np.abs(expected).max())
    shorter = x[: x.size - 5000]
    np.testing.assert_allclose(
        fft.rfft_windowed(shorter, np.hamming(shorter.size), n_fft),
        scipy.fft.rfft(shorter * np.hamming(shorter.size), n=n_fft),
        rtol=0,
        atol=1e-12 * np.abs(expected).max(),
    )


def test_without_fftw_scipy_computes_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    frames = _frames(8, 1000, seed=4)
    window = np.hanning(1000)
    with_backend = fft.BatchRfft(1024, 8)
    with_backend.frames_of(1000)[:, :1000] = frames
    fast = with_backend.execute().copy()
    whole = fft.rfft_windowed(frames[0], window, 1024)
    monkeypatch.setattr(fft, "_LOADED", None)
    monkeypatch.setattr(fft, "EXECUTE_R2C", None)
    assert fft.backend() == "scipy"
    plain = fft.BatchRfft(1024, 8)
    plain.frames_of(1000)[:, :1000] = frames
    np.testing.assert_array_equal(plain.execute(), scipy.fft.rfft(frames, n=1024, axis=1))
    np.testing.assert_allclose(plain.output, fast, rtol=0, atol=1e-12 * np.abs(fast).max())
    np.testing.assert_array_equal(
        fft.rfft_windowed(frames[0], window, 1024), scipy.fft.rfft(frames[0] * window, n=1024)
    )
    np.testing.assert_allclose(whole, scipy.fft.rfft(frames[0] * window, n=1024), atol=1e-12)


def test_the_fftw_bundled_with_pyfftw_is_found() -> None:
    """requirements.txt installs pyFFTW for its FFTW: without it the extractor is ~2x slower."""
    if importlib.util.find_spec("pyfftw") is None:
        pytest.skip("pyFFTW not installed")
    assert fft.backend() == "fftw"


def test_buffers_are_aligned_for_fftw() -> None:
    for shape in [(3,), (5, 7), (16, 1025)]:
        for dtype in (np.float64, np.complex128):
            arr = fft.aligned_empty(shape, dtype)
            assert arr.shape == shape and arr.dtype == dtype and arr.flags.c_contiguous
            assert arr.ctypes.data % fft.ALIGNMENT == 0


def test_a_new_whole_clip_size_replaces_the_plan_and_workers_can_drop_it() -> None:
    x = _frames(1, 300_000, seed=5)[0]
    for n_fft in (1 << 19, 1 << 20, 1 << 19):  # above fft._LARGE_N: the one whole-clip plan
        window = np.hamming(x.size)
        expected = scipy.fft.rfft(x * window, n=n_fft)
        got = fft.rfft_windowed(x, window, n_fft)
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12 * np.abs(expected).max())
    fft.forget_buffers()
    np.testing.assert_allclose(
        fft.rfft_windowed(x, np.hamming(x.size), 1 << 19),
        scipy.fft.rfft(x * np.hamming(x.size), n=1 << 19),
        rtol=0,
        atol=1e-12 * np.abs(expected).max(),
    )


@pytest.mark.parametrize(("n", "n_fft"), [(3, 8), (1000, 2048), (82_687, 1 << 18)])
def test_real_autocorrelation_equals_the_direct_sums(n: int, n_fft: int) -> None:
    x = _frames(1, n, seed=6)[0]
    lags = min(n, 40)
    got = fft.real_autocorrelation(x, n_fft, lags)
    expected = np.array([np.dot(x[: n - k], x[k:]) for k in range(lags)])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12 * np.abs(expected).max())
