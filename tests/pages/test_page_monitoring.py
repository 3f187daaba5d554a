"""Monitoring page (AppTest): empty state, then metrics, alerts, chart and drift from the log."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from apptest_helpers import visible

from turkmood.constants import CLASSES, FEATURE_NAMES, FEEDBACK_DB_ENV, HOME_ENV
from turkmood.data import load_training_data
from turkmood.telemetry.prediction_log import PredictionRecord, log_prediction

EVIL_NAME = "[click](http://evil.example)*loud*.wav"


@pytest.fixture()
def home(monkeypatch, tmp_path):
    """An empty home of this test's own (AppTest runs in this process, so it reads it too)."""
    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    monkeypatch.delenv(FEEDBACK_DB_ENV, raising=False)
    return tmp_path


def test_empty_log_tells_how_predictions_get_there(home, open_page):
    at = open_page("monitoring")
    assert not at.exception, at.exception
    shown = " ".join(i.value for i in at.info)
    assert "Analyze" in shown
    assert "python -m turkmood predict" in shown
    assert "API" in shown
    assert not at.metric and not at.error


def _log_uci_rows(shift_tempo_sd: float = 0.0) -> None:
    """25 predictions (features of UCI rows, 3 s each, cli/api), ten minutes apart."""
    table = load_training_data().X
    rows = table.sample(n=25, random_state=7)
    rows["_Tempo_Mean"] += shift_tempo_sd * table["_Tempo_Mean"].std()
    start = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    for i, (_, row) in enumerate(rows.iterrows()):
        record = PredictionRecord(
            source="api" if i % 2 else "cli",
            clip_hash=f"clip{i}",
            clip_name=EVIL_NAME if i == 24 else f"clip{i}.wav",
            model_version="soft_vote_calibrated@0123456789ab",
            predicted=CLASSES[i % 4],
            decision=CLASSES[i % 4] if i % 5 else f"Review: {CLASSES[i % 4]}/sad",
            confidence=0.8,
            probabilities=dict.fromkeys(CLASSES, 0.25),
            is_ood=i == 0,
            latency_s=3.0,  # every prediction slower than the 2 s limit
            duration_s=30.0,
            features={f: float(row[f]) for f in FEATURE_NAMES},
        )
        assert log_prediction(record, now=start + timedelta(minutes=10 * i)) is not None


def test_logged_predictions_show_metrics_alerts_and_drift(home, open_page):
    _log_uci_rows()
    at = open_page("monitoring")
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Predictions"] == "25"
    assert metrics["Sent to review"] == "20.0 %"  # i = 0, 5, 10, 15, 20
    assert metrics["Out of distribution"] == "4.0 %"
    assert metrics["Latency p95"] == "3.00 s"

    errors = " ".join(e.value for e in at.error)
    assert "Latency" in errors and "above the 2 s limit" in errors
    assert "No significant input drift" in " ".join(s.value for s in at.success)
    assert "Not enough labels" in " ".join(w.value for w in at.warning)

    chart = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    assert [t["name"] for t in chart] == list(CLASSES)
    assert sum(sum(t["y"]) for t in chart) == 25

    sources = at.dataframe[0].value.set_index("source")
    assert sources.loc["cli", "predictions"] == 13 and sources.loc["api", "predictions"] == 12
    drift = at.dataframe[1].value
    assert len(drift) == 10 and set(drift["drifted"]) == {"no"}

    caption = next(c.value for c in at.caption if "Newest:" in c.value)
    assert "[click](" not in caption  # the link syntax is escaped, not rendered
    assert EVIL_NAME in visible(caption)


def test_drifted_inputs_raise_the_drift_alert(home, open_page):
    _log_uci_rows(shift_tempo_sd=3.0)
    at = open_page("monitoring")
    assert not at.exception, at.exception
    assert "Recent inputs differ from the training data" in " ".join(e.value for e in at.error)
    drift = at.dataframe[1].value
    assert drift.loc[0, "feature"] == "Tempo_Mean" and drift.loc[0, "drifted"] == "yes"
