"""Statistics of a framed feature curve, as ``mirstat`` computes them in MIRtoolbox 1.7.1.

For a curve d (one value per frame, NaN = missing) with frame start times t (seconds):

* ``Mean``  mean of the non-NaN values;
* ``Std``   sample standard deviation (N-1); NaN when it is 0 or there is a single value;
* ``Slope`` the 1.7.1 formula (before commit 3e93329): the z-scored values regressed *through
  the origin* on the uncentred index time ``linspace(0, 1, N_all)`` taken at the non-NaN
  positions. A perfect ramp gives about sqrt(3)/2; later versions centre the time axis;
* ``PeriodFreq`` / ``PeriodAmp``  from the raw (not centred) autocorrelation normalised to 1 at
  lag 0 (MATLAB ``xcorr(..., 'coeff')``): everything up to the end of its first descending
  slope is zeroed, the highest remaining lag gives PeriodAmp and 1/(lag * frame step) gives
  PeriodFreq. Both are NaN when there is no trough, or when frame steps are irregular;
* ``PeriodEntropy``  Shannon entropy of |autocorrelation| / sum, divided by ln(#lags).

Known difference: none intended. MATLAB's ``mean``/``std`` and ``xcorr`` are replaced by numpy,
so results agree to rounding (~1e-12 relative).
"""

from __future__ import annotations

import math

import numpy as np

#: Names of the six statistics, in the order ``mirstat`` reports them.
STAT_NAMES: tuple[str, ...] = (
    "Mean",
    "Std",
    "Slope",
    "PeriodFreq",
    "PeriodAmp",
    "PeriodEntropy",
)


def frame_step(frame_times: np.ndarray) -> float:
    """Frame step in seconds, or NaN when steps are irregular (mirstat's 1 ms rounding rule).

    ``frame_times`` are the frames' start times. MIRtoolbox sums the rounded (to 1 ms)
    second differences of the times and calls the sampling irregular if that sum is non-zero.
    """
    t = np.asarray(frame_times, dtype=float)
    steps = np.diff(t)
    if steps.size == 0:
        return math.nan
    if np.sum(_matlab_round(np.diff(steps) * 1000.0)) != 0:
        return math.nan
    return float(t[1] - t[0])


def autocorr_coeff(d: np.ndarray) -> np.ndarray:
    """Autocorrelation for lags 0..N-1 of the raw curve, divided by its lag-0 value.

    Computed directly (no FFT), so exact zeros stay exact; curves here have <= a few thousand
    values. An all-zero curve gives NaN everywhere, as MATLAB's 0/0.
    """
    x = np.asarray(d, dtype=float)
    c = np.correlate(x, x, mode="full")[x.size - 1 :]
    with np.errstate(invalid="ignore", divide="ignore"):
        return c / float(np.dot(x, x))


def framed_stats(d: np.ndarray, frame_times: np.ndarray) -> dict[str, float]:
    """The six ``mirstat`` statistics of curve ``d`` sampled at ``frame_times`` (seconds)."""
    d = np.asarray(d, dtype=float).ravel()
    out = dict.fromkeys(STAT_NAMES, math.nan)
    step = frame_step(frame_times)
    keep = np.flatnonzero(~np.isnan(d))
    if keep.size == 0:
        return out
    dn = d[keep]
    mean = float(np.mean(dn))
    out["Mean"] = mean
    std = float(np.std(dn, ddof=1)) if dn.size > 1 else 0.0
    if std > 0:
        out["Std"] = std
        z = (dn - mean) / std
        t = np.linspace(0.0, 1.0, d.size)[keep]
        out["Slope"] = float(np.dot(z, t) / np.dot(t, t)) if np.dot(t, t) > 0 else math.nan
    if dn.size > 1:
        cor = autocorr_coeff(dn)
        out.update(_periodicity(cor, step))
        out["PeriodEntropy"] = _period_entropy(cor)
    return out


def _periodicity(cor: np.ndarray, step: float) -> dict[str, float]:
    """PeriodAmp/PeriodFreq: highest autocorrelation lag after the first descending slope."""
    rises = np.flatnonzero(cor[1:] > cor[:-1])
    if rises.size == 0 or math.isnan(step):
        return {}
    cor2 = cor.copy()
    cor2[: rises[0] + 1] = 0.0
    lag = int(np.argmax(cor2))  # MATLAB max: first of ties; NaN cannot occur here
    result = {"PeriodAmp": float(cor2[lag])}
    if lag > 0:
        result["PeriodFreq"] = 1.0 / lag / step
    return result


def _period_entropy(cor: np.ndarray) -> float:
    """Entropy of the normalised |autocorrelation|, scaled to [0, 1] by ln(#lags)."""
    a = np.abs(cor)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = a / np.sum(a)
        return float(-np.sum(p * np.log(p + 1e-12)) / math.log(len(cor)))


def _matlab_round(x: np.ndarray) -> np.ndarray:
    """MATLAB ``round``: halves away from zero."""
    return np.sign(x) * np.floor(np.abs(x) + 0.5)
