"""The label queue: clips seen so far, most uncertain first, and whether a retrain is worth it.

Uncertainty is the margin between the two largest track probabilities (small margin: the model
hesitates between two emotions). A clip appears once (its latest prediction) and leaves the
queue once it has a label. A label given from the queue keeps the clip's logged features (the
window the verdict rests on) as its training row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from turkmood.constants import CLASSES, FEATURE_NAMES, RETRAIN_NEW_LABEL_SHARE

__all__ = ["QUEUE_COLUMNS", "RetrainAdvice", "label_from_queue", "label_queue", "retrain_advice"]

QUEUE_COLUMNS = [
    "clip_hash",
    "clip_name",
    "created_utc",
    "source",
    "model_version",
    "predicted",
    "decision",
    "confidence",
    "margin",
    "is_ood",
]


def label_queue(predictions: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """Unlabelled clips of the prediction log, smallest top-two margin first (ties: newest)."""
    if predictions.empty:
        return pd.DataFrame(columns=QUEUE_COLUMNS + list(FEATURE_NAMES))
    latest = predictions.drop_duplicates("clip_hash", keep="last")
    labelled = set(labels["clip_hash"]) if not labels.empty else set()
    latest = latest[~latest["clip_hash"].isin(labelled)].copy()
    probs = np.sort(latest[[f"p_{c}" for c in CLASSES]].to_numpy(dtype=float), axis=1)
    latest["margin"] = probs[:, -1] - probs[:, -2] if len(latest) else []
    latest = latest.sort_values(["margin", "created_utc"], ascending=[True, False], kind="stable")
    return latest[QUEUE_COLUMNS + list(FEATURE_NAMES)].reset_index(drop=True)


def label_from_queue(row: pd.Series, emotion: str) -> None:
    """Store a person's label for a queue row (source ``queue``; LabelError if invalid)."""
    from turkmood.learning.labels import add_label

    features = row[list(FEATURE_NAMES)].to_numpy(dtype=float)
    if not np.isfinite(features).all():
        from turkmood.learning.labels import LabelError

        raise LabelError("this clip was logged without its features; analyse it again to label it")
    add_label(
        str(row["clip_hash"]),
        emotion,
        [features.tolist()],
        source="queue",
        clip_name=str(row["clip_name"]),
    )


@dataclass(frozen=True)
class RetrainAdvice:
    """Whether a retrain is worth it now, and why, in one sentence."""

    worth_it: bool
    message: str
    n_new_labels: int
    needed: int


def retrain_advice(n_new_labels: int, n_training_rows: int, drift: bool | None) -> RetrainAdvice:
    """The canvas's rule: ≥ RETRAIN_NEW_LABEL_SHARE new labelled data, or significant drift."""
    needed = int(np.ceil(RETRAIN_NEW_LABEL_SHARE * n_training_rows))
    share = f"{n_new_labels} new label(s), {needed} make {RETRAIN_NEW_LABEL_SHARE:.0%} of the "
    share += f"{n_training_rows} training rows"
    if n_new_labels >= needed:
        return RetrainAdvice(True, f"A retrain is worth it: {share}.", n_new_labels, needed)
    if drift and n_new_labels > 0:
        return RetrainAdvice(
            True,
            f"A retrain is worth it: recent inputs drifted from the training data ({share}).",
            n_new_labels,
            needed,
        )
    return RetrainAdvice(False, f"Not yet: {share}.", n_new_labels, needed)
