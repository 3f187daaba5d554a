"""Feature-table drift scenarios: pure transforms of the held-out split.

All changes are made in the **original units** of the features (the pipelines standardise
internally, so a shift of standardised values would be undone). Every random choice uses a
``numpy.random.Generator`` derived from ``(seed, scenario number)``: the same seed gives the same
drifted tables, whatever the order in which scenarios are built.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from turkmood.constants import CLASSES, DRIFT_OUTLIER_Z, FEATURE_NAMES

#: Scenario keys in display order.
TABLE_SCENARIOS: tuple[str, ...] = (
    "baseline",
    "mean_shift",
    "variance",
    "combined",
    "missing",
    "imbalance",
)


@dataclass(frozen=True)
class TableScenarioConfig:
    """Intensities of the table scenarios (the UI sliders)."""

    mean_shift: float = 0.30
    variance_factor: float = 1.5
    combined_mean_shift: float = 0.20
    combined_variance_factor: float = 1.3
    combined_outlier_share: float = 0.05
    missing_share: float = 0.10
    imbalance_class: str = "happy"
    imbalance_share: float = 0.70
    #: Features changed by the mean-shift, variance and combined scenarios.
    features: tuple[str, ...] = field(default=FEATURE_NAMES)


@dataclass(frozen=True)
class DriftedTable:
    """One scenario's drifted split: features (may hold NaN), labels and whether rows are paired
    with the baseline rows (False when rows were resampled)."""

    key: str
    title: str
    description: str
    X: pd.DataFrame
    y: pd.Series
    paired: bool


def shift_mean(X: pd.DataFrame, share: float, features: Sequence[str]) -> pd.DataFrame:
    """Each selected value ``x`` becomes ``x + share * x`` (original units)."""
    out = X.copy()
    cols = list(features)
    out[cols] = out[cols] * (1.0 + share)
    return out


def scale_variance(X: pd.DataFrame, factor: float, features: Sequence[str]) -> pd.DataFrame:
    """Multiply each selected feature's variance by ``factor`` around its own mean."""
    out = X.copy()
    cols = list(features)
    mean = out[cols].mean()
    out[cols] = mean + (out[cols] - mean) * np.sqrt(factor)
    return out


def add_outlier_rows(
    X: pd.DataFrame,
    share: float,
    reference: pd.DataFrame,
    rng: np.random.Generator,
    z: float = DRIFT_OUTLIER_Z,
) -> pd.DataFrame:
    """Replace ``share`` of the rows by outliers: every feature at the training mean ± ``z``
    training SDs (sign drawn per cell)."""
    out = X.copy()
    k = int(round(share * len(out)))
    if k == 0:
        return out
    rows = np.sort(rng.choice(len(out), size=k, replace=False))
    cols = list(FEATURE_NAMES)
    signs = rng.choice([-1.0, 1.0], size=(k, len(cols)))
    mean = reference[cols].mean().to_numpy()
    sd = reference[cols].std(ddof=1).to_numpy()
    out.loc[out.index[rows], cols] = mean + signs * z * sd
    return out


def blank_cells(X: pd.DataFrame, share: float, rng: np.random.Generator) -> pd.DataFrame:
    """Set ``share`` of all feature cells (chosen at random) to NaN."""
    out = X.copy()
    cols = list(FEATURE_NAMES)
    values = out[cols].to_numpy(dtype=float, copy=True)
    k = int(round(share * values.size))
    flat = rng.choice(values.size, size=k, replace=False)
    values.flat[flat] = np.nan
    out[cols] = values
    return out


def class_counts(n: int, dominant: str, share: float) -> dict[str, int]:
    """Rows per class for ``n`` rows with ``share`` of them in ``dominant``, rest split evenly."""
    if dominant not in CLASSES:
        raise ValueError(f"unknown class {dominant!r}; expected one of {list(CLASSES)}")
    counts = {dominant: int(round(share * n))}
    others = [c for c in CLASSES if c != dominant]
    rest = n - counts[dominant]
    for i, c in enumerate(others):
        counts[c] = rest // len(others) + (1 if i < rest % len(others) else 0)
    return {c: counts[c] for c in CLASSES}


def resample_classes(
    X: pd.DataFrame, y: pd.Series, dominant: str, share: float, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.Series]:
    """Resample rows (with replacement, within each class) to a skewed class mix, same size."""
    picks = []
    for c, k in class_counts(len(X), dominant, share).items():
        pool = np.flatnonzero(y.to_numpy() == c)
        picks.append(rng.choice(pool, size=k, replace=True))
    idx = np.concatenate(picks)
    return X.iloc[idx].reset_index(drop=True), y.iloc[idx].reset_index(drop=True)


def _rng(seed: int, key: str) -> np.random.Generator:
    return np.random.default_rng([seed, TABLE_SCENARIOS.index(key)])


def build_table_scenarios(
    X: pd.DataFrame,
    y: pd.Series,
    reference: pd.DataFrame,
    config: TableScenarioConfig,
    seed: int,
) -> list[DriftedTable]:
    """The drifted versions of the held-out split ``(X, y)``, baseline first."""
    c = config
    feats = list(c.features)
    combined = scale_variance(
        shift_mean(X, c.combined_mean_shift, feats), c.combined_variance_factor, feats
    )
    combined = add_outlier_rows(
        combined, c.combined_outlier_share, reference, _rng(seed, "combined")
    )
    X_imb, y_imb = resample_classes(
        X, y, c.imbalance_class, c.imbalance_share, _rng(seed, "imbalance")
    )
    n_feats = f"{len(feats)} feature{'s' if len(feats) != 1 else ''}"
    return [
        DriftedTable("baseline", "Baseline", "The held-out split unchanged.", X, y, True),
        DriftedTable(
            "mean_shift",
            "Mean shift",
            f"Every value of {n_feats} increased by {c.mean_shift:.0%} of itself.",
            shift_mean(X, c.mean_shift, feats),
            y,
            True,
        ),
        DriftedTable(
            "variance",
            "Variance",
            f"Variance of {n_feats} multiplied by {c.variance_factor:g} around the mean.",
            scale_variance(X, c.variance_factor, feats),
            y,
            True,
        ),
        DriftedTable(
            "combined",
            "Combined",
            f"+{c.combined_mean_shift:.0%} mean, variance ×{c.combined_variance_factor:g} on "
            f"{n_feats}, and {c.combined_outlier_share:.0%} of rows replaced by outliers "
            f"(±{DRIFT_OUTLIER_Z:g} training SDs).",
            combined,
            y,
            True,
        ),
        DriftedTable(
            "missing",
            "Missing values",
            f"{c.missing_share:.0%} of all cells blanked; the model's median imputer fills them.",
            blank_cells(X, c.missing_share, _rng(seed, "missing")),
            y,
            True,
        ),
        DriftedTable(
            "imbalance",
            "Class imbalance",
            f"Rows resampled to {c.imbalance_share:.0%} {c.imbalance_class}, the rest split "
            "evenly over the other emotions.",
            X_imb,
            y_imb,
            False,
        ),
    ]
