"""What-if lab: importance ranking, slider ranges, prediction of modified rows, flip search."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from turkmood.constants import CLASSES, FEATURE_NAMES
from turkmood.data import load_training_data
from turkmood.explain import ModelExplainer
from turkmood.model import LoadedModel, load_model, predict_features
from turkmood.whatif import (
    SliderRange,
    global_importance,
    nearest_flip,
    predict_row,
    slider_ranges,
    top_features,
    with_changes,
)

F0, F1 = FEATURE_NAMES[0], FEATURE_NAMES[3]


@pytest.fixture(scope="module")
def X() -> pd.DataFrame:
    return load_training_data().X


class _ThresholdModel:
    """'angry' when every feature in ``thresholds`` exceeds its threshold, else 'relax'."""

    classes_ = np.array(sorted(CLASSES))

    def __init__(self, thresholds: dict[str, float]) -> None:
        self.thresholds = thresholds

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        hit = np.ones(len(X), dtype=bool)
        for f, t in self.thresholds.items():
            hit &= X[f].to_numpy() > t
        out = np.full((len(X), len(self.classes_)), 0.02)
        cols = list(self.classes_)
        out[hit, cols.index("angry")] = 0.94
        out[~hit, cols.index("relax")] = 0.94
        return out


def _stub(thresholds: dict[str, float]) -> LoadedModel:
    return LoadedModel("stub", _ThresholdModel(thresholds), "0" * 64)


def _ranges(*features: str) -> dict[str, SliderRange]:
    return {f: SliderRange(f, 0.0, 10.0, 5.0, 2.0) for f in features}


def _row(**values: float) -> pd.Series:
    row = pd.Series(0.0, index=list(FEATURE_NAMES))
    for f, v in values.items():
        row[f] = v
    return row


def test_global_importance_averages_abs_shap_over_rows_and_classes(X):
    # a fake explainer whose SHAP values are known: feature j of a row gets (row[F0], -2*row[F0])
    def shap_fn(row: pd.DataFrame) -> np.ndarray:
        v = float(row[F0].iloc[0])
        values = np.zeros((len(FEATURE_NAMES), 2))
        values[0] = [v, -2.0 * v]
        values[5] = [0.5, 0.5]
        return values

    fake = ModelExplainer("kernel", "probability", ("a", "b"), np.zeros(2), shap_fn)
    importance = global_importance(fake, X, n_rows=10, seed=3)
    rows = X.sample(n=10, random_state=3)
    assert importance[F0] == pytest.approx(1.5 * rows[F0].abs().mean())
    assert importance[FEATURE_NAMES[5]] == pytest.approx(0.5)
    assert (importance.drop([F0, FEATURE_NAMES[5]]) == 0).all()
    assert list(importance.to_numpy()) == sorted(importance.to_numpy(), reverse=True)
    assert top_features(importance, 2) == list(importance.index[:2])
    assert global_importance(fake, X, n_rows=10, seed=3).equals(importance)  # fixed subset


def test_slider_ranges_are_the_training_statistics(X):
    ranges = slider_ranges(X, [F0, F1])
    r = ranges[F1]
    assert (r.low, r.high) == (X[F1].min(), X[F1].max())
    assert r.mean == pytest.approx(X[F1].mean())
    assert r.sd == pytest.approx(X[F1].std(ddof=0))
    assert r.to_z(r.mean + 2 * r.sd) == pytest.approx(2.0)


def test_predict_row_predicts_the_modified_vector(X):
    model = load_model()
    base = X.iloc[5]
    unchanged = predict_row(model, base, {})
    direct = predict_features(base.to_frame().T.astype(float), model).iloc[0]
    assert unchanged[list(CLASSES)].to_numpy() == pytest.approx(direct[list(CLASSES)].to_numpy())
    changed = predict_row(model, base, {F1: X[F1].max()})
    modified = base.copy()
    modified[F1] = X[F1].max()
    expected = predict_features(modified.to_frame().T.astype(float), model).iloc[0]
    assert changed[list(CLASSES)].to_numpy() == pytest.approx(expected[list(CLASSES)].to_numpy())
    assert with_changes(base, {F1: 1.0})[F1].iloc[0] == 1.0
    with pytest.raises(KeyError):
        with_changes(base, {"not a feature": 1.0})


def test_nearest_flip_finds_the_threshold_of_a_single_feature():
    model = _stub({F0: 7.3})
    flip = nearest_flip(model, _row(**{F0: 4.0}), _ranges(F0, F1), step_z=0.02)
    assert flip is not None
    assert (flip.from_class, flip.to_class) == ("relax", "angry")
    assert list(flip.changes) == [F0]
    assert flip.changes[F0] > 7.3
    # the threshold is 3.3 units = 1.65 SDs away; the grid step is 0.02 SDs
    assert 1.65 < flip.distance_z <= 1.65 + 0.02 + 1e-9


def test_nearest_flip_falls_back_to_pairs_and_gives_up_outside_the_range():
    both = _stub({F0: 6.0, F1: 8.0})
    flip = nearest_flip(both, _row(**{F0: 5.0, F1: 5.0}), _ranges(F0, F1), pair_step_z=0.25)
    assert flip is not None and set(flip.changes) == {F0, F1}
    assert flip.changes[F0] > 6.0 and flip.changes[F1] > 8.0
    assert flip.to_class == "angry"
    assert flip.distance_z == pytest.approx(np.hypot(0.5, 1.5), abs=0.25 * np.sqrt(2))
    impossible = _stub({F0: 11.0})  # beyond the training maximum of 10
    assert nearest_flip(impossible, _row(**{F0: 5.0}), _ranges(F0, F1)) is None


@pytest.mark.parametrize("index", [0, 200])
def test_nearest_flip_really_flips_the_shipped_model(X, index):
    model = load_model()
    features = list(X.columns[[3, 17, 19, 23, 24, 44]])
    ranges = slider_ranges(X, features)
    row = X.iloc[index]
    flip = nearest_flip(model, row, ranges)
    assert flip is not None
    before = predict_row(model, row, {})["predicted"]
    after = predict_row(model, row, flip.changes)
    assert flip.from_class == before != after["predicted"] == flip.to_class
    for f, v in flip.changes.items():
        assert ranges[f].low <= v <= ranges[f].high
