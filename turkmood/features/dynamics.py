"""Dynamics: ``_RMSenergy_Mean`` and ``_Lowenergy_Mean`` (``mirrms``, ``mirlowenergy``, 1.7.1).

* ``mirrms(a)`` is not framed: sqrt(sum x**2 / (N - 1)) over the whole clip, raw amplitude (not
  dB). The N - 1 is MIRtoolbox's: ``mirread`` stores the length as (N - 1)/sr seconds and
  ``mirrms`` divides by length·sr. It is 0.5/N relative (1.9e-8 on 30 s) above the textbook RMS,
  and the oracle shows it (e.g. 0.3535537926 for a 0.5-amplitude sine, not 0.3535533906).
* ``mirlowenergy(a)``: frame RMS on ``mirframe`` frames of 50 ms, hop 0.5 (fractional hop,
  no padding, see :mod:`turkmood.features.frames`); the value is the share of frames whose RMS is
  **strictly** below the mean frame RMS (threshold 1, RMS not energy). MIRtoolbox divides each
  frame's energy by a length that is the same for every frame, which does not change the ratio.

Known difference: none by design. On a constant-level tone the frame RMS values tie up to
rounding, so the strict test is unstable (MIRtoolbox itself gives 0 or ~0.5); do not test on it.
"""

from __future__ import annotations

import numpy as np

from turkmood.features.frames import frame_starts
from turkmood.features.shared import Clip

#: ``mirlowenergy`` default frame: length (s) and hop (fraction of the length).
LOWENERGY_FRAME_S = 0.05
LOWENERGY_HOP = 0.5


def rms(y: np.ndarray) -> float:
    """Whole-clip ``mirrms``: sqrt(sum(y**2) / (N - 1)); 0.0 for fewer than two samples."""
    if y.size < 2:
        return 0.0
    return float(np.sqrt(np.einsum("i,i->", y, y) / (y.size - 1)))


def frame_energies(y: np.ndarray, starts: np.ndarray, length: int) -> np.ndarray:
    """sum(y**2) over each frame ``y[s:s+length]`` without materialising the frame matrix.

    Frames i, i+m, i+2m, ... (m = frames per length) do not overlap, so each such group is one
    ``np.add.reduceat`` over y**2 with index pairs (start, end); the gaps between are discarded.
    """
    if starts.size == 0:
        return np.zeros(0)
    squared = np.empty(y.size + 1)
    np.multiply(y, y, out=squared[:-1])
    squared[-1] = 0.0  # reduceat needs every index < len; the last frame may end at y.size
    group = 1
    while group < starts.size and np.any(starts[group:] - starts[:-group] < length):
        group += 1
    energies = np.empty(starts.size)
    for offset in range(group):
        first = starts[offset::group]
        if first.size == 0:
            continue
        bounds = np.empty(2 * first.size, dtype=np.int64)
        bounds[0::2] = first
        bounds[1::2] = first + length
        energies[offset::group] = np.add.reduceat(squared, bounds)[0::2]
    return energies


def frame_rms(y: np.ndarray, sr: float) -> np.ndarray:
    """RMS of each 50 ms / hop 0.5 ``mirframe`` frame (the curve ``mirlowenergy`` thresholds)."""
    starts, length = frame_starts(y.size, sr, LOWENERGY_FRAME_S, LOWENERGY_HOP)
    return np.sqrt(frame_energies(y, starts, length) / max(length, 1))


def low_energy(frame_values: np.ndarray) -> float:
    """Share of frames strictly below the mean frame value; NaN when there are no frames."""
    if frame_values.size == 0:
        return float("nan")
    return float(np.count_nonzero(frame_values < frame_values.mean()) / frame_values.size)


def features(clip: Clip) -> dict[str, float]:
    """The two dynamics columns of the UCI table."""
    curve = clip.memo("rms_frames_50ms", lambda: frame_rms(clip.y, clip.sr))
    return {"_RMSenergy_Mean": rms(clip.y), "_Lowenergy_Mean": low_energy(curve)}
