"""An MLflow run for each bundled ``python -m turkmood train`` (tracking only, never registered).

The bundled ``models/`` stay the files train writes and are read-only at run time; the run
records what produced them: parameters, the default's and every candidate's CV metrics, the data
hash of the UCI table, library versions, and ``metrics.json`` / ``manifest.json`` as artifacts.
Opt out with ``train --no-mlflow`` or ``TURKMOOD_TRAIN_MLFLOW=0``.
"""

from __future__ import annotations

import os
from pathlib import Path

from turkmood.constants import MLFLOW_TRAIN_EXPERIMENT, TRAIN_TRACKING_ENV
from turkmood.learning import store

__all__ = ["log_training_run", "tracking_enabled", "training_run_metrics"]

_OFF = {"0", "false", "no", "off"}


def tracking_enabled() -> bool:
    """False when ``TURKMOOD_TRAIN_MLFLOW`` is 0/false/no/off."""
    return os.environ.get(TRAIN_TRACKING_ENV, "").strip().lower() not in _OFF


def training_run_metrics(metrics: dict) -> dict[str, float]:
    """Flat MLflow metrics from train's ``metrics.json`` dict (means over the CV folds)."""
    out: dict[str, float] = {}
    for name, m in metrics["models"].items():
        for key in ("accuracy", "macro_f1", "ece"):
            out[f"{name}.{key}"] = float(m[key]["mean"])
    default = metrics["models"][metrics["default_model"]]
    for key in ("accuracy", "macro_f1", "ece"):
        out[key] = float(default[key]["mean"])
        out[f"{key}_std"] = float(default[key]["std"])
    out["per_class_f1_gap"] = float(default["per_class_f1_gap"])
    return out


def log_training_run(metrics: dict, out_dir: Path) -> str:
    """Log one run for a finished bundled training; returns the run id."""
    client = store.mlflow_client()
    import mlflow

    exp_id = store.experiment_id(client, MLFLOW_TRAIN_EXPERIMENT)
    cv = metrics["cv"]
    with mlflow.start_run(experiment_id=exp_id, run_name="bundled-train") as run:
        mlflow.log_params(
            {
                "seed": metrics["seed"],
                "folds": cv["folds"],
                "repeats": cv["repeats"],
                "models": ",".join(metrics["models"]),
                "default_model": metrics["default_model"],
                "n_rows_used": metrics["n_rows_used"],
                "data_hash": metrics["data_sha256"],
            }
        )
        mlflow.log_metrics(training_run_metrics(metrics))
        mlflow.set_tags(
            {
                "data_hash": metrics["data_sha256"],
                "out_dir": str(out_dir),
                **{f"lib.{k}": v for k, v in store.library_versions().items()},
            }
        )
        for name in ("metrics.json", "manifest.json"):
            path = Path(out_dir) / name
            if path.is_file():
                mlflow.log_artifact(str(path))
        return run.info.run_id
