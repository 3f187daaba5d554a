"""Tempo, pulse clarity and event density (MIRtoolbox 1.7.1), re-implemented.

* ``_Tempo_Mean`` (``mirtempo``): autocorrelation of the gammatone onset curve O3 over lags
  0.3-1.5 s (40-200 BPM), weighted by the Toiviainen-Snyder resonance curve, "enhanced" (the
  curve minus its time-stretched copies by 2..10, half-wave rectified, see ``enhance``), then
  the highest peak (contrast 0.1, per-curve normalisation, ends excluded) with parabolic
  interpolation of its lag; BPM = 60 / lag. NaN when no peak exists.
* ``_Pulseclarity_Mean`` (``mirpulseclarity``, model 'MaxAutocor'): the same resonance-weighted
  autocorrelation, without enhancement, of the differentiated spectral onset curve O1; the value
  is its maximum.
* ``_Eventdensity_Mean`` (``mireventdensity``): peaks of O1 with ``mirpeaks`` defaults
  (contrast 0.1, global normalisation, end samples allowed), divided by the curve duration
  (#frames / envelope rate).
"""

from __future__ import annotations

import math

import numpy as np

from turkmood.features import onsets
from turkmood.features.fft import real_autocorrelation
from turkmood.features.onsets import Envelope
from turkmood.features.peaks import find_peaks
from turkmood.features.shared import Clip

#: ``mirtempo`` lag range in BPM (``'Min'`` 40, ``'Max'`` 200): lags 0.3 .. 1.5 s.
TEMPO_MIN_BPM, TEMPO_MAX_BPM = 40.0, 200.0
#: Toiviainen-Snyder resonance centre (s).
RESONANCE_CENTRE_S = 0.5
#: Enhancement factors of ``mirautocor(..., 'Enhanced')`` as used by ``mirtempo``.
ENHANCE_FACTORS = tuple(range(2, 11))
#: ``mirtempo`` peak contrast; ``mirautocor`` enhancement peak/valley contrast;
#: ``mirpeaks`` default contrast (event density).
TEMPO_CONTRAST, ENHANCE_CONTRAST, DEFAULT_CONTRAST = 0.1, 0.01, 0.1
#: Tolerance (s) when comparing lags with the range limits (absorbs float noise in positions).
_LAG_EPS = 1e-9

_NAN = float("nan")


def autocorrelation(env: Envelope, min_lag: float, max_lag: float) -> tuple[np.ndarray, np.ndarray]:
    """``mirautocor`` of an envelope (no window, 'coeff' scaling) for lags in [min, max] s.

    The curve is centred; coefficients are xcorr values divided by the lag-0 value. The lag
    range ends at the first lag >= ``max_lag`` (capped at half the curve length) as in
    MIRtoolbox. Returns (coefficients, lags in s).
    """
    x = np.nan_to_num(np.asarray(env.values, dtype=float), nan=0.0)
    lags_all = env.times - env.times[0]
    n = len(x)
    if n == 0:
        return np.zeros(0), np.zeros(0)
    above_min = np.flatnonzero(lags_all >= min_lag - _LAG_EPS)
    lo = int(above_min[0]) if above_min.size else 0
    above_max = np.flatnonzero(lags_all >= max_lag - _LAG_EPS)
    hi = int(above_max[0]) + 1 if above_max.size else n  # number of lags 0..hi-1
    hi = min(hi, math.ceil(n / 2))
    x = x - x.mean()
    n_fft = 1 << int(math.ceil(math.log2(max(2 * n - 1, 1))))
    full = real_autocorrelation(x, n_fft, hi)
    zero = float(np.dot(x, x))
    if zero:
        full = full / zero
    coeff = full[lo:]
    return coeff, lags_all[lo : lo + len(coeff)]


def resonance(coeff: np.ndarray, lags: np.ndarray) -> np.ndarray:
    """Multiply by the Toiviainen-Snyder curve max(0, 1 - 0.25 log2(lag/0.5)^2), max-normalised."""
    w = np.maximum(1.0 - 0.25 * np.log2(np.maximum(lags, 1e-12) / RESONANCE_CENTRE_S) ** 2, 0.0)
    if not w.size or w.max() == 0:
        return coeff
    return coeff * (w / w.max())


def enhance(coeff: np.ndarray, lags: np.ndarray, factors=ENHANCE_FACTORS) -> np.ndarray:
    """``mirautocor`` enhancement (post-processing in 1.7.1), re-implemented.

    The curve is lowered by the highest valley lying below its lowest peak, its initial
    descending part is dropped and its initial ascending slope is prolonged to the left down to
    zero (slope growing by 10 % per step); then for each factor f the curve stretched by f
    (linear interpolation at lag/f) is subtracted and the result half-wave rectified. The
    temporary extension is removed and the valley offset added back.
    """
    c = np.asarray(coeff, dtype=float)
    if len(c) < 2:
        return c.copy()
    peaks = find_peaks(c, ENHANCE_CONTRAST, normalize="local", no_begin=True, no_end=True)
    valleys = find_peaks(c, ENHANCE_CONTRAST, normalize="local", valleys=True)
    offset = None
    if len(peaks):
        lowest_peak = np.min(peaks.value)
        below = np.flatnonzero(valleys.value < lowest_peak)
        if below.size:
            offset = float(valleys.value[below[-1]])
            c = c - offset
    cur = c.copy()
    t = np.asarray(lags, dtype=float).copy()
    slope = cur[1] - cur[0]
    step = t[1] - t[0]
    dropped = added = 0
    repeated = np.flatnonzero(np.diff(t) == 0)
    t[repeated + 1] = t[repeated] + 1e-12
    if slope < 0:
        rising = np.flatnonzero(np.diff(cur) > 0)
        dropped = int(rising[0]) if rising.size else 0
        cur, t = cur[dropped:], t[dropped:]
        if len(cur) < 2:  # MIRtoolbox indexes past the end here and the call fails
            raise ValueError("autocorrelation too short to enhance")
        slope = cur[1] - cur[0]
    if slope > 0:
        prefix_c, prefix_t = [], []
        first_c, first_t = cur[0], t[0]
        while first_c > 0:
            slope *= 1.1
            added += 1
            first_c -= slope
            first_t -= step
            prefix_c.append(first_c)
            prefix_t.append(first_t)
        cur = np.concatenate((prefix_c[::-1], cur))
        t = np.concatenate((prefix_t[::-1], t))
        cur[0] = 0.0
    for f in factors:
        start = np.flatnonzero((t != 0) & (t / f >= t[0]))
        if not start.size:
            continue
        scaled = _interp_nan(t / f, t, cur)
        scaled[: start[0]] = 0.0
        scaled[np.isnan(scaled)] = np.inf
        cur = np.maximum(cur - np.maximum(scaled, 0.0), 0.0)
    if added >= dropped:
        out = cur[added - dropped :]
        if offset is not None:
            out = out + offset
    else:
        out = np.concatenate((np.zeros(dropped - added), cur))
    return out


def _interp_nan(xq: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Linear interpolation with NaN outside [x[0], x[-1]] (Octave ``interp1`` default)."""
    out = np.interp(xq, x, y)
    out[(xq < x[0]) | (xq > x[-1])] = np.nan
    return out


def tempo_from_onsets(env: Envelope) -> float:
    """``mirtempo`` BPM of an onset curve (enhanced, resonance-weighted autocorrelation)."""
    if len(env) < 2 or not np.any(np.isfinite(env.values)):
        return _NAN
    coeff, lags = autocorrelation(env, 60.0 / TEMPO_MAX_BPM, 60.0 / TEMPO_MIN_BPM)
    if len(coeff) < 2:
        return _NAN
    try:
        coeff = enhance(resonance(coeff, lags), lags)
    except ValueError:
        return _NAN
    best = find_peaks(
        coeff,
        TEMPO_CONTRAST,
        normalize="local",
        no_begin=True,
        no_end=True,
        total=1,
        x=lags,
        interpolate=True,
    )
    if not len(best):
        return _NAN
    return float(60.0 / best.pos[0])


def pulse_clarity_from_onsets(env: Envelope) -> float:
    """``mirpulseclarity`` 'MaxAutocor': max of the resonance-weighted autocorrelation."""
    coeff, lags = autocorrelation(env, 60.0 / TEMPO_MAX_BPM, 60.0 / TEMPO_MIN_BPM)
    weighted = resonance(coeff, lags)
    if not weighted.size or np.all(np.isnan(weighted)):
        return _NAN
    return float(np.nanmax(weighted))


def event_density_from_onsets(env: Envelope) -> float:
    """``mireventdensity``: #peaks (``mirpeaks`` defaults) per second of onset curve."""
    if not len(env):
        return _NAN
    n_peaks = len(find_peaks(env.values, DEFAULT_CONTRAST))
    return float(n_peaks * env.rate / len(env))


def features(clip: Clip) -> dict[str, float]:
    """``_Tempo_Mean``, ``_Pulseclarity_Mean`` and ``_Eventdensity_Mean`` of one clip."""
    return {
        "_Tempo_Mean": tempo_from_onsets(onsets.o3(clip)),
        "_Pulseclarity_Mean": pulse_clarity_from_onsets(onsets.o1_diff(clip)),
        "_Eventdensity_Mean": event_density_from_onsets(onsets.o1(clip)),
    }
