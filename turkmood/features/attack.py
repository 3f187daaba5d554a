"""Attack time (``mirattacktime``, MIRtoolbox 1.7.1, 'Derivate' method), re-implemented.

1. Peaks of the attack envelope O2 (contrast 0.05, global normalisation, first and last samples
   excluded) are the attack ends candidates.
2. Valleys of O1 (contrast 0.05, lower half of the range, last sample excluded) are the onset
   candidates; a curve that starts with a peak gets an onset at the first O2 time.
3. Each onset is paired with the next peak (extra peaks and extra onsets are dropped, the
   latest onset before a peak is kept), then refined on O2 (``startattack`` in mironsets.m):
   start moved to the first rising sample (and past later dips below its level); the peak cut at
   the first non-rising sample higher than 1/5 of the rise; with D the largest one-step rise,
   the attack ends at the last sample whose rise exceeds 0.075 D and starts after the first one
   exceeding 0.1 D.
4. Attack time = end time - start time (s), on O2's frame-centre grid (~0.6 ms).

``_AttackTime_Mean``/``_AttackTime_Slope`` are ``mirstat`` Mean and (1.7.1) Slope of the
attack-time sequence; both NaN when there is no attack, the slope NaN for a single one.

Known quirk kept on purpose: when there are more onsets than peaks, MIRtoolbox also drops the
last paired attack (``st(i:end) = []``); so does this port.

Implementation note: step 3's refinement of each pair runs as a compiled loop
(:func:`_derivate_loops`, the same comparisons as the numpy definition :func:`_derivate_numpy`,
tested equal); onset times are located on O2's grid by bisection.
"""

from __future__ import annotations

import numpy as np

from turkmood.features import onsets
from turkmood.features.kernels import jit_loops
from turkmood.features.mirstat import framed_stats
from turkmood.features.peaks import find_peaks
from turkmood.features.shared import Clip

#: ``mironsets(..., 'Attack')`` detection contrast (peaks of O2 and valleys of O1).
ATTACK_CONTRAST = 0.05
#: Onset valleys must lie in the lower half of O1's range (``'Threshold', .5``).
VALLEY_THRESHOLD = 0.5
#: 'Derivate' thresholds relative to the largest one-step rise: end, start.
ATTACK_END_THRESHOLD, ONSET_START_THRESHOLD = 0.075, 0.1
#: A peak is cut at the first non-rising sample above this share of the rise.
PEAK_CUT_SHARE = 5.0

_NAN = float("nan")


def _first(mask: np.ndarray) -> int | None:
    """0-based index of the first True, or None."""
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None


def _first_at_or_after(t: np.ndarray, time: float) -> int | None:
    """``_first(t >= time)`` for the increasing times ``t``, by bisection."""
    i = int(np.searchsorted(t, time, side="left"))
    return i if i < t.size else None


def attack_segments(
    d: np.ndarray, t: np.ndarray, peaks: list[int], onset_times: list[float]
) -> tuple[list[int], list[int]]:
    """``startattack`` ('Derivate'): 0-based (start, end) indices on the attack envelope ``d``.

    ``peaks`` are 0-based peak indices on ``d``; ``onset_times`` the onset-candidate times (s);
    ``t`` the (increasing) times of the samples of ``d``.
    """
    pp = sorted(int(p) for p in peaks)
    if not pp:
        return [], []
    ppu = [float(t[p]) for p in pp]
    stu = [float(x) for x in sorted(onset_times)]
    if stu and stu[0] > ppu[0]:
        stu.insert(0, float(t[0]))
    st = [0] * len(stu)
    i = 0  # number of onsets handled so far (MATLAB's 1-based loop counter)
    while i < len(stu):
        if len(ppu) == i:
            del st[i - 1 :]
            break
        i += 1
        k = i - 1
        # drop the peaks that come before the current onset
        j = _first(np.asarray(ppu[k:]) > stu[k])
        if j is not None and j > 0:
            del ppu[k : k + j]
            del pp[k : k + j]
        # keep only the latest onset before the current peak
        j = _first(np.asarray(stu[k:]) > ppu[k])
        if j is not None and j > 1:
            del st[k : k + j - 1]
            del stu[k : k + j - 1]
        start = _first_at_or_after(t, stu[k])
        if start is None:
            raise ValueError("onset after the end of the attack envelope")
        st[k] = start
        stop = False
        while True:
            f0 = _first(np.diff(d[st[k] : pp[k] + 1]) > 0)
            if f0 is None:
                del pp[k]
                del ppu[k]
                if len(pp) < i:
                    stop = True
                    break
            else:
                break
        if stop:
            break
        st[k] += f0
        st[k], pp[k] = _derivate(d, t, st[k], pp[k], ppu[k])
    return st, pp[: len(st)]


def _derivate(d: np.ndarray, t: np.ndarray, s: int, p: int, peak_time: float) -> tuple[int, int]:
    """Refine one (start, peak) pair with the 'Derivate' thresholds (0-based indices).

    Compiled (:func:`_derivate_loops`, the same comparisons) when numba is present;
    :func:`_derivate_numpy` is the reference (tested equal).
    """
    peak_idx = _first_at_or_after(t, peak_time)
    if _derivate_jit is not None and peak_idx is not None:
        start, end = _derivate_jit(d, s, p, peak_idx, *_DERIVATE_CONSTANTS)
        return int(start), int(end)
    return _derivate_numpy(d, t, s, p, peak_time)


def _derivate_numpy(
    d: np.ndarray, t: np.ndarray, s: int, p: int, peak_time: float
) -> tuple[int, int]:
    """:func:`_derivate` in numpy (the definition; the compiled loop is checked against it)."""
    seg = d[s : p + 1]
    dips = np.flatnonzero((np.diff(seg) < 0) & (seg[:-1] < d[s]))
    if dips.size:
        s += int(dips[-1])
    peak_idx = _first_at_or_after(t, peak_time)
    seg = d[s : p + 1]
    cut = _first((np.diff(seg) <= 0) & (seg[:-1] - d[s] > (d[peak_idx] - d[s]) / PEAK_CUT_SHARE))
    if cut is not None:
        p = s + cut
    dd = np.diff(d[s : p + 1])
    if dd.size == 0:
        return s + 1, s - 1
    top = int(np.nanargmax(dd)) if np.any(~np.isnan(dd)) else 0
    rise = dd[top]
    back = _first(dd[:top:-1] > rise * ATTACK_END_THRESHOLD)
    end = s + len(dd) - (back + 1 if back is not None else 1)
    fwd = _first(dd[:top] > rise * ONSET_START_THRESHOLD)
    start = s + (fwd + 1 if fwd is not None else 1)
    return start, end


def _derivate_loops(
    d: np.ndarray, s: int, p: int, peak_idx: int, end_thr: float, start_thr: float, share: float
) -> tuple[int, int]:
    """:func:`_derivate_numpy` as plain loops (for numba), ``peak_idx`` the peak time's index."""
    # the start moves to the last dip below its own level before the peak
    base = d[s]
    last_dip = -1
    for i in range(s, p):
        if d[i + 1] - d[i] < 0 and d[i] < base:
            last_dip = i - s
    if last_dip >= 0:
        s += last_dip
    # the peak is cut at the first non-rising sample higher than 1/share of the rise
    base = d[s]
    level = (d[peak_idx] - base) / share
    for i in range(s, p):
        if d[i + 1] - d[i] <= 0 and d[i] - base > level:
            p = i
            break
    n = p - s  # one-step rises d[s+1]-d[s] .. d[p]-d[p-1]
    if n <= 0:
        return s + 1, s - 1
    top = -1
    for i in range(n):  # nanargmax: first largest, NaN skipped (0 when all are NaN)
        v = d[s + i + 1] - d[s + i]
        if v == v and (top < 0 or v > d[s + top + 1] - d[s + top]):
            top = i
    if top < 0:
        top = 0
    rise = d[s + top + 1] - d[s + top]
    end = s + n - 1  # the last rise above end_thr * rise, after the largest
    for i in range(n - 1, top, -1):
        if d[s + i + 1] - d[s + i] > rise * end_thr:
            end = s + i
            break
    start = s + 1  # just after the first rise above start_thr * rise, before the largest
    for i in range(top):
        if d[s + i + 1] - d[s + i] > rise * start_thr:
            start = s + i + 1
            break
    return start, end


_DERIVATE_CONSTANTS = (ATTACK_END_THRESHOLD, ONSET_START_THRESHOLD, PEAK_CUT_SHARE)
_derivate_jit = jit_loops(_derivate_loops)


def attack_times(clip: Clip) -> np.ndarray:
    """Attack durations (s) of the clip in MIRtoolbox order (sorted starts vs sorted ends)."""
    env = onsets.o2(clip)
    valley_curve = onsets.o1(clip)
    if len(env) < 2 or len(valley_curve) < 1:
        return np.zeros(0)
    peaks = find_peaks(
        env.values,
        ATTACK_CONTRAST,
        threshold=0.0,
        no_begin=True,
        no_end=True,
        order="abscissa",
    )
    valleys = find_peaks(
        valley_curve.values,
        ATTACK_CONTRAST,
        threshold=VALLEY_THRESHOLD,
        valleys=True,
        no_end=True,
        order="abscissa",
    )
    starts, ends = attack_segments(
        env.values, env.times, list(peaks.index), list(valley_curve.times[valleys.index])
    )
    if not ends:
        return np.zeros(0)
    op = np.sort(env.times[np.asarray(starts)])[: len(ends)]
    ap = np.sort(env.times[np.asarray(ends)])
    return ap - op


def features(clip: Clip) -> dict[str, float]:
    """``_AttackTime_Mean`` and ``_AttackTime_Slope`` (mirstat 1.7.1) of one clip."""
    try:
        at = attack_times(clip)
    except (ValueError, IndexError):  # MIRtoolbox errors out here; the oracle reports NaN
        return {"_AttackTime_Mean": _NAN, "_AttackTime_Slope": _NAN}
    if at.size == 0:
        return {"_AttackTime_Mean": _NAN, "_AttackTime_Slope": _NAN}
    stats = framed_stats(at, np.arange(at.size, dtype=float))
    return {"_AttackTime_Mean": stats["Mean"], "_AttackTime_Slope": stats["Slope"]}
