"""Feature-table drift scenarios (turkmood.drift.scenarios): pure transforms, seeded."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from turkmood.constants import CLASSES, DRIFT_OUTLIER_Z, FEATURE_NAMES
from turkmood.drift.scenarios import (
    TABLE_SCENARIOS,
    TableScenarioConfig,
    add_outlier_rows,
    blank_cells,
    build_table_scenarios,
    class_counts,
    resample_classes,
    scale_variance,
    shift_mean,
)


@pytest.fixture(scope="module")
def table() -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(5.0, 2.0, (80, len(FEATURE_NAMES))), columns=FEATURE_NAMES)
    y = pd.Series(np.repeat(CLASSES, 20))
    return X, y


def test_mean_shift_is_in_original_units(table):
    X, _ = table
    out = shift_mean(X, 0.3, ["_Tempo_Mean"])
    np.testing.assert_allclose(out["_Tempo_Mean"], 1.3 * X["_Tempo_Mean"])
    pd.testing.assert_frame_equal(out.drop(columns="_Tempo_Mean"), X.drop(columns="_Tempo_Mean"))


def test_variance_factor_multiplies_variance_and_keeps_mean(table):
    X, _ = table
    out = scale_variance(X, 1.5, FEATURE_NAMES)
    np.testing.assert_allclose(out.var(), 1.5 * X.var())
    np.testing.assert_allclose(out.mean(), X.mean())


def test_outlier_rows_sit_at_z_training_sds(table):
    X, _ = table
    out = add_outlier_rows(X, 0.05, X, np.random.default_rng(1))
    changed = (out != X).any(axis=1)
    assert changed.sum() == 4
    z = ((out[changed] - X.mean()) / X.std()).abs()
    np.testing.assert_allclose(z.to_numpy(), DRIFT_OUTLIER_Z)


def test_blank_cells_blanks_the_share_asked(table):
    X, _ = table
    out = blank_cells(X, 0.1, np.random.default_rng(2))
    assert out.isna().to_numpy().sum() == round(0.1 * X.size)
    assert X.notna().all().all()  # the input is not modified


def test_class_counts_and_resampling(table):
    X, y = table
    counts = class_counts(80, "sad", 0.7)
    assert counts == {"happy": 8, "sad": 56, "angry": 8, "relax": 8}
    X2, y2 = resample_classes(X, y, "sad", 0.7, np.random.default_rng(3))
    assert y2.value_counts().to_dict() == counts
    assert len(X2) == len(X)
    with pytest.raises(ValueError, match="unknown class"):
        class_counts(10, "bored", 0.5)


def test_build_is_seeded_and_ordered(table):
    X, y = table
    config = TableScenarioConfig()
    first = build_table_scenarios(X, y, X, config, seed=7)
    again = build_table_scenarios(X, y, X, config, seed=7)
    other = build_table_scenarios(X, y, X, config, seed=8)
    assert [t.key for t in first] == list(TABLE_SCENARIOS)
    for a, b in zip(first, again, strict=True):
        pd.testing.assert_frame_equal(a.X, b.X)
        pd.testing.assert_series_equal(a.y, b.y)
    missing = {t.key: t for t in first}["missing"].X.isna()
    assert not missing.equals({t.key: t for t in other}["missing"].X.isna())
    pd.testing.assert_frame_equal(first[0].X, X)  # the baseline is the split unchanged
