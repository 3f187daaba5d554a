"""The model zoo: every candidate classifier as a self-contained sklearn Pipeline.

Each pipeline starts with ``SimpleImputer(strategy="median")`` so missing cells in a user table
are handled inside the model, followed by its own scaling where the learner needs it.
Hyper-parameters are fixed a priori (library defaults or textbook values) unless the candidate
wraps a search, which then runs on the training folds only (nested inside the outer CV).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.calibration import CalibratedClassifierCV
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.ensemble import (
    ExtraTreesClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
    VotingClassifier,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.svm import SVC

from turkmood.constants import FEATURE_NAMES


@dataclass(frozen=True)
class Candidate:
    """A named model factory with a one-line description for the model card."""

    name: str
    description: str
    build: Callable[[int], BaseEstimator]


#: Strictly non-negative MIRtoolbox columns with long right tails (energies, roughness, spectral
#: shape moments, rates); ``log1p`` makes them closer to symmetric for linear and kernel models.
#: Chosen from what the features measure, not from label information.
SKEWED_FEATURES: tuple[str, ...] = (
    "_RMSenergy_Mean",
    "_Fluctuation_Mean",
    "_Roughness_Mean",
    "_AttackTime_Mean",
    "_Eventdensity_Mean",
    "_Spectralskewness_Mean",
    "_Spectralkurtosis_Mean",
    "_Spectralflatness_Mean",
)
_SKEWED_INDEX = [FEATURE_NAMES.index(c) for c in SKEWED_FEATURES]


def log_skewed(X: np.ndarray) -> np.ndarray:
    """``log1p`` of the :data:`SKEWED_FEATURES` columns (negatives clipped to 0), rest as is."""
    out = np.array(X, dtype=float, copy=True)
    out[:, _SKEWED_INDEX] = np.log1p(np.clip(out[:, _SKEWED_INDEX], 0.0, None))
    return out


def _impute() -> SimpleImputer:
    return SimpleImputer(strategy="median")


def logreg(seed: int) -> Pipeline:
    """Multinomial logistic regression on standardised features (C=1)."""
    return Pipeline(
        [
            ("impute", _impute()),
            ("scale", StandardScaler()),
            ("clf", LogisticRegression(C=1.0, max_iter=5000, random_state=seed)),
        ]
    )


def _platt(svc: SVC) -> CalibratedClassifierCV:
    """Platt-style probabilities for an SVC: sigmoid fitted on 5-fold decision values."""
    return CalibratedClassifierCV(svc, method="sigmoid", cv=StratifiedKFold(5), ensemble=False)


def svc_rbf(seed: int) -> Pipeline:
    """RBF support vector classifier (C=1, gamma='scale'), sigmoid (Platt) probabilities."""
    return Pipeline(
        [
            ("impute", _impute()),
            ("scale", StandardScaler()),
            ("clf", _platt(SVC(kernel="rbf", C=1.0, gamma="scale"))),
        ]
    )


def random_forest(seed: int) -> Pipeline:
    """Random forest, 500 trees, sqrt features per split."""
    return Pipeline(
        [
            ("impute", _impute()),
            ("clf", RandomForestClassifier(n_estimators=500, random_state=seed, n_jobs=1)),
        ]
    )


def extra_trees(seed: int) -> Pipeline:
    """Extremely randomised trees, 500 trees, sqrt features per split."""
    return Pipeline(
        [
            ("impute", _impute()),
            ("clf", ExtraTreesClassifier(n_estimators=500, random_state=seed, n_jobs=1)),
        ]
    )


def hist_gb(seed: int) -> Pipeline:
    """Histogram gradient boosting (200 iterations, learning rate 0.05, no early stopping)."""
    return Pipeline(
        [
            ("impute", _impute()),
            (
                "clf",
                HistGradientBoostingClassifier(
                    max_iter=200, learning_rate=0.05, early_stopping=False, random_state=seed
                ),
            ),
        ]
    )


def _log_scaled(clf: BaseEstimator) -> Pipeline:
    """Impute -> log of skewed columns -> standardise -> ``clf``."""
    return Pipeline(
        [
            ("impute", _impute()),
            ("log", FunctionTransformer(log_skewed)),
            ("scale", StandardScaler()),
            ("clf", clf),
        ]
    )


def soft_vote(seed: int) -> VotingClassifier:
    """Soft vote (equal weights) of four model families, each a full pipeline: shrinkage LDA,
    logistic regression (C=0.3) and RBF-SVC (C=1, Platt) on log-transformed skewed columns +
    standardisation, and extra trees (200 trees) on the raw columns."""
    return VotingClassifier(
        [
            ("lda", _log_scaled(LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto"))),
            ("logreg", _log_scaled(LogisticRegression(C=0.3, max_iter=5000, random_state=seed))),
            ("svc", _log_scaled(_platt(SVC(kernel="rbf", C=1.0, gamma="scale")))),
            (
                "extra_trees",
                Pipeline(
                    [
                        ("impute", _impute()),
                        (
                            "clf",
                            ExtraTreesClassifier(n_estimators=200, random_state=seed, n_jobs=1),
                        ),
                    ]
                ),
            ),
        ],
        voting="soft",
    )


CANDIDATES: dict[str, Candidate] = {
    c.name: c
    for c in (
        Candidate("logreg", logreg.__doc__ or "", logreg),
        Candidate("svc_rbf", svc_rbf.__doc__ or "", svc_rbf),
        Candidate("random_forest", random_forest.__doc__ or "", random_forest),
        Candidate("extra_trees", extra_trees.__doc__ or "", extra_trees),
        Candidate("hist_gb", hist_gb.__doc__ or "", hist_gb),
        Candidate("soft_vote", " ".join((soft_vote.__doc__ or "").split()), soft_vote),
    )
}

#: Declared default; training checks it against the deployment criteria and reports the result.
DEFAULT_MODEL = "soft_vote"
