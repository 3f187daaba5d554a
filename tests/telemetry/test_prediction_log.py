"""The prediction log: rows round-trip, a failing write warns instead of failing."""

from __future__ import annotations

import threading

import pytest

from turkmood.constants import CLASSES, FEATURE_NAMES, HOME_ENV
from turkmood.telemetry.prediction_log import (
    PredictionRecord,
    log_prediction,
    prediction_log_path,
    read_predictions,
)


def _record(name: str = "song.mp3", source: str = "cli") -> PredictionRecord:
    return PredictionRecord(
        source=source,
        clip_hash="ab" * 32,
        clip_name=name,
        model_version="soft_vote_calibrated@0123456789ab",
        predicted="happy",
        decision="happy",
        confidence=0.8,
        probabilities={"happy": 0.8, "sad": 0.1, "angry": 0.05, "relax": 0.05},
        is_ood=False,
        latency_s=0.42,
        duration_s=30.0,
        features={f: float(i) for i, f in enumerate(FEATURE_NAMES)},
    )


def test_rows_round_trip(tmp_path):
    path = tmp_path / "log.db"
    first = log_prediction(_record("a.wav"), path)
    second = log_prediction(_record("b.wav", source="api"), path)
    assert (first, second) == (1, 2)
    table = read_predictions(path)
    assert table["clip_name"].tolist() == ["a.wav", "b.wav"]
    assert table["source"].tolist() == ["cli", "api"]
    assert table.loc[0, "p_happy"] == pytest.approx(0.8)
    assert table.loc[1, FEATURE_NAMES[-1]] == pytest.approx(len(FEATURE_NAMES) - 1)
    assert [c for c in table.columns if c.startswith("p_")] == [f"p_{c}" for c in CLASSES]
    assert read_predictions(path, limit=1)["clip_name"].tolist() == ["b.wav"]


def test_missing_log_reads_empty(tmp_path):
    assert read_predictions(tmp_path / "none.db").empty


def test_path_is_under_the_home(monkeypatch, tmp_path):
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "h"))
    assert prediction_log_path().parent == tmp_path / "h"


def test_failing_write_warns_and_returns_none(tmp_path):
    folder = tmp_path / "a-folder.db"
    folder.mkdir()
    with pytest.warns(RuntimeWarning, match="not logged"):
        assert log_prediction(_record(), folder) is None
    with pytest.warns(RuntimeWarning, match="unknown source"):
        assert log_prediction(_record(source="nowhere"), tmp_path / "x.db") is None


def test_concurrent_writers_lose_nothing(tmp_path):
    path = tmp_path / "log.db"
    threads = [
        threading.Thread(
            target=lambda i=i: [log_prediction(_record(f"{i}-{k}"), path) for k in range(20)]
        )
        for i in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(read_predictions(path)) == 80
