"""Fluctuation strength as ``mirfluctuation`` computes it in MIRtoolbox 1.7.1 (Pampalk style).

``_Fluctuation_Mean`` is ``mirfluctuation(a)`` without 'Summary', exported by ``mirexport``,
which averages the whole (modulation bins x Bark bands) matrix into one number:

1. Frames of 0.023 s (L = 1014 at 44.1 kHz) at 80 frames/s (fractional hop sr/80), Hamming
   window, FFT of next_pow2(L) points (``mirspectrum`` defaults), power ``|X|^2``.
2. Terhardt outer-ear weighting (squared; 0 at DC).
3. Sum into the Bark bands of Zwicker & Fastl (upper edges 100 ... 15500 Hz; bins above the
   last edge below Nyquist are dropped), then the Schroeder spreading (masking) matrix.
4. ``10*log10(. + 1e-16)`` (no floor).
5. Per band, ``|FFT|`` of the dB series along time: no window, no mean removal, zero-padded to
   ``next_pow2(max(n_frames, 80/0.01))`` points; bins 0 .. first bin >= 10 Hz.
6. Divide by the analysed duration (first frame start to last frame end, in s) and multiply by
   the fluctuation-strength curve ``max(0, min(f/4, 1 - 0.3 (f-4)/6))``.
7. Mean over all bins and bands.

Because the DC is not removed and the series is zero-padded, each band's dB level leaks into
every modulation bin: the value depends on input gain and clip length, as in MIRtoolbox.
"""

from __future__ import annotations

import functools

import numpy as np
import scipy.fft

from turkmood.constants import (
    FLUCTUATION_FRAME_RATE_HZ,
    FLUCTUATION_FRAME_S,
    FLUCTUATION_MAX_HZ,
    FLUCTUATION_MIN_RES_HZ,
)
from turkmood.features import fft
from turkmood.features.fft import batch_rfft
from turkmood.features.frames import hamming, next_pow2
from turkmood.features.kernels import fft_magnitudes, window_frames_into
from turkmood.features.shared import Clip

COLUMN = "_Fluctuation_Mean"
#: Frames per FFT batch (32 x 1024 doubles = 256 kB stay in cache).
_FFT_BATCH = 32

#: Upper edges (Hz) of the critical bands (Zwicker & Fastl 1999, via Pampalk's MA toolbox).
BARK_UPPER_HZ = np.array(
    [100, 200, 300, 400, 510, 630, 770, 920, 1080, 1270, 1480, 1720, 2000, 2320, 2700, 3150,
     3700, 4400, 5300, 6400, 7700, 9500, 12000, 15500],
    dtype=float,
)  # fmt: skip


def terhardt_weight(freqs: np.ndarray) -> np.ndarray:
    """Squared Terhardt outer-ear weight per frequency (Hz); 0 for the first (DC) bin."""
    w = np.zeros_like(freqs, dtype=float)
    khz = freqs[1:] / 1000.0
    db = -3.64 * khz**-0.8 + 6.5 * np.exp(-0.6 * (khz - 3.3) ** 2) - 0.001 * khz**4
    w[1:] = (10.0 ** (db / 20.0)) ** 2
    return w


@functools.lru_cache(maxsize=8)
def band_matrix(sr: float, n_fft: int) -> np.ndarray:
    """(bands, bins) matrix: Terhardt-weighted Bark band sums followed by the spreading mask."""
    freqs = sr / 2.0 * np.linspace(0.0, 1.0, n_fft // 2 + 1)
    above = np.flatnonzero(BARK_UPPER_HZ > sr / 2.0)
    n_bands = min(int(above[0]) + 1 if above.size else BARK_UPPER_HZ.size, BARK_UPPER_HZ.size)
    groups = np.zeros((n_bands, freqs.size))
    lower = 0
    for band in range(n_bands):
        upper = int(np.searchsorted(freqs, BARK_UPPER_HZ[band], side="right"))
        groups[band, lower:upper] = 1.0
        lower = max(lower, upper)
    return spreading_matrix(n_bands) @ (groups * terhardt_weight(freqs))


def spreading_matrix(n_bands: int) -> np.ndarray:
    """Schroeder et al. (1979) spreading function, S[i, j] for band i receiving from band j."""
    d = np.arange(n_bands)[:, None] - np.arange(n_bands)[None, :] + 0.474
    return 10.0 ** ((15.81 + 7.5 * d - 17.5 * np.sqrt(1.0 + d**2)) / 10.0)


def fluctuation_strength_weight(freqs: np.ndarray) -> np.ndarray:
    """Fluctuation-strength resonance curve: rises to 1 at 4 Hz, then falls linearly."""
    return np.maximum(0.0, np.minimum(freqs / 4.0, 1.0 - 0.3 * (freqs - 4.0) / 6.0))


def _frame_power(y: np.ndarray, starts: np.ndarray, length: int, n_fft: int) -> np.ndarray:
    """(frames, bins) |FFT|^2 of the Hamming-windowed frames, in cache-sized batches."""
    batch = batch_rfft(n_fft, _FFT_BATCH)
    rows = batch.frames_of(length)
    window = hamming(length)
    if fft.EXECUTE_R2C is not None:  # one call without the GIL
        power = fft_magnitudes(
            fft.EXECUTE_R2C, batch.plan, y, starts, window, rows, batch.output, 0, n_fft // 2 + 1
        )
        if power is not None:
            return np.square(power, out=power)
    power = np.empty((len(starts), n_fft // 2 + 1))
    for b in range(0, len(starts), _FFT_BATCH):
        chunk = starts[b : b + _FFT_BATCH]
        window_frames_into(y, chunk, window, rows)
        out = power[b : b + len(chunk)]
        np.abs(batch.execute()[: len(chunk)], out=out)
        np.square(out, out=out)
    return power


def fluctuation_matrix(y: np.ndarray, sr: float) -> np.ndarray:
    """(modulation bins, Bark bands) fluctuation pattern of a mono signal."""
    starts, length = _frame_grid(len(y), sr)
    if len(starts) == 0:
        return np.zeros((0, 0))
    n_fft = next_pow2(length)
    power = _frame_power(np.ascontiguousarray(y, dtype=float), starts, length, n_fft)
    bands_db = 10.0 * np.log10(power @ band_matrix(float(sr), n_fft).T + 1e-16)  # (frames, bands)

    n_mod = next_pow2(max(len(starts), FLUCTUATION_FRAME_RATE_HZ / FLUCTUATION_MIN_RES_HZ))
    mod_freqs = FLUCTUATION_FRAME_RATE_HZ / 2.0 * np.linspace(0.0, 1.0, n_mod // 2 + 1)
    reach = np.flatnonzero(mod_freqs >= FLUCTUATION_MAX_HZ)
    n_keep = int(reach[0]) + 1 if reach.size else mod_freqs.size
    spectrum = np.abs(scipy.fft.rfft(bands_db, n=n_mod, axis=0)[:n_keep])
    duration = (starts[-1] + length - 1) / sr  # first frame start (t = 0) to last frame end
    weight = fluctuation_strength_weight(mod_freqs[:n_keep])
    return spectrum / duration * weight[:, None]


def _frame_grid(n_samples: int, sr: float) -> tuple[np.ndarray, int]:
    """``mirframe(x, 0.023, 's', 80, 'Hz')``: L = floor(0.023 sr), hop exactly sr/80 samples."""
    length = int(np.floor(FLUCTUATION_FRAME_S * sr))
    hop = sr / FLUCTUATION_FRAME_RATE_HZ
    if n_samples < length:
        return np.zeros(0, dtype=np.int64), length
    n_frames = int(np.floor((n_samples - length) / hop)) + 1
    # MATLAB's 1-based start floor(i*h + 1), shifted to 0-based
    return (np.floor(np.arange(n_frames) * hop + 1.0) - 1.0).astype(np.int64), length


def features(clip: Clip) -> dict[str, float]:
    """``_Fluctuation_Mean``: mean of the whole fluctuation pattern (mirexport averaging)."""
    pattern = fluctuation_matrix(clip.y, clip.sr)
    return {COLUMN: float(pattern.mean()) if pattern.size else float("nan")}
