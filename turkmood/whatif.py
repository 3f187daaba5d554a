"""What-if lab: move a few influential features of one song and watch the prediction change.

- :func:`global_importance` ranks the 50 features by mean |SHAP| (averaged over the classes) on
  a fixed random subset of the training rows (``IMPORTANCE_ROWS`` rows, seed ``SEED``): Kernel
  SHAP over all 388 rows would take about a minute for the default ensemble.
- :func:`slider_ranges` gives each slider feature its training minimum, maximum, mean and SD.
- :func:`predict_row` predicts one modified feature vector (model only, no audio).
- :func:`nearest_flip` searches for the smallest change, in training standard deviations, of
  one slider feature (or, if no single feature can do it, of a pair) that changes the top class.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from turkmood.constants import CLASSES, FEATURE_NAMES, SEED
from turkmood.decision import decide
from turkmood.explain import ModelExplainer
from turkmood.model import LoadedModel, predict_proba

#: Number of slider features (the most influential by mean |SHAP|).
WHATIF_TOP_K = 8
#: Training rows (fixed random subset, seed SEED) the global mean |SHAP| is averaged over.
IMPORTANCE_ROWS = 40
#: Grid step (training SDs) of the single-feature flip search, and of the pair fallback.
FLIP_STEP_Z = 0.02
FLIP_PAIR_STEP_Z = 0.25


@dataclass(frozen=True)
class SliderRange:
    """Training statistics of one feature: the slider's bounds and its standardisation."""

    feature: str
    low: float
    high: float
    mean: float
    sd: float

    def to_z(self, value: float) -> float:
        """``value`` in training standard deviations from the training mean."""
        return (float(value) - self.mean) / self.sd


@dataclass(frozen=True)
class Flip:
    """The smallest found change that makes the model pick another emotion."""

    changes: dict[str, float]  # feature -> new value (real units)
    distance_z: float  # Euclidean length of the change in training SDs
    from_class: str
    to_class: str


def global_importance(
    explainer: ModelExplainer, X: pd.DataFrame, n_rows: int = IMPORTANCE_ROWS, seed: int = SEED
) -> pd.Series:
    """Mean |SHAP| per feature over ``n_rows`` random training rows and all classes.

    Largest first. The rows are a fixed random subset (``seed``) of ``X``.
    """
    rows = X[list(FEATURE_NAMES)].sample(n=min(n_rows, len(X)), random_state=seed)
    total = np.zeros(len(FEATURE_NAMES))
    for i in range(len(rows)):
        total += np.abs(explainer.shap_fn(rows.iloc[[i]].reset_index(drop=True))).mean(axis=1)
    importance = pd.Series(total / len(rows), index=list(FEATURE_NAMES), name="mean_abs_shap")
    return importance.sort_values(ascending=False, kind="stable")


def top_features(importance: pd.Series, k: int = WHATIF_TOP_K) -> list[str]:
    """The ``k`` most important feature names."""
    return list(importance.index[:k])


def slider_ranges(X: pd.DataFrame, features: Sequence[str]) -> dict[str, SliderRange]:
    """Training min, max, mean and SD (population) of each feature."""
    out = {}
    for f in features:
        col = X[f].astype(float)
        sd = float(col.std(ddof=0)) or 1.0
        out[f] = SliderRange(f, float(col.min()), float(col.max()), float(col.mean()), sd)
    return out


def with_changes(row: pd.Series, changes: Mapping[str, float]) -> pd.DataFrame:
    """A one-row 50-feature frame: ``row`` with the ``changes`` applied."""
    values = row[list(FEATURE_NAMES)].astype(float).copy()
    for f, v in changes.items():
        if f not in values.index:
            raise KeyError(f"unknown feature {f!r}")
        values[f] = float(v)
    return values.to_frame().T.reset_index(drop=True)


def predict_row(model: LoadedModel, row: pd.Series, changes: Mapping[str, float]) -> pd.Series:
    """Probabilities, predicted class, confidence and decision for ``row`` with ``changes``."""
    return predict_rows(model, row, [changes]).iloc[0]


def predict_rows(
    model: LoadedModel, row: pd.Series, variants: Sequence[Mapping[str, float]]
) -> pd.DataFrame:
    """:func:`predict_row` of each set of changes, in one call to the model (one row each)."""
    frame = pd.concat([with_changes(row, changes) for changes in variants], ignore_index=True)
    return decide(predict_proba(model, frame))


def _top_class(model: LoadedModel, frame: pd.DataFrame) -> np.ndarray:
    probs = predict_proba(model, frame).to_numpy()
    return np.asarray(CLASSES)[np.argmax(probs, axis=1)]


def _grid(r: SliderRange, step_z: float) -> np.ndarray:
    """Values from the training minimum to the maximum (both included) every ``step_z`` SDs."""
    values = np.arange(r.low, r.high, step_z * r.sd)
    return np.clip(np.append(values, r.high), r.low, r.high)


def _single_candidates(
    row: pd.Series, ranges: Mapping[str, SliderRange], step_z: float
) -> tuple[pd.DataFrame, list[dict[str, float]], np.ndarray]:
    """Every grid value of each feature inside its training range (one feature changed)."""
    changes, dist = [], []
    for f, r in ranges.items():
        values = _grid(r, step_z)
        for v in values:
            changes.append({f: float(v)})
            dist.append(abs(r.to_z(v) - r.to_z(row[f])))
    return _frame(row, changes), changes, np.asarray(dist)


def _pair_candidates(
    row: pd.Series, ranges: Mapping[str, SliderRange], step_z: float
) -> tuple[pd.DataFrame, list[dict[str, float]], np.ndarray]:
    """A coarse grid of every pair of features inside their training ranges."""
    grids = {f: _grid(r, step_z) for f, r in ranges.items()}
    changes, dist = [], []
    for f, g in itertools.combinations(ranges, 2):
        for a, b in itertools.product(grids[f], grids[g]):
            changes.append({f: float(a), g: float(b)})
            dz = [
                ranges[f].to_z(a) - ranges[f].to_z(row[f]),
                ranges[g].to_z(b) - ranges[g].to_z(row[g]),
            ]
            dist.append(float(np.hypot(*dz)))
    return _frame(row, changes), changes, np.asarray(dist)


def _frame(row: pd.Series, changes: list[dict[str, float]]) -> pd.DataFrame:
    base = row[list(FEATURE_NAMES)].astype(float).to_numpy()
    values = np.tile(base, (len(changes), 1))
    index = {f: i for i, f in enumerate(FEATURE_NAMES)}
    for i, change in enumerate(changes):
        for f, v in change.items():
            values[i, index[f]] = v
    return pd.DataFrame(values, columns=list(FEATURE_NAMES))


def nearest_flip(
    model: LoadedModel,
    row: pd.Series,
    ranges: Mapping[str, SliderRange],
    step_z: float = FLIP_STEP_Z,
    pair_step_z: float = FLIP_PAIR_STEP_Z,
) -> Flip | None:
    """Smallest change (training SDs) of the slider features that changes the top class.

    Searches a grid of ``step_z`` SDs over each feature's training range, one feature at a time;
    if none flips the prediction, a coarser grid over pairs of features. None if nothing does.
    """
    current = str(_top_class(model, with_changes(row, {}))[0])
    for build, step in ((_single_candidates, step_z), (_pair_candidates, pair_step_z)):
        frame, changes, dist = build(row, ranges, step)
        if not changes:
            continue
        top = _top_class(model, frame)
        flipped = np.flatnonzero(top != current)
        if flipped.size:
            best = flipped[np.argmin(dist[flipped])]
            return Flip(changes[best], float(dist[best]), current, str(top[best]))
    return None
