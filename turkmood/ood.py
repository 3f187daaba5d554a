"""Out-of-distribution check: is a clip's feature vector like the training songs?

Two views, both fitted on the de-duplicated training table:

- per feature, a robust z-score ``(x - median) / (1.4826 * MAD)`` — tells *which* features are off;
- per feature, the training range widened by OOD_RANGE_MARGIN of its width on each side (measured
  on a log scale for features that are positive in every training row, so a ZCR of 0.05 /s against
  a training minimum of 150 /s is out): a value outside it flags the clip even when the overall
  distance stays moderate;
- overall, the Mahalanobis distance in robust-z space under a Ledoit–Wolf shrunk covariance.
  Its threshold is the (1 - OOD_FALSE_ALARM_RATE) quantile of **out-of-fold** distances
  (each training row scored by a model fitted without it), so about 1 % of genuinely
  in-distribution songs are flagged — in-sample distances would be optimistic.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from sklearn.covariance import LedoitWolf
from sklearn.model_selection import KFold

from turkmood.constants import (
    FEATURE_NAMES,
    NON_MUSIC_MAX_ENTROPY,
    NON_MUSIC_MIN_FLATNESS,
    OOD_CALIBRATION_FOLDS,
    OOD_FALSE_ALARM_RATE,
    OOD_FEATURE_Z,
    OOD_RANGE_MARGIN,
    OOD_TOP_FEATURES,
    SEED,
)
from turkmood.data import load_training_data


@dataclass(frozen=True)
class _Scaler:
    median: np.ndarray
    scale: np.ndarray

    def z(self, X: np.ndarray) -> np.ndarray:
        return (X - self.median) / self.scale


@dataclass(frozen=True)
class OODDetector:
    """Fitted robust scaler, shrunk precision matrix and calibrated distance threshold."""

    scaler: _Scaler
    location: np.ndarray
    precision: np.ndarray
    threshold: float
    low: np.ndarray
    high: np.ndarray
    log_scale: np.ndarray  # bool per feature: range checked on log(x)

    def outside_range(self, X: np.ndarray) -> np.ndarray:
        """Boolean (rows, features): value outside the widened training range."""
        return _outside(X, self.low, self.high, self.log_scale)

    def distance(self, X: np.ndarray) -> np.ndarray:
        """Mahalanobis distance of each row (in robust-z space)."""
        d = self.scaler.z(X) - self.location
        return np.sqrt(np.einsum("ij,jk,ik->i", d, self.precision, d))


@dataclass(frozen=True)
class OODResult:
    """Verdict for one feature vector: flag, score vs threshold, and the most-off features."""

    is_ood: bool
    distance: float
    threshold: float
    out_of_range: list[str]  # features outside the widened training range
    most_off: list[tuple[str, float]]  # (feature, robust z), largest |z| first
    #: Why the clip is clearly not music ("" when it may be): see :func:`non_music_reason`.
    non_music: str = ""

    @property
    def far_features(self) -> list[str]:
        """Features whose |robust z| exceeds OOD_FEATURE_Z."""
        return [name for name, z in self.most_off if abs(z) > OOD_FEATURE_Z]


def _range_scale(X: np.ndarray, log_scale: np.ndarray) -> np.ndarray:
    tiny = np.finfo(float).tiny
    return np.where(log_scale, np.log(np.maximum(X, tiny)), X)


def _outside(X: np.ndarray, low: np.ndarray, high: np.ndarray, log_scale: np.ndarray) -> np.ndarray:
    T = _range_scale(X, log_scale)
    return np.logical_or(T < low, T > high)


def _fit_range(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    log_scale = X.min(axis=0) > 0
    T = _range_scale(X, log_scale)
    margin = OOD_RANGE_MARGIN * (T.max(axis=0) - T.min(axis=0))
    return T.min(axis=0) - margin, T.max(axis=0) + margin, log_scale


def _fit_scaler(X: np.ndarray) -> _Scaler:
    median = np.median(X, axis=0)
    mad = 1.4826 * np.median(np.abs(X - median), axis=0)
    # A feature with MAD 0 (e.g. mostly-zero chroma bins) falls back to its std, then to 1.
    std = X.std(axis=0)
    scale = np.where(mad > 0, mad, np.where(std > 0, std, 1.0))
    return _Scaler(median=median, scale=scale)


def _fit_core(X: np.ndarray) -> tuple[_Scaler, np.ndarray, np.ndarray]:
    scaler = _fit_scaler(X)
    lw = LedoitWolf().fit(scaler.z(X))
    return scaler, lw.location_, lw.precision_


def fit_detector(X: np.ndarray, seed: int = SEED) -> OODDetector:
    """Fit on training rows and calibrate the threshold on out-of-fold distances."""
    X = np.asarray(X, dtype=float)
    oof = np.empty(len(X))
    folds = KFold(n_splits=OOD_CALIBRATION_FOLDS, shuffle=True, random_state=seed)
    for train_idx, test_idx in folds.split(X):
        scaler, loc, prec = _fit_core(X[train_idx])
        probe = OODDetector(scaler, loc, prec, np.inf, *_fit_range(X[train_idx]))
        oof[test_idx] = probe.distance(X[test_idx])
    scaler, loc, prec = _fit_core(X)
    threshold = float(np.quantile(oof, 1.0 - OOD_FALSE_ALARM_RATE))
    return OODDetector(scaler, loc, prec, threshold, *_fit_range(X))


@lru_cache(maxsize=1)
def training_detector() -> OODDetector:
    """The detector fitted on the bundled training table (computed once per process)."""
    return fit_detector(load_training_data().X.to_numpy())


_FLATNESS = FEATURE_NAMES.index("_Spectralflatness_Mean")
_ENTROPY = FEATURE_NAMES.index("_EntropyofSpectrum_Mean")
NOISE_REASON = "it sounds like noise (a flat spectrum, like hiss or static)"
TONE_REASON = "it sounds like a steady tone (nearly all energy at a few frequencies)"


def non_music_reason(x: np.ndarray) -> str:
    """Why a feature vector is clearly not music ("" when it may be).

    Noise: spectral flatness above ``NON_MUSIC_MIN_FLATNESS`` (white noise ~0.85; the flattest
    training song 0.21). Tone: spectral entropy below ``NON_MUSIC_MAX_ENTROPY`` (a sine ~0.27;
    the most tonal training song 0.74, a solo ney or oud ~0.70). Anything else unusual (speech, a
    chirp, pink noise) is only "unlike the training music": these rules name the obvious cases.
    """
    if x[_FLATNESS] > NON_MUSIC_MIN_FLATNESS:
        return NOISE_REASON
    if x[_ENTROPY] < NON_MUSIC_MAX_ENTROPY:
        return TONE_REASON
    return ""


def check_features(
    features: pd.DataFrame | dict[str, float], detector: OODDetector | None = None
) -> list[OODResult]:
    """OOD verdict for each row of a 50-column table (or a single feature dict)."""
    detector = detector or training_detector()
    frame = pd.DataFrame([features]) if isinstance(features, dict) else features
    X = frame[list(FEATURE_NAMES)].to_numpy(dtype=float)
    dist = detector.distance(X)
    z = detector.scaler.z(X)
    results = []
    outside = detector.outside_range(X)
    for row_x, row_z, row_d, row_out in zip(X, z, dist, outside, strict=True):
        order = np.argsort(-np.abs(row_z))[:OOD_TOP_FEATURES]
        results.append(
            OODResult(
                is_ood=bool(row_d > detector.threshold or row_out.any()),
                distance=float(row_d),
                threshold=detector.threshold,
                out_of_range=[FEATURE_NAMES[i] for i in np.flatnonzero(row_out)],
                most_off=[(FEATURE_NAMES[i], float(row_z[i])) for i in order],
                non_music=non_music_reason(row_x),
            )
        )
    return results
