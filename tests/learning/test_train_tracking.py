"""The bundled ``train`` logs one MLflow run (opt-out), never a registered model."""

from __future__ import annotations

import pytest

from turkmood.constants import HOME_ENV, MLFLOW_TRACKING_URI_ENV, TRAIN_TRACKING_ENV
from turkmood.learning import tracking
from turkmood.train import main


def _fake_metrics() -> dict:
    stat = {"mean": 0.8, "std": 0.05}
    return {
        "default_model": "a",
        "models": {
            "a": {"accuracy": stat, "macro_f1": stat, "ece": stat, "per_class_f1_gap": 0.1},
            "b": {"accuracy": stat, "macro_f1": {"mean": 0.7, "std": 0.1}, "ece": stat},
        },
    }


def test_run_metrics_and_opt_out(monkeypatch):
    flat = tracking.training_run_metrics(_fake_metrics())
    assert flat["macro_f1"] == 0.8 and flat["b.macro_f1"] == 0.7 and flat["macro_f1_std"] == 0.05
    monkeypatch.setenv(TRAIN_TRACKING_ENV, "off")
    assert not tracking.tracking_enabled()
    monkeypatch.setenv(TRAIN_TRACKING_ENV, "1")
    assert tracking.tracking_enabled()


@pytest.mark.slow
def test_train_logs_a_run_and_registers_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    monkeypatch.delenv(MLFLOW_TRACKING_URI_ENV, raising=False)
    monkeypatch.delenv(TRAIN_TRACKING_ENV, raising=False)
    out = tmp_path / "models"
    assert main(["--quick", "--models", "logreg", "--out", str(out)]) == 0
    from turkmood.learning.store import mlflow_client

    client = mlflow_client()
    (exp,) = [e for e in client.search_experiments() if e.name == "turkmood-bundled-train"]
    (run,) = client.search_runs([exp.experiment_id])
    assert run.data.params["default_model"] == "logreg"
    assert (
        run.data.tags["data_hash"] == run.data.params["data_hash"]
        and len(run.data.params["data_hash"]) == 64
    )
    assert 0.5 < run.data.metrics["macro_f1"] < 1.0 and "logreg.accuracy" in run.data.metrics
    assert {a.path for a in client.list_artifacts(run.info.run_id)} >= {
        "metrics.json",
        "manifest.json",
    }
    assert client.search_registered_models() == []
    # opt-out: no second run
    assert main(["--quick", "--models", "logreg", "--out", str(out), "--no-mlflow"]) == 0
    assert len(client.search_runs([exp.experiment_id])) == 1
