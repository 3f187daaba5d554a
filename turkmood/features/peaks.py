"""Peak picking with MIRtoolbox 1.7.1's contrast rule (``mirpeaks``), re-implemented.

The curve (1-D) or each column of a (bins x frames) matrix is normalised to [0, 1]
(``"global"``: one min/max over the whole matrix; ``"local"``: per column; ``"none"``), padded
with -inf at both ends (+inf where ``no_begin``/``no_end`` forbid the end samples), and local
maxima (strict rise, then non-rise) whose normalised height reaches ``contrast`` and
``threshold`` become candidates. A left-to-right scan then keeps a candidate only if the curve
dips by at least ``contrast`` between it and its kept neighbours; when two candidates are not
separated by such a dip the higher one survives. Valleys are peaks of the negated curve.

Indices returned are 0-based positions in the input; values are the *raw* input values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

Normalize = Literal["global", "local", "none"]
Order = Literal["amplitude", "abscissa"]


@dataclass(frozen=True)
class Peaks:
    """Peaks of one curve: 0-based ``index`` and raw ``value``, in the requested order.

    ``pos``/``val`` hold the quadratic-interpolated abscissa and height when interpolation was
    requested (else they are the plain abscissa/value at ``index``).
    """

    index: np.ndarray
    value: np.ndarray
    pos: np.ndarray
    val: np.ndarray

    def __len__(self) -> int:
        return len(self.index)


def find_peaks(
    y: np.ndarray,
    contrast: float = 0.1,
    threshold: float | None = None,
    normalize: Normalize = "global",
    no_begin: bool = False,
    no_end: bool = False,
    valleys: bool = False,
    select_first: float = 0.0,
    total: float = math.inf,
    order: Order = "amplitude",
    x: np.ndarray | None = None,
    interpolate: bool = False,
) -> Peaks | list[Peaks]:
    """Peaks of a 1-D curve (returns :class:`Peaks`) or of each column of a 2-D array (a list).

    Defaults are those of ``mirpeaks``: contrast 0.1, threshold 0, global normalisation, both
    end samples allowed, all peaks kept, ordered by decreasing height. Interpolation is off
    unless asked for (``mirpeaks`` always computes it, but it only feeds ``PeakPrecisePos``).
    ``x`` is the abscissa of the rows (defaults to the row index); ``select_first`` is
    MIRtoolbox's ``SelectFirst`` value (0 = off).

    ``threshold`` left at ``None`` means 0 (MIRtoolbox's unset ``'Threshold'``). An explicit
    value is, for valleys, mirrored to ``1 - threshold`` on the negated curve, so
    ``valleys=True, threshold=0.5`` keeps valleys in the lower half of the range, and an
    explicit ``threshold=0`` with valleys keeps only valleys at the global minimum level.
    """
    data = np.asarray(y, dtype=float)
    one_d = data.ndim == 1
    if one_d:
        data = data[:, None]
    if data.ndim != 2:
        raise ValueError("find_peaks expects a 1-D curve or a 2-D (rows x columns) array")
    n_rows = data.shape[0]
    abscissa = np.arange(n_rows, dtype=float) if x is None else np.asarray(x, dtype=float)

    raw = -data if valleys else data
    thr = 0.0 if threshold is None else float(threshold)
    if valleys and threshold is not None:
        thr = 1.0 - thr
    norm = _normalise(raw, thr, normalize)

    candidates = _candidates(norm, thr, contrast, normalize, no_begin, no_end)
    results = [
        _select(norm[:, k], data[:, k], abscissa, cand, total, order, interpolate)
        for k, cand in enumerate(
            _contrast_select(candidates, contrast, select_first)
            if contrast
            else [c[0] for c in candidates]
        )
    ]
    return results[0] if one_d else results


def _normalise(raw: np.ndarray, thr: float, normalize: Normalize) -> np.ndarray:
    """Scale to [0, 1] as ``mirpeaks`` does, then blank columns whose maximum is below ``thr``."""
    with np.errstate(invalid="ignore", divide="ignore"):
        if normalize == "global" and raw.size:
            lo = np.fmin.reduce(raw, axis=None)
            hi = np.fmax.reduce(raw, axis=None)
            norm = (raw - lo) / (hi - lo)
        else:
            norm = raw.copy()
        if raw.size:
            col_max = np.fmax.reduce(norm, axis=0)
            norm[:, col_max < thr] = 0.0
        if normalize == "local" and raw.size:
            lo = np.fmin.reduce(norm, axis=0)
            hi = np.fmax.reduce(norm, axis=0)
            norm = (norm - lo) / (hi - lo)
    return norm


_Candidates = tuple[np.ndarray, list[float], list[float], float, float]


def _candidates(
    norm: np.ndarray,
    thr: float,
    contrast: float,
    normalize: Normalize,
    no_begin: bool,
    no_end: bool,
) -> list[_Candidates]:
    """Per column: padded indices of local maxima, their heights, the minima between
    consecutive ones, and the minima before the first / after the last (padding included)."""
    n_rows, n_cols = norm.shape
    head = math.inf if no_begin else -math.inf
    tail = math.inf if no_end else -math.inf
    padded = np.empty((n_rows + 2, n_cols))
    padded[0], padded[1:-1], padded[-1] = head, norm, tail  # padded row = data row + 1
    with np.errstate(invalid="ignore"):
        step = np.diff(padded, axis=0)
        inner = padded[1:-1]
        is_max = (step[:-1] > 0) & (step[1:] <= 0) & (inner >= thr)
        if normalize != "none":
            is_max &= inner >= contrast
    cols, rows = np.nonzero(is_max.T)  # column-major: sorted by column, then row
    rows = rows + 1
    counts = np.bincount(cols, minlength=n_cols)
    bounds = np.concatenate(([0], np.cumsum(counts)))
    flat = padded.T.ravel()  # column-major copy, one column after the other
    pos = cols * (n_rows + 2) + rows
    m = n_rows + 2
    if len(pos) > 1 and contrast:
        # Two local maxima are never adjacent, so the interleaved [start, stop) pairs are
        # increasing and never empty (pairs straddling two columns are computed and ignored).
        edges = np.empty(2 * (len(pos) - 1), dtype=np.int64)
        edges[0::2] = pos[:-1] + 1
        edges[1::2] = pos[1:]
        between = np.fmin.reduceat(flat, edges)[0::2]
        # MATLAB's min skips NaN: an all-NaN stretch never lowers the running minimum.
        between[np.isnan(between)] = math.inf
    else:
        between = np.zeros(max(len(pos) - 1, 0))
    heights = flat[pos]
    out: list[_Candidates] = []
    for k in range(n_cols):
        a, b = bounds[k], bounds[k + 1]
        if a == b:
            out.append((rows[a:b], [], [], math.nan, math.nan))
            continue
        if contrast:
            first_min = float(np.fmin.reduce(flat[k * m : pos[a]]))
            last_min = float(np.fmin.reduce(flat[pos[b - 1] + 1 : (k + 1) * m]))
        else:
            first_min = last_min = math.nan
        out.append(
            (rows[a:b], heights[a:b].tolist(), between[a : b - 1].tolist(), first_min, last_min)
        )
    return out


def _contrast_select(
    candidates: list[_Candidates], contrast: float, first: float
) -> list[np.ndarray]:
    """Apply the contrast scan to every column's candidates; padded indices kept."""
    return [
        cand[_contrast_scan(vals, between, oldbufmin, after, contrast, first)]
        if len(cand)
        else cand
        for cand, vals, between, oldbufmin, after in candidates
    ]


def _contrast_scan(
    vals: list[float],
    between: list[float],
    oldbufmin: float,
    after: float,
    contrast: float,
    first: float,
) -> list[int]:
    """Positions (in the candidate list) of candidates separated from their kept neighbours by
    a dip of at least ``contrast``; ``between[i]`` is the curve minimum between candidates i
    and i+1, ``oldbufmin``/``after`` the minima before the first and after the last."""
    kept: list[int] = []
    j = 0
    bufmin = math.inf
    bufmax = vals[0]
    for jj in range(1, len(vals)):
        gap = between[jj - 1]
        if gap < bufmin:
            bufmin = gap
        new = vals[jj]
        if bufmax - bufmin < contrast:  # no contrastive notch between the two candidates
            if new > bufmax and (new - bufmax > first or bufmax - oldbufmin < contrast):
                j = jj
                bufmax = new
                oldbufmin = min(oldbufmin, bufmin)
                bufmin = math.inf
            elif new - bufmax <= first:
                bufmax = max(bufmax, new)
                oldbufmin = min(oldbufmin, bufmin)
        else:  # a contrastive notch: settle the previous candidate
            if bufmax - oldbufmin < contrast:
                oldbufmin = min(oldbufmin, bufmin)
            else:
                kept.append(j)
                oldbufmin = bufmin
            bufmax = new
            j = jj
            bufmin = math.inf
    # the minimum after the last kept candidate runs from it to the end (padding included)
    tail_min = min(after, *between[j:]) if j < len(between) else after
    if bufmax - oldbufmin >= contrast and bufmax - tail_min >= contrast:
        kept.append(j)
    return kept


def _select(
    norm: np.ndarray,
    raw: np.ndarray,
    abscissa: np.ndarray,
    cand: np.ndarray,
    total: float,
    order: Order,
    interpolate: bool,
) -> Peaks:
    """Order (and cap) one column's peaks, attach raw values and optional interpolation."""
    idx = np.asarray(cand, dtype=np.int64) - 1  # 0-based data indices
    if len(idx) > 1 and (len(idx) > total or order == "amplitude"):
        rank = np.argsort(-norm[idx], kind="stable")
        if len(idx) > total:
            rank = rank[: int(total)]
        idx = np.sort(idx[rank]) if order == "abscissa" else idx[rank]
    value = raw[idx]
    if interpolate and len(idx):
        pos, val = _quadratic(raw, abscissa, idx)
    else:
        pos, val = abscissa[idx].astype(float), value.astype(float)
    return Peaks(index=idx, value=value, pos=pos, val=val)


def _quadratic(
    raw: np.ndarray, abscissa: np.ndarray, idx: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Parabolic refinement of interior peaks on the raw curve; end samples are left as is."""
    pos = abscissa[idx].astype(float)
    val = raw[idx].astype(float)
    n = len(raw)
    for k, i in enumerate(idx.tolist()):
        if 1 <= i <= n - 2:
            y0, ym, yp = raw[i], raw[i - 1], raw[i + 1]
            with np.errstate(invalid="ignore", divide="ignore"):
                p = (yp - ym) / (2.0 * (2.0 * y0 - yp - ym))
            val[k] = y0 - 0.25 * (ym - yp) * p
            if p >= 0:
                pos[k] = (1 - p) * abscissa[i] + p * abscissa[i + 1]
            elif p < 0:
                pos[k] = (1 + p) * abscissa[i] - p * abscissa[i - 1]
            else:  # p is NaN: MIRtoolbox leaves its preallocated zero
                pos[k] = 0.0
    return pos, val
