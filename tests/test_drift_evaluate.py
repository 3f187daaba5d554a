"""Scenario scoring on the held-out split and the downloadable report (turkmood.drift)."""

from __future__ import annotations

import io
import json
import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import train_test_split

from turkmood.constants import (
    CLASSES,
    DRIFT_HOLDOUT_SHARE,
    FEATURE_NAMES,
    IMPACT_GAIN,
    IMPACT_REFERENCE,
    SEED,
)
from turkmood.data import load_training_data
from turkmood.drift.evaluate import impact_level, run_table_scenarios, summary_frame
from turkmood.drift.holdout import make_holdout
from turkmood.drift.report import (
    CSV_COLUMNS,
    build_report,
    metadata,
    report_csv,
    report_json,
)
from turkmood.drift.scenarios import TABLE_SCENARIOS, TableScenarioConfig
from turkmood.model import load_model

STAMP = "2026-01-01T00:00:00+00:00"


@pytest.fixture(scope="module")
def data():
    return load_training_data()


@pytest.fixture(scope="module")
def model():
    return load_model()


@pytest.fixture(scope="module")
def holdout(model, data):
    return make_holdout(model, data)


@pytest.fixture(scope="module")
def result(holdout):
    return run_table_scenarios(holdout)


def test_split_is_stratified_and_disjoint(holdout, data):
    n = len(data.X)
    n_test = math.ceil(n * DRIFT_HOLDOUT_SHARE)  # sklearn rounds a float test_size up
    assert holdout.sizes == {"held_out": n_test, "train": n - n_test}
    shares = holdout.y_test.value_counts(normalize=True)
    for c in CLASSES:
        assert shares[c] == pytest.approx((data.y == c).mean(), abs=0.02)
    train_rows = {tuple(r) for r in holdout.X_train.to_numpy()}
    assert not any(tuple(r) in train_rows for r in holdout.X_test.to_numpy())


def test_baseline_reproduces_the_held_out_accuracy(result, holdout, data):
    # independent route: sklearn's split with the same seed and the fitted clone's own predict
    _, X_te, _, y_te = train_test_split(
        data.X, data.y, test_size=DRIFT_HOLDOUT_SHARE, stratify=data.y, random_state=SEED
    )
    expected = float(np.mean(holdout.estimator.predict(X_te) == y_te.to_numpy()))
    baseline = result.get("baseline")
    assert baseline.accuracy == pytest.approx(expected)
    # the baseline is the reference, not rated against itself
    assert baseline.delta_pp == 0 and baseline.impact == IMPACT_REFERENCE
    row = summary_frame(result).iloc[0]
    assert row["impact"] == IMPACT_REFERENCE
    assert pd.isna(row["delta_accuracy_pp"]) and pd.isna(row["predictions_changed"])
    assert baseline.n_drifted == 0
    assert sum(map(sum, baseline.confusion)) == len(holdout.X_test)


def test_mean_shift_in_original_units_changes_predictions(result):
    shifted = result.get("mean_shift")
    assert shifted.changed_share > 0.1
    assert shifted.accuracy < result.get("baseline").accuracy
    assert shifted.n_drifted > 0


def test_every_scenario_has_metrics_and_feature_stats(result):
    summary = summary_frame(result)
    assert list(summary["scenario"]) == [s.title for s in result.scenarios]
    assert [s.key for s in result.scenarios] == list(TABLE_SCENARIOS)
    for s in result.scenarios:
        assert list(s.features.index) == list(FEATURE_NAMES)
        if s.key != "baseline":
            assert s.impact == impact_level(s.delta_pp)
        assert sum(s.prediction_shares.values()) == pytest.approx(1.0)
    assert result.get("missing").missing_share == pytest.approx(0.10, abs=0.001)
    assert result.get("imbalance").changed_share is None  # rows resampled: not paired


@pytest.mark.parametrize(
    ("delta", "level"),
    [
        (0.0, "LOW"),
        (-0.99, "LOW"),
        (0.99, "LOW"),
        (-1.0, "MEDIUM"),
        (-2.9, "MEDIUM"),
        (-3.0, "HIGH"),
        (-5.0, "HIGH"),
        (-5.1, "CRITICAL"),
        (-40.0, "CRITICAL"),
        # a gain is an improvement, never rated like a loss of the same size
        (1.0, IMPACT_GAIN),
        (3.1, IMPACT_GAIN),
        (40.0, IMPACT_GAIN),
    ],
)
def test_impact_levels_are_signed(delta, level):
    assert impact_level(delta) == level


def test_identical_seeds_give_identical_reports(result, holdout, model, data):
    refit = make_holdout(model, data)  # a second, independent fit with the same seed
    again = run_table_scenarios(refit)
    first = report_json(build_report(result, metadata(holdout, model.name, STAMP)))
    second = report_json(build_report(again, metadata(refit, model.name, STAMP)))
    assert first == second
    other = run_table_scenarios(holdout, seed=SEED + 1)
    third = report_json(build_report(other, metadata(holdout, model.name, STAMP)))
    assert third != first  # the random scenarios depend on the seed


def test_report_json_and_csv(result, holdout, model):
    config = replace(TableScenarioConfig(), features=("_Tempo_Mean",))
    small = run_table_scenarios(holdout, config)
    report = build_report(small, metadata(holdout, model.name, STAMP))
    parsed = json.loads(report_json(report))
    meta = parsed["metadata"]
    assert meta["split"]["held_out"] == len(holdout.X_test)
    assert meta["model_version"] == model.version
    assert meta["created_at"] == STAMP
    assert parsed["table_scenarios"]["config"]["features"] == ["_Tempo_Mean"]
    first = parsed["table_scenarios"]["results"][1]
    assert first["key"] == "mean_shift"
    assert first["accuracy"] == pytest.approx(small.get("mean_shift").accuracy)

    table = pd.read_csv(io.StringIO(report_csv(report)))
    assert tuple(table.columns) == CSV_COLUMNS
    assert len(table) == len(TABLE_SCENARIOS) * len(FEATURE_NAMES)
    tempo = table[(table["scenario"] == "mean_shift") & (table["feature"] == "_Tempo_Mean")]
    expected = small.get("mean_shift").features.loc["_Tempo_Mean", "psi"]
    assert tempo["psi"].iloc[0] == pytest.approx(expected)
    # only tempo was shifted: no other feature can drift in the mean-shift scenario
    others = table[(table["scenario"] == "mean_shift") & (table["feature"] != "_Tempo_Mean")]
    assert not others["drifted"].any()
