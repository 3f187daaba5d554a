"""Scoring the drift scenarios against true labels: accuracy, macro-F1, impact, drift statistics."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

from turkmood.constants import (
    CLASSES,
    FEATURE_NAMES,
    IMPACT_GAIN,
    IMPACT_LEVELS,
    IMPACT_REFERENCE,
    IMPACT_TOP,
)
from turkmood.drift.holdout import Holdout, class_probabilities
from turkmood.drift.scenarios import DriftedTable, TableScenarioConfig, build_table_scenarios
from turkmood.drift.stats import feature_drift


@dataclass(frozen=True)
class ScenarioResult:
    """What one scenario did to the model and to the feature distributions."""

    key: str
    title: str
    description: str
    n_rows: int
    accuracy: float
    macro_f1: float
    #: Accuracy minus baseline accuracy, in percentage points.
    delta_pp: float
    impact: str
    #: Share of rows predicted as each class (CLASSES order).
    prediction_shares: dict[str, float]
    #: Share of rows whose predicted class differs from the baseline (None if rows resampled).
    changed_share: float | None
    #: Rows = true class, columns = predicted class (CLASSES order).
    confusion: list[list[int]]
    #: Per-feature PSI / KS table (see :func:`turkmood.drift.stats.feature_drift`).
    features: pd.DataFrame
    #: The drifted features as fed to the model (missing cells still NaN).
    X: pd.DataFrame
    #: Share of cells that were missing.
    missing_share: float

    @property
    def n_drifted(self) -> int:
        return int(self.features["drifted"].sum())


@dataclass(frozen=True)
class TableDriftResult:
    """All table scenarios, baseline first, plus what they were computed from."""

    scenarios: list[ScenarioResult]
    config: TableScenarioConfig
    seed: int

    def get(self, key: str) -> ScenarioResult:
        """The scenario with this key."""
        return next(s for s in self.scenarios if s.key == key)


def impact_level(delta_pp: float) -> str:
    """Signed impact of an accuracy change (pp): a loss is rated by its size, a gain is a gain.

    Below 1 pp either way: LOW. A loss of 1 to below 3 pp: MEDIUM, 3 up to and including 5:
    HIGH, more than 5: CRITICAL (``IMPACT_LEVELS``). A gain of 1 pp or more: IMPROVED
    (``IMPACT_GAIN``), whatever its size — never HIGH or CRITICAL like a loss.
    """
    size = abs(delta_pp)
    (low, low_name), (medium, medium_name), (high, high_name) = IMPACT_LEVELS
    if size < low:
        return low_name
    if delta_pp > 0:
        return IMPACT_GAIN
    if size < medium:
        return medium_name
    if size <= high:
        return high_name
    return IMPACT_TOP


def prediction_shares(predicted: np.ndarray) -> dict[str, float]:
    """Share of rows per predicted class, in CLASSES order."""
    n = max(len(predicted), 1)
    return {c: float(np.sum(predicted == c)) / n for c in CLASSES}


def fill_like_imputer(X: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """Missing cells filled with the reference median, as the pipelines' imputer does."""
    cols = list(FEATURE_NAMES)
    return X[cols].fillna(reference[cols].median())


def score_table(
    table: DriftedTable,
    holdout: Holdout,
    baseline_accuracy: float | None,
    baseline_predicted: np.ndarray | None,
) -> tuple[ScenarioResult, np.ndarray]:
    """Predict one drifted table with the held-out model; return its result and predictions."""
    proba = class_probabilities(holdout.estimator, table.X)
    predicted = np.asarray(CLASSES)[proba.argmax(axis=1)]
    truth = table.y.to_numpy()
    accuracy = float(accuracy_score(truth, predicted))
    base = accuracy if baseline_accuracy is None else baseline_accuracy
    delta = 100.0 * (accuracy - base)
    if baseline_predicted is None:  # this is the baseline itself
        changed: float | None = 0.0
    elif table.paired:
        changed = float(np.mean(predicted != baseline_predicted))
    else:  # resampled rows have no baseline partner
        changed = None
    result = ScenarioResult(
        key=table.key,
        title=table.title,
        description=table.description,
        n_rows=len(table.X),
        accuracy=accuracy,
        macro_f1=float(
            f1_score(truth, predicted, labels=list(CLASSES), average="macro", zero_division=0)
        ),
        delta_pp=delta,
        impact=IMPACT_REFERENCE if baseline_predicted is None else impact_level(delta),
        prediction_shares=prediction_shares(predicted),
        changed_share=changed,
        confusion=confusion_matrix(truth, predicted, labels=list(CLASSES)).tolist(),
        features=feature_drift(holdout.X_train, fill_like_imputer(table.X, holdout.X_train)),
        X=table.X,
        missing_share=float(table.X[list(FEATURE_NAMES)].isna().to_numpy().mean()),
    )
    return result, predicted


def run_table_scenarios(
    holdout: Holdout, config: TableScenarioConfig | None = None, seed: int | None = None
) -> TableDriftResult:
    """Build every table scenario on the held-out split and score it (baseline first).

    Drift statistics compare each drifted split with the **training part** the held-out model
    was fitted on; the baseline row therefore shows the sampling noise floor.
    """
    config = config or TableScenarioConfig()
    seed = holdout.seed if seed is None else seed
    tables = build_table_scenarios(holdout.X_test, holdout.y_test, holdout.X_train, config, seed)
    baseline, base_pred = score_table(tables[0], holdout, None, None)
    results = [baseline]
    for table in tables[1:]:
        result, _ = score_table(table, holdout, baseline.accuracy, base_pred)
        results.append(result)
    return TableDriftResult(results, config, seed)


def summary_frame(result: TableDriftResult) -> pd.DataFrame:
    """One row per scenario: impact, accuracy, Δ (pp), macro-F1, drifted features, changes.

    The baseline (first) is the reference: its Δ and changed share are None, not a comparison
    with itself; its drifted features compare the held-out split with the training part.
    """
    rows = [
        {
            "scenario": s.title,
            "impact": s.impact,
            "accuracy": s.accuracy,
            "delta_accuracy_pp": None if i == 0 else s.delta_pp,
            "macro_f1": s.macro_f1,
            "drifted_features": s.n_drifted,
            "predictions_changed": None if i == 0 else s.changed_share,
            "rows": s.n_rows,
        }
        for i, s in enumerate(result.scenarios)
    ]
    return pd.DataFrame(rows)


def worst_scenario(result: TableDriftResult) -> ScenarioResult:
    """The non-baseline scenario with the largest accuracy drop (ties: first in order)."""
    return min(result.scenarios[1:], key=lambda s: s.delta_pp)
