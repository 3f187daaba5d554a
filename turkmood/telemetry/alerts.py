"""The canvas's monitoring alert rules, as data: latency, input drift, quality on feedback.

Each rule returns an :class:`Alert` whose ``status`` is ``ALERT`` (the rule fires), ``OK`` (it
was checked and holds) or ``UNKNOWN`` (too little data to judge; the message says what is
missing). Messages are plain sentences without user-derived text. Thresholds live in
:mod:`turkmood.constants`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from turkmood.constants import (
    MONITOR_DRIFT_ALERT_FEATURES,
    MONITOR_F1_DROP,
    MONITOR_LATENCY_P95_S,
    MONITOR_MIN_DRIFT_ROWS,
    MONITOR_MIN_LABELS,
)

__all__ = ["ALERT", "OK", "UNKNOWN", "Alert", "drift_alert", "latency_alert", "quality_alert"]

ALERT = "alert"
OK = "ok"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Alert:
    """One rule's outcome: which rule, ``ALERT`` / ``OK`` / ``UNKNOWN``, and a plain sentence."""

    rule: str
    status: str
    message: str


def latency_alert(p95_s: float, n_predictions: int) -> Alert:
    """Fires when the 95th-percentile latency exceeds MONITOR_LATENCY_P95_S."""
    if n_predictions == 0 or not math.isfinite(p95_s):
        return Alert("latency", UNKNOWN, "No predictions logged yet, so no latency to check.")
    limit = MONITOR_LATENCY_P95_S
    if p95_s > limit:
        return Alert(
            "latency",
            ALERT,
            f"Predictions are slow: 95 % take up to {p95_s:.2f} s, above the {limit:g} s limit.",
        )
    return Alert("latency", OK, f"Latency is fine: 95 % of predictions take at most {p95_s:.2f} s.")


def drift_alert(n_drifted: int | None, n_rows: int, n_features: int) -> Alert:
    """Fires when at least MONITOR_DRIFT_ALERT_FEATURES features drifted (drift module's rule).

    ``n_drifted`` is None when the drift test was not run (fewer than MONITOR_MIN_DRIFT_ROWS
    recent clips with features).
    """
    if n_drifted is None:
        return Alert(
            "drift",
            UNKNOWN,
            f"Not enough recent clips to test input drift: {n_rows} with features, "
            f"{MONITOR_MIN_DRIFT_ROWS} needed.",
        )
    if n_drifted >= MONITOR_DRIFT_ALERT_FEATURES:
        return Alert(
            "drift",
            ALERT,
            f"Recent inputs differ from the training data: {n_drifted} of {n_features} features "
            f"drifted significantly over the last {n_rows} clips.",
        )
    return Alert(
        "drift",
        OK,
        f"No significant input drift: 0 of {n_features} features drifted over the last "
        f"{n_rows} clips.",
    )


def quality_alert(macro_f1: float | None, cv_macro_f1: float | None, n_labels: int) -> Alert:
    """Fires when macro-F1 on labelled feedback is more than MONITOR_F1_DROP below the CV value.

    UNKNOWN ("not enough labels") with fewer than MONITOR_MIN_LABELS labels, or when the model's
    CV macro-F1 is not known.
    """
    if n_labels < MONITOR_MIN_LABELS or macro_f1 is None:
        return Alert(
            "quality",
            UNKNOWN,
            f"Not enough labels to check quality: {n_labels} labelled clips for this model, "
            f"{MONITOR_MIN_LABELS} needed.",
        )
    if cv_macro_f1 is None:
        return Alert(
            "quality",
            UNKNOWN,
            f"Macro-F1 on {n_labels} labelled clips is {macro_f1:.3f}, but this model has no "
            "cross-validated macro-F1 to compare with.",
        )
    drop = cv_macro_f1 - macro_f1
    points = 100 * drop
    if drop > MONITOR_F1_DROP:
        return Alert(
            "quality",
            ALERT,
            f"Quality dropped: macro-F1 on {n_labels} labelled clips is {macro_f1:.3f}, "
            f"{points:.1f} points below the cross-validated {cv_macro_f1:.3f} "
            f"(limit {100 * MONITOR_F1_DROP:g} points).",
        )
    return Alert(
        "quality",
        OK,
        f"Quality holds: macro-F1 on {n_labels} labelled clips is {macro_f1:.3f} "
        f"(cross-validated {cv_macro_f1:.3f}).",
    )
