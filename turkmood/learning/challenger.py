"""A retrain's result → a registered ``challenger`` (the metric names the gate reads)."""

from __future__ import annotations

from turkmood.constants import (
    METRIC_CHAMPION_UCI_MACRO_F1,
    METRIC_CHAMPION_USER_MACRO_F1,
    METRIC_UCI_MACRO_F1,
    METRIC_USER_MACRO_F1,
)
from turkmood.learning.retrain import RetrainResult

__all__ = ["gate_metrics", "register_challenger"]


def _mean(block: dict, key: str) -> float | None:
    value = block.get(key)
    if isinstance(value, dict):
        value = value.get("mean")
    return None if value is None else float(value)


def gate_metrics(report: dict) -> dict[str, float]:
    """The run metrics of a retrain report: the gate's four plus the other comparisons."""
    user, uci = report["user"], report["uci"]
    metrics = {
        METRIC_USER_MACRO_F1: _mean(user["challenger"], "macro_f1"),
        METRIC_CHAMPION_USER_MACRO_F1: _mean(user["champion"], "macro_f1"),
        METRIC_UCI_MACRO_F1: _mean(uci["challenger"], "macro_f1"),
        METRIC_CHAMPION_UCI_MACRO_F1: _mean(uci["champion"], "macro_f1"),
    }
    for who in ("challenger", "champion"):
        for key in ("accuracy", "arousal_agreement", "confident_wrong", "ece"):
            value = _mean(user[who], key)
            if value is not None:
                metrics[f"{'champion_' if who == 'champion' else ''}user_{key}"] = value
        for key in ("accuracy", "ece"):
            value = _mean(uci[who], key)
            if value is not None:
                metrics[f"{'champion_' if who == 'champion' else ''}uci_{key}"] = value
    return {k: v for k, v in metrics.items() if v is not None}


def register_challenger(result: RetrainResult) -> str:
    """Register the retrained pipeline as ``challenger``; its version number."""
    from turkmood.learning.registry import register_model

    report = result.report
    protocol = report.get("protocol", {})
    params = {
        "base_model": report.get("base_model", ""),
        "user_weight": result.weight,
        "seed": report.get("seed", ""),
        "uci_folds": protocol.get("uci_folds", ""),
        "uci_repeats": protocol.get("uci_repeats", ""),
        "user_folds": protocol.get("user_folds", ""),
        "user_repeats": protocol.get("user_repeats", ""),
        "uci_rows": report.get("uci_rows", ""),
    }
    return register_model(
        result.pipeline,
        metrics=gate_metrics(report),
        params=params,
        data_hash=report["data_hash"],
        lineage=report["labels"],
    )
