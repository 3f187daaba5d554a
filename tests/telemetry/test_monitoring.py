"""Monitoring figures and alerts, checked against values worked out by hand from logged rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from turkmood.constants import (
    CLASSES,
    FEATURE_NAMES,
    FEEDBACK_DB_ENV,
    HOME_ENV,
    MONITOR_LATENCY_P95_S,
    MONITOR_MIN_DRIFT_ROWS,
    MONITOR_MIN_LABELS,
)
from turkmood.data import load_training_data
from turkmood.feedback import FeedbackRecord, read_feedback, save_feedback
from turkmood.telemetry.alerts import ALERT, OK, UNKNOWN, latency_alert, quality_alert
from turkmood.telemetry.monitoring import (
    ALL_SOURCES,
    current_summary,
    per_class_counts,
    summarise,
)
from turkmood.telemetry.prediction_log import PredictionRecord, log_prediction, read_predictions

T0 = datetime(2025, 3, 1, 10, 15, tzinfo=UTC)
VERSION = "soft_vote_calibrated@0123456789ab"


@pytest.fixture()
def home(monkeypatch, tmp_path):
    """A fresh, empty home for each test (the session home is shared with other tests)."""
    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    monkeypatch.delenv(FEEDBACK_DB_ENV, raising=False)
    return tmp_path


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    return load_training_data().X


def _log(
    predicted: str = "happy",
    *,
    at: datetime = T0,
    source: str = "cli",
    review: bool = False,
    ood: bool = False,
    latency: float = 0.5,
    clip: str = "c0",
    features: dict | None = None,
    version: str = VERSION,
) -> None:
    other = "sad" if predicted != "sad" else "happy"
    probs = dict.fromkeys(CLASSES, 0.0) | {predicted: 0.6, other: 0.4}
    record = PredictionRecord(
        source=source,
        clip_hash=clip,
        clip_name=f"{clip}.wav",
        model_version=version,
        predicted=predicted,
        decision=f"Review: {predicted}/{other}" if review else predicted,
        confidence=0.6,
        probabilities=probs,
        is_ood=ood,
        latency_s=latency,
        duration_s=30.0,
        features=features,
    )
    assert log_prediction(record, now=at) is not None


def _summary(metrics: dict | None = None, reference: pd.DataFrame | None = None):
    ref = reference if reference is not None else load_training_data().X
    return summarise(read_predictions(), ref, read_feedback(), metrics or {})


def test_empty_log_gives_an_empty_well_defined_summary(home):
    summary = current_summary()
    assert summary.n_predictions == 0
    assert summary.first_utc is None and summary.last_utc is None
    assert summary.per_class.empty and list(summary.per_class.columns) == list(CLASSES)
    assert summary.sources.index.tolist() == [ALL_SOURCES]
    assert summary.sources.loc[ALL_SOURCES, "n"] == 0
    assert summary.drift.table is None and summary.drift.n_rows == 0
    assert summary.quality.n_labels == 0 and summary.quality.macro_f1 is None
    assert [a.status for a in summary.alerts] == [UNKNOWN, UNKNOWN, UNKNOWN]
    assert summary.latest.empty


def test_counts_shares_and_latency_match_the_logged_rows(home):
    # 10:15 cli happy 0.1 | 10:40 api sad review 0.2 OOD | 12:05 cli happy 0.3 review
    # 12:30 app angry 0.4 | 12:59 api happy 1.4 OOD     (no prediction in the 11:00 hour)
    _log("happy", at=T0, source="cli", latency=0.1, clip="a")
    _log("sad", at=T0 + timedelta(minutes=25), source="api", review=True, ood=True, latency=0.2)
    _log("happy", at=T0 + timedelta(minutes=110), source="cli", review=True, latency=0.3)
    _log("angry", at=T0 + timedelta(minutes=135), source="app", latency=0.4)
    _log("happy", at=T0 + timedelta(minutes=164), source="api", ood=True, latency=1.4)
    summary = _summary()

    assert summary.n_predictions == 5
    assert summary.bucket == "hour"
    hours = [pd.Timestamp(f"2025-03-01 {h}:00", tz="UTC") for h in (10, 11, 12)]
    assert summary.per_class.index.tolist() == hours
    assert summary.per_class.to_dict(orient="list") == {
        "happy": [1, 0, 2],
        "sad": [1, 0, 0],
        "angry": [0, 0, 1],
        "relax": [0, 0, 0],
    }

    s = summary.sources
    assert s.index.tolist() == [ALL_SOURCES, "app", "cli", "api"]  # PREDICTION_SOURCES order
    assert s["n"].tolist() == [5, 1, 2, 2]
    assert s.loc[ALL_SOURCES, "review_share"] == pytest.approx(2 / 5)
    assert s.loc[ALL_SOURCES, "ood_rate"] == pytest.approx(2 / 5)
    # sorted latencies 0.1 0.2 0.3 0.4 1.4: median 0.3; p95 at rank 0.95*4 = 3.8 -> 0.4 + 0.8*1.0
    assert s.loc[ALL_SOURCES, "latency_p50_s"] == pytest.approx(0.3)
    assert s.loc[ALL_SOURCES, "latency_p95_s"] == pytest.approx(1.2)
    assert s.loc["cli", "review_share"] == pytest.approx(1 / 2)
    assert s.loc["cli", "ood_rate"] == 0.0
    assert s.loc["cli", "latency_p50_s"] == pytest.approx(0.2)
    assert s.loc["cli", "latency_p95_s"] == pytest.approx(0.1 + 0.95 * 0.2)
    assert s.loc["api", "ood_rate"] == pytest.approx(1.0)
    assert s.loc["app", "latency_p95_s"] == pytest.approx(0.4)

    assert summary.latest["clip_name"].iloc[0] == "c0.wav"  # newest first
    assert summary.latest["latency_s"].tolist() == pytest.approx([1.4, 0.4, 0.3, 0.2, 0.1])
    assert summary.alerts[0].status == OK  # p95 1.2 s


def test_a_long_span_is_counted_per_day(home):
    _log("relax", at=T0)
    _log("relax", at=T0 + timedelta(days=1, hours=2))
    _log("sad", at=T0 + timedelta(days=3))
    summary = _summary()
    assert summary.bucket == "day"
    assert summary.per_class.index[0] == pd.Timestamp("2025-03-01", tz="UTC")
    assert summary.per_class["relax"].tolist() == [1, 1, 0, 0]
    assert summary.per_class["sad"].tolist() == [0, 0, 0, 1]


def test_per_class_counts_of_an_empty_log_per_day(home):
    table = per_class_counts(read_predictions(), "day")
    assert table.empty and list(table.columns) == list(CLASSES)


def test_latency_alert_fires_above_the_limit_only(home):
    for i in range(20):
        _log(latency=3.0 if i == 19 else 0.5, clip=f"c{i}")
    # p95 of nineteen 0.5 s and one 3.0 s: rank 18.05 -> 0.5 + 0.05 * 2.5 = 0.625 s
    assert _summary().alerts[0].status == OK
    _log(latency=3.0, clip="slow")
    _log(latency=3.0, clip="slower")
    alert = _summary().alerts[0]
    assert alert.rule == "latency" and alert.status == ALERT
    assert latency_alert(MONITOR_LATENCY_P95_S, 5).status == OK  # "above", not "at"
    assert latency_alert(MONITOR_LATENCY_P95_S + 0.01, 5).status == ALERT


def _uci_rows(reference: pd.DataFrame, n: int, seed: int) -> list[dict]:
    rows = reference.sample(n=n, random_state=seed)
    return [{f: float(r[f]) for f in FEATURE_NAMES} for _, r in rows.iterrows()]


def test_inputs_like_the_training_data_do_not_drift(home, reference):
    for i, feats in enumerate(_uci_rows(reference, 40, seed=1)):
        _log(clip=f"c{i}", features=feats)
    summary = _summary(reference=reference)
    assert summary.drift.n_rows == 40
    assert summary.drift.n_drifted == 0
    assert summary.alerts[1].status == OK


def test_shifted_inputs_drift_and_raise_the_alert(home, reference):
    sd = reference["_Tempo_Mean"].std()
    for i, feats in enumerate(_uci_rows(reference, 40, seed=2)):
        _log(clip=f"c{i}", features=feats | {"_Tempo_Mean": feats["_Tempo_Mean"] + 3 * sd})
    summary = _summary(reference=reference)
    table = summary.drift.table
    assert table.index[0] == "_Tempo_Mean"  # largest PSI first
    assert bool(table.loc["_Tempo_Mean", "drifted"])
    assert summary.drift.n_drifted >= 1
    assert summary.alerts[1].status == ALERT


def test_one_clip_repeated_counts_once_for_drift(home, reference):
    feats = _uci_rows(reference, 1, seed=3)[0]
    for _ in range(MONITOR_MIN_DRIFT_ROWS + 5):
        _log(clip="same", features=feats)
    _log(clip="no-features")  # rows without features are not used either
    summary = _summary(reference=reference)
    assert summary.drift.n_rows == 1 and summary.drift.table is None
    assert summary.alerts[1].status == UNKNOWN


def _label(predicted: str, truth: str, version: str = VERSION) -> None:
    save_feedback(
        FeedbackRecord(
            clip_name="x.wav",
            model_version=version,
            predicted=predicted,
            decision=predicted,
            confidence=0.9,
            true_emotion=truth,
            probabilities=dict.fromkeys(CLASSES, 0.25),
            features=dict.fromkeys(FEATURE_NAMES, 0.0),
        )
    )


def _twenty_labels() -> None:
    # 10 happy all right; 10 sad of which 5 predicted happy.
    # happy: P 10/15, R 1 -> F1 0.8; sad: P 1, R 0.5 -> F1 2/3; macro = 0.7333
    for _ in range(10):
        _label("happy", "happy")
    for i in range(10):
        _label("sad" if i < 5 else "happy", "sad")


def test_quality_alert_fires_on_a_drop_of_more_than_five_points(home):
    _log()
    _twenty_labels()
    _label("angry", "angry", version="other@ffffffffffff")  # another model's label: ignored
    drop = _summary({"models": {"soft_vote_calibrated": {"macro_f1": {"mean": 0.80}}}})
    assert drop.quality.n_labels == 20
    assert drop.quality.macro_f1 == pytest.approx((0.8 + 2 / 3) / 2)
    assert drop.quality.cv_macro_f1 == pytest.approx(0.80)
    assert drop.alerts[2].status == ALERT  # 6.7 points down
    holds = _summary({"models": {"soft_vote_calibrated": {"macro_f1": {"mean": 0.78}}}})
    assert holds.alerts[2].status == OK  # 4.7 points down


def test_too_few_labels_say_so_instead_of_alerting(home):
    _log()
    for _ in range(MONITOR_MIN_LABELS - 1):
        _label("happy", "sad")  # every label wrong, but too few to judge
    summary = _summary({"models": {"soft_vote_calibrated": {"macro_f1": {"mean": 0.8}}}})
    assert summary.quality.macro_f1 is None
    alert = summary.alerts[2]
    assert alert.status == UNKNOWN and "not enough labels" in alert.message.lower()


def test_quality_without_a_cv_value_is_unknown():
    assert quality_alert(0.5, None, MONITOR_MIN_LABELS).status == UNKNOWN
    assert quality_alert(0.5, 0.8, MONITOR_MIN_LABELS).status == ALERT


def test_current_summary_uses_the_shipped_cv_macro_f1(home):
    _log()
    summary = current_summary()
    assert summary.quality.model_version == VERSION
    assert summary.quality.cv_macro_f1 is not None and 0.5 < summary.quality.cv_macro_f1 < 1
    assert np.isfinite(summary.sources.loc[ALL_SOURCES, "latency_p95_s"])
