"""Harmonic change detection function as ``mirhcdf`` computes it in MIRtoolbox 1.7.1.

1. Frames of 0.743 s with hop 0.1 of the length (``mirframe`` grid: L = 32766 samples and a
   fractional hop of 3276.63 samples at 44.1 kHz); a chromagram of each frame
   (:mod:`turkmood.features.chroma`, per-frame 20 dB floor as in 1.7.1).
2. Tonal centroid (Harte & Sandler): the 6-D projection of each max-normalised chroma vector
   on the circles of fifths, minor thirds and major thirds (radius 0.5 for the last).
3. Flux: Euclidean distance between successive centroids (no smoothing); the value for the
   pair (n-1, n) is stamped with frame n's start time, so the step for ``mirstat`` is
   ``floor(2h) - floor(h)`` samples (3277 at 44.1 kHz).
4. The six ``mirstat`` statistics (:mod:`turkmood.features.mirstat`).

HCDF differs between versions through the chroma floor (see :mod:`turkmood.features.chroma`)
and the Slope formula; this is the 1.7.1 behaviour, which matched the oracle to ~1e-10 relative
on every fixture.

Clips shorter than one frame plus one hop give fewer than two frames: MIRtoolbox then has no
flux, and all six columns are NaN here.
"""

from __future__ import annotations

import math

import numpy as np

from turkmood.constants import HCDF_FRAME_S, HCDF_HOP
from turkmood.features.chroma import N_CHROMA, chromagram_frames
from turkmood.features.frames import frame_starts
from turkmood.features.mirstat import STAT_NAMES, framed_stats
from turkmood.features.shared import Clip

PREFIX = "_HarmonicChangeDetectionFunction_"
COLUMNS: tuple[str, ...] = tuple(PREFIX + s for s in STAT_NAMES)


def _centroid_basis() -> np.ndarray:
    """(6, 12) projection of pitch classes onto the three circles of the tonal centroid."""
    k = np.arange(N_CHROMA)
    return np.array(
        [
            np.sin(7 * math.pi * k / 6),
            np.cos(7 * math.pi * k / 6),
            np.sin(3 * math.pi * k / 2),
            np.cos(3 * math.pi * k / 2),
            0.5 * np.sin(2 * math.pi * k / 3),
            0.5 * np.cos(2 * math.pi * k / 3),
        ]
    )


CENTROID_BASIS = _centroid_basis()


def hcdf_curve(y: np.ndarray, sr: float) -> tuple[np.ndarray, np.ndarray]:
    """(HCDF values, their frame start times in s); empty arrays when there are < 2 frames."""
    starts, length = frame_starts(len(y), sr, HCDF_FRAME_S, HCDF_HOP)
    if len(starts) < 2:
        return np.zeros(0), np.zeros(0)
    chroma = chromagram_frames(y, sr, starts, length)
    centroid = CENTROID_BASIS @ chroma
    flux = np.sqrt(np.sum(np.diff(centroid, axis=1) ** 2, axis=0))
    return flux, starts[1:] / sr


def features(clip: Clip) -> dict[str, float]:
    """The six ``_HarmonicChangeDetectionFunction_*`` columns."""
    flux, times = clip.memo("hcdf_curve", lambda: hcdf_curve(clip.y, clip.sr))
    if flux.size == 0:
        return dict.fromkeys(COLUMNS, math.nan)
    stats = framed_stats(flux, times)
    return {PREFIX + name: stats[name] for name in STAT_NAMES}
