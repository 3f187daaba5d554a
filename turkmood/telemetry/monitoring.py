"""Monitoring figures over the prediction log (pure functions) and the alerts they raise.

From the frame of :func:`turkmood.telemetry.prediction_log.read_predictions`: predictions per
class per hour or day (hourly while the log spans at most MONITOR_HOURLY_MAX_SPAN_H hours), the
share of "review" decisions, the OOD rate and latency p50/p95, overall and per source; input
drift of the recent distinct clips against the training table with the drift module's PSI/KS
and its drifted-feature rule; macro-F1 on labelled feedback against the model's CV macro-F1.
Feedback rows keep the prediction the model made and its version, so quality is measured on
them directly (the feedback store has no clip hash to join on). An empty log gives an empty,
well-defined summary.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score

from turkmood.constants import (
    CLASSES,
    FEATURE_NAMES,
    METRICS_PATH,
    MONITOR_DRIFT_WINDOW,
    MONITOR_HOURLY_MAX_SPAN_H,
    MONITOR_MAX_ROWS,
    MONITOR_MIN_DRIFT_ROWS,
    MONITOR_MIN_LABELS,
    PREDICTION_SOURCES,
)
from turkmood.data import load_training_data
from turkmood.decision import is_uncertain
from turkmood.drift.stats import feature_drift
from turkmood.feedback import BASE_COLUMNS, FeedbackError, read_feedback
from turkmood.telemetry.alerts import Alert, drift_alert, latency_alert, quality_alert
from turkmood.telemetry.prediction_log import read_predictions

__all__ = [
    "ALL_SOURCES",
    "SOURCE_COLUMNS",
    "DriftCheck",
    "FeedbackQuality",
    "MonitoringSummary",
    "choose_bucket",
    "current_summary",
    "cv_macro_f1",
    "feedback_quality",
    "input_drift",
    "per_class_counts",
    "source_stats",
    "summarise",
]

#: Row label of the all-sources line of :func:`source_stats`.
ALL_SOURCES = "all"
#: Columns of :func:`source_stats`.
SOURCE_COLUMNS = ("n", "review_share", "ood_rate", "latency_p50_s", "latency_p95_s")
_FREQ = {"hour": "h", "day": "D"}


@dataclass(frozen=True)
class DriftCheck:
    """Input drift of the recent distinct clips (``table`` is None when too few)."""

    n_rows: int
    table: pd.DataFrame | None
    n_drifted: int | None


@dataclass(frozen=True)
class FeedbackQuality:
    """Macro-F1 on the labelled feedback of one model version (None with too few labels)."""

    model_version: str | None
    n_labels: int
    macro_f1: float | None
    cv_macro_f1: float | None


@dataclass(frozen=True)
class MonitoringSummary:
    """Everything the Monitoring page shows."""

    n_predictions: int
    first_utc: pd.Timestamp | None
    last_utc: pd.Timestamp | None
    bucket: str
    per_class: pd.DataFrame
    sources: pd.DataFrame
    drift: DriftCheck
    quality: FeedbackQuality
    alerts: tuple[Alert, ...]
    latest: pd.DataFrame


def _times(log: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(log["created_utc"], utc=True, format="ISO8601")


def choose_bucket(first: pd.Timestamp | None, last: pd.Timestamp | None) -> str:
    """``"hour"`` when the log spans at most MONITOR_HOURLY_MAX_SPAN_H hours, else ``"day"``."""
    if first is None or last is None:
        return "hour"
    return "hour" if last - first <= pd.Timedelta(hours=MONITOR_HOURLY_MAX_SPAN_H) else "day"


def per_class_counts(log: pd.DataFrame, bucket: str) -> pd.DataFrame:
    """Predictions per top-1 class (columns ``CLASSES``) per time bucket (UTC start, no gaps)."""
    freq = _FREQ[bucket]
    if log.empty:
        empty = pd.DatetimeIndex([], tz="UTC", name="bucket")
        return pd.DataFrame(0, index=empty, columns=list(CLASSES), dtype=int)
    starts = _times(log).dt.floor(freq).rename("bucket")
    counts = pd.crosstab(starts, log["predicted"].astype(str))
    full = pd.date_range(starts.min(), starts.max(), freq=freq, name="bucket")
    table = counts.reindex(index=full, columns=list(CLASSES), fill_value=0).astype(int)
    table.columns.name = None
    return table


def _stats(rows: pd.DataFrame) -> dict[str, float]:
    if rows.empty:
        return dict.fromkeys(SOURCE_COLUMNS, float("nan")) | {"n": 0}
    latency = rows["latency_s"].astype(float).to_numpy()
    return {
        "n": len(rows),
        "review_share": float(rows["decision"].astype(str).map(is_uncertain).mean()),
        "ood_rate": float(rows["is_ood"].astype(bool).mean()),
        "latency_p50_s": float(np.percentile(latency, 50)),
        "latency_p95_s": float(np.percentile(latency, 95)),
    }


def source_stats(log: pd.DataFrame) -> pd.DataFrame:
    """Count, review share, OOD rate and latency p50/p95 for all rows, then per logged source."""
    seen = [s for s in PREDICTION_SOURCES if s in set(log["source"])]
    seen += sorted(set(log["source"]) - set(seen))
    rows = {ALL_SOURCES: _stats(log)} | {s: _stats(log[log["source"] == s]) for s in seen}
    table = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=list(SOURCE_COLUMNS))
    table["n"] = table["n"].astype(int)
    table.index.name = "source"
    return table


def recent_inputs(log: pd.DataFrame, window: int = MONITOR_DRIFT_WINDOW) -> pd.DataFrame:
    """The 50 features of the last ``window`` distinct clips (latest row per clip hash) that have
    finite features, so one clip predicted many times counts once."""
    features = log[list(FEATURE_NAMES)].apply(pd.to_numeric, errors="coerce")
    usable = log[np.isfinite(features.to_numpy(dtype=float)).all(axis=1)]
    latest = usable.drop_duplicates("clip_hash", keep="last").tail(window)
    return latest[list(FEATURE_NAMES)].astype(float).reset_index(drop=True)


def input_drift(log: pd.DataFrame, reference: pd.DataFrame) -> DriftCheck:
    """PSI/KS of the recent distinct clips against ``reference`` (drift module), largest PSI
    first; no test below MONITOR_MIN_DRIFT_ROWS clips."""
    sample = recent_inputs(log)
    if len(sample) < MONITOR_MIN_DRIFT_ROWS:
        return DriftCheck(n_rows=len(sample), table=None, n_drifted=None)
    table = feature_drift(reference, sample).sort_values("psi", ascending=False)
    return DriftCheck(n_rows=len(sample), table=table, n_drifted=int(table["drifted"].sum()))


def cv_macro_f1(metrics: Mapping, model_version: str | None) -> float | None:
    """The cross-validated mean macro-F1 recorded in metrics.json for a version's model name."""
    if not model_version:
        return None
    entry = (metrics.get("models") or {}).get(model_version.split("@", 1)[0]) or {}
    value = (entry.get("macro_f1") or {}).get("mean")
    return None if value is None else float(value)


def feedback_quality(
    feedback: pd.DataFrame, model_version: str | None, cv_f1: float | None
) -> FeedbackQuality:
    """Macro-F1 of the model's predictions against the users' labels, for ``model_version``.

    Averaged over the classes present in labels or predictions; None below MONITOR_MIN_LABELS.
    """
    rows = feedback[feedback["model_version"] == model_version] if model_version else feedback[:0]
    n = len(rows)
    f1 = None
    if n >= MONITOR_MIN_LABELS:
        truth, predicted = rows["true_emotion"].astype(str), rows["predicted"].astype(str)
        labels = [c for c in CLASSES if c in set(truth) | set(predicted)]
        f1 = float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0))
    return FeedbackQuality(model_version=model_version, n_labels=n, macro_f1=f1, cv_macro_f1=cv_f1)


def summarise(
    log: pd.DataFrame,
    reference: pd.DataFrame,
    feedback: pd.DataFrame,
    metrics: Mapping,
    latest_rows: int = 10,
) -> MonitoringSummary:
    """The whole monitoring summary of a prediction log (oldest first) and its alerts.

    Quality is judged for the model version of the newest logged prediction.
    """
    times = _times(log) if not log.empty else pd.Series([], dtype="datetime64[ns, UTC]")
    first = times.min() if len(times) else None
    last = times.max() if len(times) else None
    bucket = choose_bucket(first, last)
    sources = source_stats(log)
    drift = input_drift(log, reference)
    version = str(log["model_version"].iloc[-1]) if not log.empty else None
    quality = feedback_quality(feedback, version, cv_macro_f1(metrics, version))
    alerts = (
        latency_alert(float(sources.loc[ALL_SOURCES, "latency_p95_s"]), len(log)),
        drift_alert(drift.n_drifted, drift.n_rows, len(FEATURE_NAMES)),
        quality_alert(quality.macro_f1, quality.cv_macro_f1, quality.n_labels),
    )
    shown = ["created_utc", "source", "clip_name", "decision", "confidence", "is_ood", "latency_s"]
    return MonitoringSummary(
        n_predictions=len(log),
        first_utc=first,
        last_utc=last,
        bucket=bucket,
        per_class=per_class_counts(log, bucket),
        sources=sources,
        drift=drift,
        quality=quality,
        alerts=alerts,
        latest=log[shown].tail(latest_rows).iloc[::-1].reset_index(drop=True),
    )


def current_summary() -> MonitoringSummary:
    """:func:`summarise` of the newest MONITOR_MAX_ROWS logged predictions, the bundled training
    table, the feedback store and ``models/metrics.json`` (missing stores read as empty)."""
    try:
        feedback = read_feedback()
    except FeedbackError:  # an unreadable store counts as no labels
        feedback = pd.DataFrame(columns=BASE_COLUMNS)
    try:
        metrics = json.loads(METRICS_PATH.read_text())
    except (OSError, json.JSONDecodeError):
        metrics = {}
    return summarise(
        read_predictions(limit=MONITOR_MAX_ROWS), load_training_data().X, feedback, metrics
    )
