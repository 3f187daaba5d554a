"""The held-out split the drift scenarios are measured on, and a model that never saw it.

The shipped models were fitted on every training row, so their accuracy on those rows says
nothing. :func:`make_holdout` splits the de-duplicated rows (stratified, fixed seed) and fits a
fresh ``sklearn.base.clone`` of the chosen model's estimator on the training part only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from turkmood.constants import CLASSES, DRIFT_HOLDOUT_SHARE, FEATURE_NAMES, SEED
from turkmood.data import TrainingData
from turkmood.model import LoadedModel


@dataclass(frozen=True)
class Holdout:
    """Training and held-out parts of the table and the clone fitted on the training part."""

    X_train: pd.DataFrame
    y_train: pd.Series
    X_test: pd.DataFrame
    y_test: pd.Series
    estimator: BaseEstimator
    source_version: str
    data_sha256: str
    seed: int
    test_share: float

    @property
    def sizes(self) -> dict[str, int]:
        """Rows in each part."""
        return {"train": len(self.X_train), "held_out": len(self.X_test)}


def split_rows(
    data: TrainingData, seed: int = SEED, test_share: float = DRIFT_HOLDOUT_SHARE
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series]:
    """Stratified train / held-out split of the de-duplicated rows (indices reset)."""
    X_tr, X_te, y_tr, y_te = train_test_split(
        data.X, data.y, test_size=test_share, stratify=data.y, random_state=seed
    )
    return (
        X_tr.reset_index(drop=True),
        X_te.reset_index(drop=True),
        y_tr.reset_index(drop=True),
        y_te.reset_index(drop=True),
    )


def make_holdout(
    model: LoadedModel,
    data: TrainingData,
    seed: int = SEED,
    test_share: float = DRIFT_HOLDOUT_SHARE,
) -> Holdout:
    """Split, then fit a clone of ``model``'s estimator on the training part (one thread)."""
    X_tr, X_te, y_tr, y_te = split_rows(data, seed, test_share)
    estimator = clone(model.pipeline)
    with threadpool_limits(1):
        estimator.fit(X_tr, y_tr)
    return Holdout(X_tr, y_tr, X_te, y_te, estimator, model.version, data.sha256, seed, test_share)


def class_probabilities(estimator: BaseEstimator, X: pd.DataFrame) -> np.ndarray:
    """``predict_proba`` of the 50 feature columns with columns in ``CLASSES`` order."""
    raw = np.asarray(estimator.predict_proba(X[list(FEATURE_NAMES)].astype(float)))
    return raw[:, [list(estimator.classes_).index(c) for c in CLASSES]]
