"""Whole-clip spectral timbre and zero-crossing rate (MIRtoolbox 1.7.1).

Reproduces, each on the single whole-clip spectrum ``clip.spectrum`` (symmetric Hamming window,
FFT zero-padded to the next power of two, magnitude, bins 0..Nyquist inclusive):

* ``mircentroid``, ``mirspread``, ``mirskewness``, ``mirkurtosis``: moments of the distribution
  ``d = X + min(X)`` (``peaksegments`` *adds* the minimum; practically a no-op) over frequency in
  Hz. Kurtosis is not excess kurtosis. The centroid obeys the default ``'MaxEntropy', .95``: it
  is NaN when the spectral entropy below exceeds 0.95 (e.g. white noise). Spread, skewness and
  kurtosis use the centroid without that rule, as MIRtoolbox does.
* ``mirflatness``: geometric / arithmetic mean of the raw magnitude over all bins; ±Inf → 0.
* ``mirentropy``: ``q = X / (sum X + 1e-12)``, ``-sum q ln(q + 1e-12) / ln(#bins)``.
* ``mirbrightness``: share of magnitude strictly above 1500 Hz.
* ``mirrolloff``: frequency of the first bin where the cumulative magnitude reaches 85 %.
* ``mirzerocross`` on the waveform: ``#{x[n] x[n-1] < 0} / N * sr / 2`` (per second, one
  direction; exact zeros do not count).

The ``MinRMS`` trimming of these functions acts on frames only and cannot fire on one whole-clip
value, so it is not implemented. On digital silence the ratios are 0/0 and come out NaN, the
entropy 0 and the rolloff 0 Hz, as in MIRtoolbox.
"""

from __future__ import annotations

import math

import numpy as np

from turkmood.features.shared import Clip

#: ``mircentroid`` default: centroid is NaN when the spectral entropy is above this.
CENTROID_MAX_ENTROPY = 0.95
#: ``mirbrightness`` default cut-off frequency (Hz, strict ">").
BRIGHTNESS_CUTOFF_HZ = 1500.0
#: ``mirrolloff`` default threshold (share of the cumulative magnitude).
ROLLOFF_THRESHOLD = 0.85
#: Regulariser used by ``mirentropy``.
ENTROPY_EPS = 1e-12

_NAN = float("nan")


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """Single-threaded sum(a*b) (``np.dot`` goes to a BLAS thread pool that is slow when busy)."""
    return float(np.einsum("i,i->", a, b))


def spectral_moments(freqs: np.ndarray, mag: np.ndarray) -> tuple[float, float, float, float]:
    """(centroid, spread, skewness, kurtosis) of ``mag + min(mag)`` over ``freqs``."""
    dist = mag + mag.min()
    total = float(dist.sum())
    if not total > 0.0:
        return _NAN, _NAN, _NAN, _NAN
    centroid = _dot(freqs, dist) / total
    dev = freqs - centroid
    weighted = dev * dist
    var = _dot(dev, weighted) / total
    spread = math.sqrt(var)
    if spread == 0.0:
        return centroid, spread, _NAN, _NAN
    dev2 = np.multiply(dev, dev, out=dev)
    third = _dot(dev2, weighted) / total
    fourth = float(np.einsum("i,i,i->", dev2, dev2, dist)) / total
    return centroid, spread, third / spread**3, fourth / var**2


def spectral_entropy(mag: np.ndarray) -> float:
    """``mirentropy``: Shannon entropy of the normalised magnitude, divided by ln(#bins)."""
    q = np.maximum(mag, 0.0)
    q /= float(mag.sum()) + ENTROPY_EPS
    logq = np.log(q + ENTROPY_EPS)
    return -_dot(q, logq) / math.log(mag.size)


def spectral_flatness(mag: np.ndarray) -> float:
    """``mirflatness``: geometric mean / arithmetic mean of the magnitude (NaN on silence)."""
    arith = float(mag.mean())
    geo = 0.0 if np.any(mag == 0.0) else math.exp(float(np.mean(np.log(mag))))
    if arith == 0.0:
        return _NAN if geo == 0.0 else 0.0
    value = geo / arith
    return 0.0 if math.isinf(value) else value


def brightness(freqs: np.ndarray, cumulative: np.ndarray) -> float:
    """``mirbrightness``: share of the magnitude at frequencies > 1500 Hz (NaN on silence)."""
    total = float(cumulative[-1])
    if not total > 0.0:
        return _NAN
    first_above = int(np.searchsorted(freqs, BRIGHTNESS_CUTOFF_HZ, side="right"))
    below = float(cumulative[first_above - 1]) if first_above > 0 else 0.0
    return (total - below) / total


def rolloff(freqs: np.ndarray, cumulative: np.ndarray) -> float:
    """``mirrolloff``: first frequency where the cumulative magnitude reaches 85 % of the total."""
    idx = int(np.searchsorted(cumulative, ROLLOFF_THRESHOLD * cumulative[-1], side="left"))
    return float(freqs[min(idx, freqs.size - 1)])


def zero_crossing_rate(y: np.ndarray, sr: float) -> float:
    """``mirzerocross`` default ('Per' second, 'Dir' one): sign changes / N * sr / 2."""
    if y.size == 0:
        return _NAN
    crossings = np.count_nonzero(y[1:] * y[:-1] < 0.0)
    return crossings / y.size * sr / 2.0


def features(clip: Clip) -> dict[str, float]:
    """The nine whole-clip spectral / ZCR columns of the UCI table."""
    freqs, mag = clip.spectrum
    centroid, spread, skew, kurt = spectral_moments(freqs, mag)
    entropy = spectral_entropy(mag)
    if entropy > CENTROID_MAX_ENTROPY:
        centroid = _NAN
    cumulative = np.cumsum(mag)
    return {
        "_Zero-crossingrate_Mean": zero_crossing_rate(clip.y, clip.sr),
        "_Rolloff_Mean": rolloff(freqs, cumulative),
        "_Brightness_Mean": brightness(freqs, cumulative),
        "_Spectralcentroid_Mean": centroid,
        "_Spectralspread_Mean": spread,
        "_Spectralskewness_Mean": skew,
        "_Spectralkurtosis_Mean": kurt,
        "_Spectralflatness_Mean": spectral_flatness(mag),
        "_EntropyofSpectrum_Mean": entropy,
    }
