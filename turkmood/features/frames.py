"""MIRtoolbox 1.7.1 framing (``mirframe``) and its spectrum convention (``mirspectrum``).

Framing: ``L = floor(len_s*sr)``, fractional hop ``h = hop_factor*len_s*sr`` computed before
flooring L; frame i starts at sample ``floor(i*h)``; ``n = floor((N-L)/h) + 1``; no padding.
Spectrum: symmetric Hamming window, zero-padded FFT of ``2**ceil(log2(L))`` points, magnitude,
bins ``0..Nfft/2`` (DC and Nyquist included), no normalisation. The whole-clip FFT goes through
:mod:`turkmood.features.fft` (FFTW when installed).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import scipy.fft

from turkmood.features.fft import rfft_windowed


def next_pow2(n: int) -> int:
    """Smallest power of two >= n (MIRtoolbox's ``2^nextpow2(n)``)."""
    return 1 << max(0, math.ceil(math.log2(max(n, 1))))


def frame_starts(
    n_samples: int, sr: float, length_s: float, hop_factor: float
) -> tuple[np.ndarray, int]:
    """0-based frame starts and frame length exactly as ``mirframe`` 1.7.1 computes them.

    The hop is ``hop_factor * (length_s * sr)`` (the association matters: 0.1 * 0.1 * 44100 is
    441.00000000000006 but 0.1 * 4410 is 441), the length is floored afterwards, and frame i
    starts at ``floor(i*h + 1) - 1``. A signal shorter than one frame gives no frame (MIRtoolbox
    would keep it whole as a single frame; inputs here are at least 1 s long).
    """
    length_f = length_s * sr
    hop = hop_factor * length_f
    length = int(math.floor(length_f))
    if length <= 0 or n_samples < length:
        return np.zeros(0, dtype=np.int64), length
    n_frames = int(math.floor((n_samples - length) / hop)) + 1
    starts = (np.floor(np.arange(n_frames) * hop + 1.0) - 1.0).astype(np.int64)
    return starts, length


def frame_signal(y: np.ndarray, starts: np.ndarray, length: int) -> np.ndarray:
    """Frames as a (length, n_frames) strided view-copy of ``y`` (one column per frame)."""
    if len(starts) == 0:
        return np.zeros((length, 0), dtype=y.dtype)
    idx = starts[None, :] + np.arange(length)[:, None]
    return y[idx]


@lru_cache(maxsize=16)
def hamming(length: int) -> np.ndarray:
    """Symmetric Hamming window (MATLAB ``hamming``), cached per length and read-only."""
    window = np.hamming(length)
    window.setflags(write=False)
    return window


def windowed_rfft(x: np.ndarray) -> np.ndarray:
    """Complex rfft of the Hamming-windowed signal, zero-padded to ``next_pow2`` (mirspectrum)."""
    x = np.asarray(x, dtype=float)
    return rfft_windowed(x, hamming(x.size), next_pow2(x.size))


def rfft_freqs(n_samples: int, sr: float) -> np.ndarray:
    """Bin frequencies (Hz) of :func:`windowed_rfft` for a signal of ``n_samples``."""
    n_fft = next_pow2(n_samples)
    return np.arange(n_fft // 2 + 1) * (sr / n_fft)


def magnitude_spectrum(x: np.ndarray, sr: float) -> tuple[np.ndarray, np.ndarray]:
    """Whole-signal (or per-column) MIRtoolbox spectrum: (freqs, |FFT(hamming·x, Nfft)|).

    ``x`` is 1-D (one frame) or 2-D (length, n_frames); the FFT runs along axis 0.
    """
    length = x.shape[0]
    n_fft = next_pow2(length)
    window = hamming(length)
    if x.ndim == 2:
        window = window[:, None]
    spec = np.abs(scipy.fft.rfft(x * window, n=n_fft, axis=0, workers=1))
    freqs = np.arange(n_fft // 2 + 1) * (sr / n_fft)
    return freqs, spec
