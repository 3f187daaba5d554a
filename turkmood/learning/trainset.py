"""The challenger's training set and fit: de-duplicated UCI rows + the user's label windows.

The shipped default (``soft_vote`` in sigmoid calibration) cannot take a ``sample_weight``: its
voting members are Pipelines (which accept only ``step__sample_weight``) and shrinkage LDA has
no sample weight at all. A user weight ``w`` (an integer multiple of a UCI row's weight) is
therefore applied by **repeating** each user window ``w`` times, which is exactly a weight of
``w`` for every member's loss. The copies of a track stay next to each other (and after the UCI
rows), so the unshuffled inner folds of the calibration and of the SVC's Platt scaling keep a
track's copies together instead of scoring a model on rows it was trained on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

from turkmood.candidates import CANDIDATES, DEFAULT_MODEL
from turkmood.constants import FEATURE_NAMES, MANIFEST_PATH, SEED

__all__ = ["default_pipeline", "default_pipeline_name", "fit_with_user_rows", "training_set"]


def default_pipeline_name() -> str:
    """Name of the shipped default (from the manifest; the declared candidate if unreadable)."""
    from turkmood.errors import ModelError
    from turkmood.model import read_manifest

    try:
        return read_manifest(MANIFEST_PATH)["default_model"]
    except ModelError:
        return DEFAULT_MODEL


def default_pipeline(seed: int = SEED) -> BaseEstimator:
    """An unfitted copy of the shipped default's recipe (same candidate, same calibration)."""
    from turkmood.train import CALIBRATED_SUFFIX, calibrated

    name = default_pipeline_name()
    base = name.removesuffix(CALIBRATED_SUFFIX)
    if base not in CANDIDATES:
        base, name = DEFAULT_MODEL, DEFAULT_MODEL + CALIBRATED_SUFFIX
    estimator = CANDIDATES[base].build(seed)
    return calibrated(estimator) if name.endswith(CALIBRATED_SUFFIX) else estimator


def training_set(
    X_uci: pd.DataFrame, y_uci: pd.Series, windows: pd.DataFrame | None, weight: int
) -> tuple[pd.DataFrame, pd.Series]:
    """UCI rows followed by every user window repeated ``weight`` times (0: UCI rows only)."""
    if weight < 0 or int(weight) != weight:
        raise ValueError(f"the user weight must be a non-negative integer, got {weight!r}")
    X = X_uci[list(FEATURE_NAMES)].astype(float).reset_index(drop=True)
    y = pd.Series(y_uci, dtype=str).reset_index(drop=True)
    if windows is None or windows.empty or weight == 0:
        return X, y
    order = windows.sort_values(["clip_hash", "window"], kind="stable")
    index = np.repeat(np.arange(len(order)), int(weight))
    X_user = order[list(FEATURE_NAMES)].astype(float).iloc[index].reset_index(drop=True)
    y_user = order["emotion"].astype(str).iloc[index].reset_index(drop=True)
    return pd.concat([X, X_user], ignore_index=True), pd.concat([y, y_user], ignore_index=True)


def fit_with_user_rows(
    estimator: BaseEstimator,
    X_uci: pd.DataFrame,
    y_uci: pd.Series,
    windows: pd.DataFrame | None,
    weight: int,
) -> BaseEstimator:
    """A fresh clone of ``estimator`` fitted on :func:`training_set`."""
    X, y = training_set(X_uci, y_uci, windows, weight)
    return clone(estimator).fit(X, y)
