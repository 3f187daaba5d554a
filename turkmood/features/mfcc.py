"""``_MFCC_Mean_1..13``: whole-clip MFCC (MIRtoolbox 1.7.1 ``mirmfcc``).

``mirmfcc(a)`` = ``mirspectrum(a, 'Mel', 'log', 'Bands', 40)`` followed by a DCT:

1. the whole-clip magnitude spectrum ``clip.spectrum`` (Hamming, FFT zero-padded to 2**k);
2. 40 triangular bands after Slaney's Auditory Toolbox: band edges 133.3333 Hz + k·66.66666666 Hz
   for the 13 linear bands, then ×1.0711703 per step for the 27 logarithmic ones; band j spans
   edges (j, j+1, j+2), height 2/(upper-lower) (unit area); a bin counts on the rising side when
   lower < f <= centre and on the falling side when centre < f < upper;
3. band value = sum(weight · magnitude) + 1e-16 (left at exactly 0 when the whole spectrum is 0);
4. log10(value + 1e-16);
5. DCT rows n = 1..13 (no c0): sqrt(2/40) · cos(n (2k+1) π / 80), k = 0..39; no liftering, no
   pre-emphasis.

The filterbank is sparse (each bin lies in at most two triangles), so it is stored per (sr, nfft)
as a band index and two weights per bin instead of a 40 × 1M matrix.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from turkmood.features.shared import Clip

MEL_BANDS = 40
MEL_LINEAR_BANDS = 13
MEL_LOWEST_HZ = 133.3333
MEL_LINEAR_SPACING_HZ = 66.66666666
MEL_LOG_SPACING = 1.0711703
MFCC_RANKS = tuple(range(1, 14))
#: Floor added by MIRtoolbox after the filterbank and again inside the log.
MEL_FLOOR = 1e-16

COLUMNS: tuple[str, ...] = tuple(f"_MFCC_Mean_{n}" for n in MFCC_RANKS)


def mel_edges() -> np.ndarray:
    """The 42 band edges (Hz): lower edge, 40 centres, upper edge of the Auditory Toolbox bank."""
    linear = MEL_LOWEST_HZ + np.arange(MEL_LINEAR_BANDS) * MEL_LINEAR_SPACING_HZ
    n_log = MEL_BANDS - MEL_LINEAR_BANDS + 2
    log = linear[-1] * MEL_LOG_SPACING ** np.arange(1, n_log + 1)
    return np.concatenate([linear, log])


@dataclass(frozen=True)
class SparseMelBank:
    """Triangles restricted to bins ``start:stop``: each bin's segment and its two weights."""

    start: int
    stop: int
    segment: np.ndarray
    rising: np.ndarray
    falling: np.ndarray

    def apply(self, mag: np.ndarray) -> np.ndarray:
        """Band values (40,) = the dense filterbank matrix times ``mag`` (before the floor)."""
        part = mag[self.start : self.stop]
        n_seg = MEL_BANDS + 1
        up = np.bincount(self.segment, weights=self.rising * part, minlength=n_seg)
        down = np.bincount(self.segment, weights=self.falling * part, minlength=n_seg)
        return up[:MEL_BANDS] + down[1:n_seg]


@lru_cache(maxsize=8)
def mel_bank(sr: float, n_fft: int) -> SparseMelBank:
    """The 40-band filterbank for an ``n_fft``-point spectrum at ``sr`` Hz (cached)."""
    edges = mel_edges()
    freqs = np.arange(n_fft // 2 + 1) * (sr / n_fft)
    start = int(np.searchsorted(freqs, edges[0], side="right"))
    stop = int(np.searchsorted(freqs, edges[-1], side="left"))
    f = freqs[start:stop]
    segment = np.searchsorted(edges, f, side="left") - 1
    lo, hi = edges[segment], edges[segment + 1]
    height = 2.0 / (edges[2:] - edges[:-2])
    rise_h = np.append(height, 0.0)[segment]
    fall_h = np.concatenate([[0.0], height])[segment]
    rising = rise_h * (f - lo) / (hi - lo)
    falling = fall_h * (hi - f) / (hi - lo)
    for arr in (segment, rising, falling):
        arr.setflags(write=False)
    return SparseMelBank(start, stop, segment, rising, falling)


@lru_cache(maxsize=1)
def dct_matrix() -> np.ndarray:
    """(13, 40) DCT rows n = 1..13 as in ``mirmfcc``."""
    n = np.array(MFCC_RANKS, dtype=float)[:, None]
    k = np.arange(MEL_BANDS, dtype=float)[None, :]
    mat = np.sqrt(2.0 / MEL_BANDS) * np.cos(n * (2.0 * k + 1.0) * np.pi / (2.0 * MEL_BANDS))
    mat.setflags(write=False)
    return mat


def mel_log_spectrum(mag: np.ndarray, sr: float) -> np.ndarray:
    """log10 of the 40 mel band values of a magnitude spectrum with bins 0..nfft/2."""
    n_fft = 2 * (mag.size - 1)
    silent = not mag.max() > 0.0
    bands = np.zeros(MEL_BANDS) if silent else mel_bank(sr, n_fft).apply(mag) + MEL_FLOOR
    return np.log10(bands + MEL_FLOOR)


def mfcc(mag: np.ndarray, sr: float) -> np.ndarray:
    """MFCC ranks 1..13 of a whole-clip magnitude spectrum."""
    return dct_matrix() @ mel_log_spectrum(mag, sr)


def features(clip: Clip) -> dict[str, float]:
    """The 13 MFCC columns of the UCI table."""
    _, mag = clip.spectrum
    return dict(zip(COLUMNS, (float(v) for v in mfcc(mag, clip.sr)), strict=True))
