"""Roughness (sensory dissonance) as ``mirroughness`` computes it in MIRtoolbox 1.7.1 (Sethares).

1. Frames of 0.05 s with hop 0.5 (``mirframe`` grid), Hamming window, magnitude FFT of
   next_pow2(L) points, all bins 0..Nyquist (``mirspectrum`` defaults).
2. ``mirpeaks(..., 'Contrast', 0.01)``: the whole (bins x frames) matrix is normalised once to
   [0, 1] (global min/max), each frame's local maxima reaching 0.01 are kept if the contrast
   scan accepts them; the DC bin may be a peak. A peak's frequency is its bin frequency and its
   amplitude the raw magnitude.
3. Per frame, over each unordered pair of peaks (f_i, v_i), (f_j, v_j):
   ``v_i v_j [exp(-3.51 s |f_i-f_j|) - exp(-5.75 s |f_i-f_j|)]`` with
   ``s = 0.24 / (0.0207 min(f_i, f_j) + 18.96)`` (Plomp-Levelt curve as fitted by Sethares).
4. ``_Roughness_Mean`` and ``_Roughness_Slope`` are ``mirstat`` statistics of the frame curve.

Roughness scales with amplitude squared, so it depends on the input gain, as in MIRtoolbox.
Later versions differ (1.8: hop 0.1, peaks ordered by frequency); 1.7.2 only changes the Slope
formula in ``mirstat``.

Implementation notes (same numbers, less work): frame spectra come from batches of FFTW
transforms (:mod:`turkmood.features.fft`); the peak scan of every frame is one compiled pass
(:func:`global_contrast_peaks`, checked against :mod:`turkmood.features.peaks`), and since peaks
sit on FFT bins the pair weights come from a per-grid lookup table (:func:`plomp_table`), summed
over the upper triangle by a compiled loop (:func:`turkmood.features.kernels.pair_sums`; only
the summation order differs from ``v @ T @ v``, ~1e-15 relative).
Agreement with the 1.7.1 oracle on the fixtures is ~1e-10 relative (its printed precision).
"""

from __future__ import annotations

import functools

import numpy as np

from turkmood.constants import ROUGHNESS_CONTRAST, ROUGHNESS_FRAME_S, ROUGHNESS_HOP
from turkmood.features import fft
from turkmood.features.fft import batch_rfft
from turkmood.features.frames import frame_starts, hamming, next_pow2
from turkmood.features.kernels import (
    contrast_peaks,
    fft_magnitudes,
    pair_sums,
    window_frames_into,
)
from turkmood.features.mirstat import framed_stats
from turkmood.features.shared import Clip

COLUMNS: tuple[str, ...] = ("_Roughness_Mean", "_Roughness_Slope")
#: Frames per FFT batch (16 x 4096 doubles = 512 kB stay in cache).
_FFT_BATCH = 16

# Sethares' fit of the Plomp-Levelt dissonance curve.
_B1, _B2 = 3.51, 5.75
_XSTAR, _S1, _S2 = 0.24, 0.0207, 18.96


def plomp(f1: np.ndarray, f2: np.ndarray) -> np.ndarray:
    """Dissonance of two pure tones of unit amplitude at f1, f2 Hz (0 for equal frequencies)."""
    s = _XSTAR / (_S1 * np.minimum(f1, f2) + _S2)
    d = np.abs(f2 - f1)
    return np.exp(-_B1 * s * d) - np.exp(-_B2 * s * d)


def pair_roughness(freqs: np.ndarray, amps: np.ndarray) -> float:
    """Sum of v_i v_j plomp(f_i, f_j) over unordered pairs of peaks (one frame)."""
    if len(freqs) < 2:
        return 0.0
    i, j = np.triu_indices(len(freqs), k=1)
    return float(np.sum(amps[i] * amps[j] * plomp(freqs[i], freqs[j])))


@functools.lru_cache(maxsize=2)
def plomp_table(sr: float, n_fft: int) -> np.ndarray:
    """(bins, bins) table of plomp(f_a, f_b) for bins a < b (zero elsewhere), per FFT grid.

    Peaks sit on FFT bins, so every pair weight is a lookup; the strict upper triangle makes
    ``v @ T[b][:, b] @ v`` (b ascending) count each unordered pair once.
    """
    freqs = sr / 2.0 * np.linspace(0.0, 1.0, n_fft // 2 + 1)
    table = np.triu(plomp(freqs[:, None], freqs[None, :]), k=1)
    table.flags.writeable = False
    return table


def framewise_roughness(
    frame: np.ndarray, bins: np.ndarray, amps: np.ndarray, n_frames: int, table: np.ndarray
) -> np.ndarray:
    """Per-frame pair sums for peaks given as flat arrays sorted by (frame, bin).

    Each frame's sum is ``v @ T[b][:, b] @ v`` (compiled loop in :mod:`.kernels`; it reads
    only the upper triangle and differs from the matrix product by summation order only).
    """
    bounds = np.concatenate(([0], np.cumsum(np.bincount(frame, minlength=n_frames))))
    return pair_sums(bounds, bins, amps, table)


def frame_spectra(y: np.ndarray, sr: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(bin freqs, |FFT| as (frames, bins), frame start times in s) on the roughness grid."""
    starts, length = frame_starts(len(y), sr, ROUGHNESS_FRAME_S, ROUGHNESS_HOP)
    n_fft = next_pow2(length)
    freqs = sr / 2.0 * np.linspace(0.0, 1.0, n_fft // 2 + 1)
    if len(starts) == 0:
        return freqs, np.zeros((0, freqs.size)), np.zeros(0)
    y = np.ascontiguousarray(y, dtype=float)
    window = hamming(length)
    batch = batch_rfft(n_fft, _FFT_BATCH)
    rows = batch.frames_of(length)
    if fft.EXECUTE_R2C is not None:  # one call without the GIL
        spec = fft_magnitudes(
            fft.EXECUTE_R2C, batch.plan, y, starts, window, rows, batch.output, 0, freqs.size
        )
        if spec is not None:
            return freqs, spec, starts / sr
    spec = np.empty((len(starts), freqs.size))
    for b in range(0, len(starts), _FFT_BATCH):
        chunk = starts[b : b + _FFT_BATCH]
        window_frames_into(y, chunk, window, rows)
        np.abs(batch.execute()[: len(chunk)], out=spec[b : b + len(chunk)])
    return freqs, spec, starts / sr


def global_contrast_peaks(
    curves: np.ndarray, contrast: float, compiled: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """``mirpeaks(..., 'Contrast', c)`` on every row of ``curves``: (row, index) of each peak.

    Each row is one curve (here: one frame's spectrum). Same rule as
    :func:`turkmood.features.peaks.find_peaks` with global normalisation (one min/max over all
    rows), both ends allowed and ``SelectFirst`` 0. Compiled: one pass per curve
    (:func:`turkmood.features.kernels.contrast_peaks`); ``compiled=False`` (or without numba):
    the contrast scan runs on all curves in lockstep, one numpy step per candidate rank. Both
    give the same peaks (tested), sorted by row, then index.
    """
    n_cols, n_rows = curves.shape  # n_cols curves ("columns" in MIRtoolbox) of n_rows values
    with np.errstate(invalid="ignore", divide="ignore"):
        lo, hi = np.fmin.reduce(curves, axis=None), np.fmax.reduce(curves, axis=None)
        found = contrast_peaks(curves, lo, hi, contrast) if compiled and curves.size else None
        if found is not None:
            return found
        norm = (curves - lo) / (hi - lo)
    # Curves laid end to end, each padded with -inf on both sides (ends may be peaks).
    padded = np.full((n_cols, n_rows + 2), -np.inf)
    padded[:, 1:-1] = norm
    step = np.diff(padded, axis=1)
    with np.errstate(invalid="ignore"):
        is_cand = (step[:, :-1] > 0) & (step[:, 1:] <= 0) & (norm >= contrast)
    col, row = np.nonzero(is_cand)  # sorted by curve, then index
    if col.size == 0:
        return col, row
    flat = padded.ravel()
    pos = col * (n_rows + 2) + row + 1
    # Minimum strictly between consecutive candidates (only used within a column).
    bounds = np.empty(2 * pos.size - 1, dtype=np.int64)
    bounds[0::2] = pos
    bounds[1::2] = pos[:-1] + 1
    between = np.fmin.reduceat(flat, bounds[1:])[0::2] if pos.size > 1 else np.zeros(0)

    counts = np.bincount(col, minlength=n_cols)
    order = np.argsort(-counts, kind="stable")  # active columns form a prefix at every rank
    rank_of_col = np.empty(n_cols, dtype=np.int64)
    rank_of_col[order] = np.arange(n_cols)
    offset = np.cumsum(counts) - counts
    rank = np.arange(col.size) - offset[col]
    width = int(counts.max())
    value = np.full((n_cols, width), np.nan)
    value[rank_of_col[col], rank] = flat[pos]
    gap = np.full((n_cols, width), np.nan)
    gap[rank_of_col[col[1:]], rank[1:]] = between  # gap before candidate `rank` (rank >= 1)
    sorted_counts = counts[order]

    kept = np.zeros((n_cols, width), dtype=bool)
    current = np.zeros(n_cols, dtype=np.int64)
    bufmax = value[:, 0].copy()
    bufmin = np.full(n_cols, np.inf)
    oldbufmin = np.full(n_cols, -np.inf)  # the -inf padding before the first candidate
    for jj in range(1, width):
        a = int(np.searchsorted(-sorted_counts, -jj, side="left"))  # columns with > jj cands
        if a == 0:
            break
        new = value[:a, jj]
        bmin = np.fmin(bufmin[:a], gap[:a, jj])
        bmax, old, cur = bufmax[:a].copy(), oldbufmin[:a].copy(), current[:a].copy()
        flat_run = bmax - bmin < contrast  # no contrastive notch since the current candidate
        move = flat_run & (new > bmax)  # (SelectFirst is 0: any higher candidate takes over)
        notch = ~flat_run
        good = notch & (bmax - old >= contrast)
        kept[np.flatnonzero(good), cur[good]] = True
        # a kept candidate restarts the left dip; every other case accumulates it
        oldbufmin[:a] = np.where(good, bmin, np.fmin(old, bmin))
        reset = move | notch
        bufmax[:a] = np.where(reset, new, bmax)
        current[:a] = np.where(reset, jj, cur)
        bufmin[:a] = np.where(reset, np.inf, bmin)
    active = sorted_counts > 0
    last = active & (bufmax - oldbufmin >= contrast)  # the -inf end padding always dips enough
    kept[np.flatnonzero(last), current[last]] = True

    kept_rank, kept_slot = np.nonzero(kept)
    out_col = order[kept_rank]
    out_row = row[offset[out_col] + kept_slot]
    resort = np.lexsort((out_row, out_col))
    return out_col[resort], out_row[resort]


def roughness_curve(y: np.ndarray, sr: float) -> tuple[np.ndarray, np.ndarray]:
    """(roughness per frame, frame start times in s)."""
    freqs, spec, times = frame_spectra(y, sr)
    if spec.shape[0] == 0:
        return np.zeros(0), times
    frame, bin_ = global_contrast_peaks(spec, ROUGHNESS_CONTRAST)
    table = plomp_table(float(sr), 2 * (freqs.size - 1))
    return framewise_roughness(frame, bin_, spec[frame, bin_], spec.shape[0], table), times


def features(clip: Clip) -> dict[str, float]:
    """``_Roughness_Mean`` and ``_Roughness_Slope`` (mirstat of the frame curve)."""
    curve, times = roughness_curve(clip.y, clip.sr)
    stats = framed_stats(curve, times)
    return {"_Roughness_Mean": stats["Mean"], "_Roughness_Slope": stats["Slope"]}
