"""Pure helpers of the Classroom page: the model comparison table and the 2-D PCA map."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from turkmood.constants import (
    CLASSES,
    ECE_PER_FOLD_LABEL,
    ECE_POOLED_LABEL,
    FEATURE_NAMES,
    SEED,
)
from turkmood.precomputed import tsne_points

#: Decimals shown in the comparison table.
COMPARISON_DIGITS = 3


#: (metrics.json key, column title) of the comparison table; the ECE names are the Model card's.
COMPARISON_METRICS: tuple[tuple[str, str], ...] = (
    ("accuracy", "accuracy"),
    ("macro_f1", "macro F1"),
    ("ece", ECE_PER_FOLD_LABEL),
    ("ece_pooled_oof", ECE_POOLED_LABEL),
)


def comparison_table(metrics: Mapping) -> pd.DataFrame:
    """One row per shipped model: mean accuracy, macro F1, both ECE figures and per-class F1
    (rounded), best macro F1 first as on the Model card."""
    rows = []
    default = metrics.get("default_model")
    for name, entry in (metrics.get("models") or {}).items():
        row = {"model": name, "default": name == default}
        for key, title in COMPARISON_METRICS:
            value = entry.get(key)
            row[title] = value.get("mean") if isinstance(value, Mapping) else value
        per_class = entry.get("per_class_f1") or {}
        for c in CLASSES:
            value = per_class.get(c)
            row[f"F1 {c}"] = value.get("mean") if isinstance(value, Mapping) else value
        rows.append(row)
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    numeric = [c for c in table.columns if c not in ("model", "default")]
    table[numeric] = table[numeric].astype(float).round(COMPARISON_DIGITS)
    order = table.sort_values(["macro F1", "accuracy", "model"], ascending=[False, False, True])
    return order.reset_index(drop=True)


@dataclass(frozen=True)
class Projection:
    """A fitted 2-D PCA of the standardised training table and the training points on it."""

    scaler: StandardScaler
    pca: PCA
    points: np.ndarray  # (n_rows, 2)

    def place(self, row: pd.DataFrame) -> np.ndarray:
        """Coordinates (n, 2) of feature rows on the same map."""
        return self.pca.transform(self.scaler.transform(row[list(FEATURE_NAMES)].astype(float)))

    @property
    def explained(self) -> tuple[float, float]:
        """Share of the variance explained by each of the two axes."""
        ratio = self.pca.explained_variance_ratio_
        return float(ratio[0]), float(ratio[1])


def pca_projection(X: pd.DataFrame) -> Projection:
    """Fit StandardScaler + 2-component PCA on the training table."""
    values = X[list(FEATURE_NAMES)].astype(float)
    scaler = StandardScaler().fit(values)
    pca = PCA(n_components=2, random_state=SEED).fit(scaler.transform(values))
    return Projection(scaler, pca, pca.transform(scaler.transform(values)))


#: Training neighbours whose t-SNE positions place a new song on the t-SNE map.
TSNE_NEIGHBOURS = 5


@dataclass(frozen=True)
class TsneMap:
    """A t-SNE map of the standardised training table.

    t-SNE cannot embed a new point without refitting, so a song is placed at the
    inverse-distance-weighted mean position of its TSNE_NEIGHBOURS nearest training songs (in
    the standardised 50-feature space); a training song lands on its own point.
    """

    scaler: StandardScaler
    train_z: np.ndarray
    points: np.ndarray  # (n_rows, 2)

    def place(self, row: pd.DataFrame) -> np.ndarray:
        """Coordinates (n, 2) of feature rows on the map (nearest-neighbour placement)."""
        z = self.scaler.transform(row[list(FEATURE_NAMES)].astype(float))
        dist = cdist(z, self.train_z)
        nearest = np.argsort(dist, axis=1)[:, :TSNE_NEIGHBOURS]
        d = np.take_along_axis(dist, nearest, axis=1)
        exact = d[:, :1] < 1e-9
        weights = np.where(exact, (d < 1e-9).astype(float), 1.0 / np.maximum(d, 1e-9))
        weights /= weights.sum(axis=1, keepdims=True)
        return np.einsum("nk,nkd->nd", weights, self.points[nearest])


def tsne_map(X: pd.DataFrame, points: np.ndarray | None = None) -> TsneMap:
    """StandardScaler + 2-D t-SNE (fixed seed) of the training table; ``points``: the t-SNE
    positions precomputed at train time for this very table (fitted here when None)."""
    values = X[list(FEATURE_NAMES)].astype(float)
    scaler = StandardScaler().fit(values)
    return TsneMap(scaler, scaler.transform(values), tsne_points(X) if points is None else points)
