"""Chromagram as ``mirchromagram`` computes it in MIRtoolbox 1.7.1 (``_Chromagram_Mean_1..12``).

The spectrum behind it is ``mirspectrum(x, 'dB', 20, 'Min', 100, 'Max', 6400, 'NormalInput',
'MinRes', 12, 'OctaveRatio', .85)``, applied to the whole clip or to each frame (column):

1. min-max normalise the signal to [0, 1] (adds a DC offset); a constant signal gives 0/0 = NaN;
2. symmetric Hamming window, FFT of ``2**ceil(log2(L))`` points, magnitude, keep the bins from
   the first one >= 100 Hz to the first one >= 6400 Hz (if the input is shorter than
   MinRes/OctaveRatio require, the low limit is raised as MIRtoolbox does);
3. ``20*log10(X + 1e-16)``, minus the column's own maximum over 100-6400 Hz (1.7.1: per
   frame; 1.7.2 uses the maximum over a chunk of frames, 1.8 has no floor), floored at -20 dB,
   plus 20 — values in [0, 20]; NaN columns become 0 (MATLAB ``max`` ignores NaN);
4. drop bins above ``f_first * 2**floor(log2(f_last / f_first))`` (whole octaves only).

Chroma mapping: bins map to semitones ``round(12*log2(f/261.6256))``; each semitone k in the
covered range takes the *mean* of the bins strictly inside ((f_k+f_k-1)/2, (f_k+f_k+1)/2); the
lowest and highest semitones are halved; octaves are summed into 12 classes (index 0 = C,
9 = A); each column is divided by (its maximum + 1e-6).

The UCI columns come from one whole-clip chromagram (not framed), so each row has one 1.0.

Implementation notes (same numbers, less work): framed input is normalised and windowed by a
compiled loop straight into a small batch of FFTW transforms (:mod:`turkmood.features.fft`);
the dB floor takes logarithms only of the bins within 20 dB of the peak (the others are exactly
0); for the whole clip the min-max normalisation is applied in the
frequency domain, ``FFT(w (x-lo)/(hi-lo)) = (FFT(w x) - lo W) / (hi-lo)`` with W the Hamming
window's DFT in closed form, so the clip's one big FFT (memo key ``"whole_rfft"``) can be shared
with the other whole-clip spectral features.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import scipy.fft

from turkmood.constants import (
    CHROMA_DB_RANGE,
    CHROMA_FMAX_HZ,
    CHROMA_FMIN_HZ,
    CHROMA_OCTAVE_RATIO,
    CHROMA_TUNING_HZ,
)
from turkmood.features import fft
from turkmood.features.fft import batch_rfft
from turkmood.features.frames import hamming, next_pow2, windowed_rfft
from turkmood.features.kernels import fft_magnitudes, normalised_frames_into
from turkmood.features.shared import Clip

#: Bins per octave of the chromagram (MIRtoolbox ``Res``).
N_CHROMA = 12
COLUMNS: tuple[str, ...] = tuple(f"_Chromagram_Mean_{k}" for k in range(1, N_CHROMA + 1))
#: Frames per FFT batch in the framed path (HCDF: 32768-point frames). One frame (256 kB in,
#: 256 kB out) stays in the core's cache: HCDF curve of a 30 s clip, one core, Xeon with 2 MB
#: L2: 63 ms for 1 frame, 66 for 2, 70 for 4, 72 for 8.
_BLOCK = 1
#: Magnitude ratio of the dB floor: bins below peak * 10**(-20/20) floor to 0.
_FLOOR_RATIO = 10.0 ** (-CHROMA_DB_RANGE / 20.0)


def chroma_fmax(fmin: float = CHROMA_FMIN_HZ, fmax: float = CHROMA_FMAX_HZ) -> float:
    """``mirchromagram`` init: the spectrum's upper limit, fmin doubled until >= fmax."""
    top = fmin * 2
    while top < fmax:
        top *= 2
    return top


@dataclass(frozen=True)
class _Layout:
    """Spectrum grid and chroma mapping for inputs of one length (see module docstring)."""

    n_fft: int
    first: int  # first bin >= fmin
    end: int  # one past the first bin >= 6400 Hz: the range of the dB reference maximum
    end_kept: int  # one past the last bin of the whole octaves mapped to chroma
    freqs: np.ndarray  # frequencies of bins first .. end_kept-1
    starts: np.ndarray  # per semitone: first bin (relative to `first`) of its band
    stops: np.ndarray  # per semitone: one past its last bin
    weights: np.ndarray  # per semitone: 1/#bins (halved for the lowest and highest semitone)
    classes: np.ndarray  # per semitone: pitch class 0 (C) .. 11 (B)


@functools.lru_cache(maxsize=16)
def _layout(length: int, sr: float) -> _Layout:
    """Grid for ``length`` samples: FFT size, bin ranges and semitone bands."""
    n_fft = next_pow2(length)
    fmin = float(CHROMA_FMIN_HZ)
    # OctaveRatio rule: the resolution must reach the ratio between the first two chroma bins;
    # inputs too short for that lose their lowest frequencies (as MIRtoolbox warns).
    res = (2.0 ** (1.0 / N_CHROMA) - 1.0) * CHROMA_OCTAVE_RATIO
    if sr / (fmin * res) > length:
        fmin = sr / length / res
    n_bins = n_fft // 2 + 1
    grid = sr / 2.0 * np.linspace(0.0, 1.0, n_bins)  # MATLAB's linspace grid
    above = np.flatnonzero(grid >= chroma_fmax())
    last = int(above[0]) if above.size else n_bins - 1
    first = int(np.flatnonzero(grid >= fmin)[0])
    f = grid[first : last + 1]
    top = f[0] * 2.0 ** math.floor(math.log2(f[-1] / f[0]))  # whole octaves above f[0]
    kept = f[f <= top]
    starts, stops, weights, classes = _semitone_bands(kept)
    return _Layout(n_fft, first, last + 1, first + kept.size, kept, starts, stops, weights, classes)


def _semitone_bands(freqs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Bin range [start, stop), weight and pitch class of every semitone the grid covers."""
    semis = _matlab_round(N_CHROMA * np.log2(freqs / CHROMA_TUNING_HZ))
    k = np.arange(int(semis.min()), int(semis.max()) + 1)
    centre = CHROMA_TUNING_HZ * 2.0 ** (k / N_CHROMA)
    below = CHROMA_TUNING_HZ * 2.0 ** ((k - 1) / N_CHROMA)
    above = CHROMA_TUNING_HZ * 2.0 ** ((k + 1) / N_CHROMA)
    # Strictly inside (centre - (centre-below)/2, centre - (centre-above)/2), as in MIRtoolbox.
    start = np.searchsorted(freqs, centre - 0.5 * (centre - below), side="right")
    stop = np.maximum(np.searchsorted(freqs, centre - 0.5 * (centre - above), side="left"), start)
    count = stop - start
    weight = np.zeros(k.size)
    weight[count > 0] = 1.0 / count[count > 0]
    weight[[0, -1]] /= 2.0
    return start, stop, weight, np.mod(k, N_CHROMA)


def _db_floor(spec: np.ndarray, layout: _Layout) -> np.ndarray:
    """Rows of |X| over bins first..end-1 -> dB in [0, 20] over the kept bins."""
    # The reference is each row's maximum over the whole 100-6400 Hz range; only the bins of
    # the whole octaves are kept afterwards. NaN rows (constant input) floor to 0, as in MATLAB.
    peak = np.fmax.reduce(spec, axis=1, keepdims=True) + 1e-16
    kept = spec[:, : layout.end_kept - layout.first] + 1e-16
    out = np.zeros(kept.shape)
    # Only bins within the 20 dB range need a logarithm: below 1/10 of the peak (a margin of
    # 1e-9 keeps every bin whose dB could round to > -20) the result is exactly 0.
    live = kept >= peak * (_FLOOR_RATIO * (1.0 - 1e-9))
    rows, cols = np.nonzero(live)
    with np.errstate(invalid="ignore"):
        db = 20.0 * np.log10(kept[rows, cols]) - 20.0 * np.log10(peak[rows, 0])
    out[rows, cols] = CHROMA_DB_RANGE + np.fmax(-CHROMA_DB_RANGE, db)
    return out


def _row_spectra(rows: np.ndarray, layout: _Layout) -> np.ndarray:
    """|FFT| (bins first..end-1) of min-max normalised, Hamming-windowed rows (frames)."""
    lo = rows.min(axis=1, keepdims=True)
    hi = rows.max(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        normed = (rows - lo) * (1.0 / (hi - lo)) * hamming(rows.shape[1])
    spectrum = scipy.fft.rfft(normed, n=layout.n_fft, axis=1, overwrite_x=True)
    return np.abs(spectrum[:, layout.first : layout.end])


def _wrap_rows(db: np.ndarray, bands: tuple[np.ndarray, ...]) -> np.ndarray:
    """(n, bins) dB -> (n, 12): semitone means, octave wrap, max normalisation."""
    starts, stops, weights, classes = bands
    csum = np.zeros((db.shape[0], db.shape[1] + 1))
    np.cumsum(db, axis=1, out=csum[:, 1:])
    semitone = (csum[:, stops] - csum[:, starts]) * weights
    chroma = semitone @ np.eye(N_CHROMA)[classes]
    return chroma / (chroma.max(axis=1, keepdims=True) + 1e-6)


def _bands(layout: _Layout) -> tuple[np.ndarray, ...]:
    return layout.starts, layout.stops, layout.weights, layout.classes


def chroma_spectrum(x: np.ndarray, sr: float) -> tuple[np.ndarray, np.ndarray]:
    """(freqs, dB spectrum in [0, 20]) of a signal (1-D) or of each column of (L, n) frames."""
    x = np.asarray(x, dtype=float)
    rows = x[None, :] if x.ndim == 1 else x.T
    layout = _layout(rows.shape[1], float(sr))
    db = _db_floor(_row_spectra(rows.copy(), layout), layout)
    return layout.freqs, (db[0] if x.ndim == 1 else db.T)


def chroma_from_spectrum(freqs: np.ndarray, db: np.ndarray) -> np.ndarray:
    """Wrapped, max-normalised chroma (12,) or (12, n) from a dB spectrum (bins,) or (bins, n)."""
    rows = db[None, :] if db.ndim == 1 else db.T
    chroma = _wrap_rows(rows, _semitone_bands(np.asarray(freqs, dtype=float)))
    return chroma[0] if db.ndim == 1 else chroma.T


def chromagram(x: np.ndarray, sr: float) -> np.ndarray:
    """Chroma (12,) of a whole signal or (12, n) of the columns of an (L, n) frame matrix."""
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        return chromagram_frames(x, sr, np.zeros(1, dtype=np.int64), x.size)[:, 0]
    return chromagram_frames(x.T.ravel(), sr, np.arange(x.shape[1]) * x.shape[0], x.shape[0])


def chromagram_frames(y: np.ndarray, sr: float, starts: np.ndarray, length: int) -> np.ndarray:
    """(12, n) chroma of the frames ``y[s : s + length]`` for s in ``starts``.

    Same arithmetic as :func:`_row_spectra` on each frame, but every frame is normalised and
    windowed straight from its slice of ``y`` into a reused zero-padded FFT batch
    (:func:`turkmood.features.kernels.normalised_frames_into`, :mod:`turkmood.features.fft`);
    the magnitudes of all frames are then floored and mapped to chroma in one go.
    """
    y = np.ascontiguousarray(y, dtype=float)
    layout = _layout(length, float(sr))
    window = hamming(length)
    batch = batch_rfft(layout.n_fft, _BLOCK)
    rows = batch.frames_of(length)
    width = layout.end - layout.first
    mag = None
    if fft.EXECUTE_R2C is not None:  # one call without the GIL
        mag = fft_magnitudes(
            fft.EXECUTE_R2C, batch.plan, y, starts, window, rows, batch.output, layout.first,
            width, normalise=True,
        )  # fmt: skip
    if mag is not None:
        return _wrap_rows(_db_floor(mag, layout), _bands(layout)).T
    mag = np.empty((len(starts), width))
    for b in range(0, len(starts), _BLOCK):
        chunk = starts[b : b + _BLOCK]
        normalised_frames_into(y, chunk, window, rows)
        spectrum = batch.execute()[: len(chunk), layout.first : layout.end]
        np.abs(spectrum, out=mag[b : b + len(chunk)])
    return _wrap_rows(_db_floor(mag, layout), _bands(layout)).T


def hamming_dft(length: int, n_fft: int, bins: np.ndarray) -> np.ndarray:
    """DFT (``n_fft`` points) of the symmetric Hamming window of ``length`` at ``bins``.

    Closed form: w = 0.54 - 0.46 cos(theta n), theta = 2 pi/(L-1), so
    W = 0.54 D(z) - 0.23 (D(z e^{i theta}) + D(z e^{-i theta})) with z = e^{-2 pi i k/N} and
    D(z) = (1 - z^L)/(1 - z). Valid away from DC (|k| > 1 bin of the window's main lobe).
    """
    k = np.asarray(bins, dtype=np.int64)
    z = np.exp(-2j * np.pi * k / n_fft)
    z_len = np.exp(-2j * np.pi * ((k * length) % n_fft) / n_fft)  # z**L, reduced exactly
    rot = np.exp(2j * np.pi / (length - 1))
    plain = (1 - z_len) / (1 - z)
    up = (1 - z_len * rot) / (1 - z * rot)
    down = (1 - z_len / rot) / (1 - z / rot)
    return 0.54 * plain - 0.23 * (up + down)


@functools.lru_cache(maxsize=4)
def _window_dft(length: int, n_fft: int, first: int, end: int) -> np.ndarray:
    """Cached :func:`hamming_dft` over bins first..end-1 (clips usually share one length)."""
    dft = hamming_dft(length, n_fft, np.arange(first, end))
    dft.flags.writeable = False
    return dft


def whole_clip_chroma(y: np.ndarray, sr: float, rfft: np.ndarray | None = None) -> np.ndarray:
    """Chroma (12,) of the whole clip, reusing its windowed rfft when given."""
    y = np.asarray(y, dtype=float)
    lo, hi = float(np.min(y)), float(np.max(y))
    if not hi > lo:  # constant clip: 0/0 normalisation -> every bin floors to 0 in MIRtoolbox
        return np.zeros(N_CHROMA)
    layout = _layout(y.size, float(sr))
    spectrum = windowed_rfft(y) if rfft is None else rfft
    window_dft = _window_dft(y.size, layout.n_fft, layout.first, layout.end)
    x_bins = spectrum[layout.first : layout.end] - lo * window_dft
    mag = np.abs(x_bins) / (hi - lo)
    return _wrap_rows(_db_floor(mag[None, :], layout), _bands(layout))[0]


def features(clip: Clip) -> dict[str, float]:
    """``_Chromagram_Mean_1..12``: one whole-clip chromagram (mirchromagram, not framed)."""
    chroma = whole_clip_chroma(clip.y, clip.sr, clip.rfft)
    return {name: float(v) for name, v in zip(COLUMNS, chroma, strict=True)}


def _matlab_round(x: np.ndarray) -> np.ndarray:
    """MATLAB ``round``: halves away from zero."""
    return np.sign(x) * np.floor(np.abs(x) + 0.5)
