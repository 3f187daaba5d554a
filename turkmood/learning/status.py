"""Where the learning loop stands: labels the champion has not seen, and the retrain advice."""

from __future__ import annotations

import pandas as pd

from turkmood.learning.queue import RetrainAdvice, retrain_advice

__all__ = ["new_labels", "queue_advice"]


def new_labels(labels: pd.DataFrame, champion_trained_utc: str | None) -> int:
    """Labels newer than the champion's training (all of them for the bundled model)."""
    if labels.empty:
        return 0
    if not champion_trained_utc:
        return len(labels)
    created = pd.to_datetime(labels["created_utc"], utc=True, format="ISO8601")
    return int((created > pd.Timestamp(champion_trained_utc)).sum())


def _champion_trained_utc() -> str | None:
    """When the registry's champion was trained, or None for the bundled first champion."""
    try:
        from turkmood.learning import registry
    except ImportError:
        return None
    return registry.champion_trained_utc()


def _drifted() -> bool | None:
    """Whether recent inputs drifted (the Monitoring page's rule); None with too few clips."""
    from turkmood.data import load_training_data
    from turkmood.telemetry.monitoring import input_drift
    from turkmood.telemetry.prediction_log import read_predictions

    check = input_drift(read_predictions(), load_training_data().X)
    return None if check.n_drifted is None else check.n_drifted > 0


def queue_advice(labels: pd.DataFrame) -> RetrainAdvice:
    """The canvas's retrain rule applied to this home's labels and prediction log."""
    from turkmood.data import load_training_data

    n_rows = len(load_training_data().X)
    return retrain_advice(new_labels(labels, _champion_trained_utc()), n_rows, _drifted())
