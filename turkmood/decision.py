"""The canvas decision rule, applied to a table of class probabilities."""

from __future__ import annotations

import numpy as np
import pandas as pd

from turkmood.constants import CLASSES, DECISION_THRESHOLD, REVIEW_PREFIX


def decide(probabilities: pd.DataFrame, threshold: float = DECISION_THRESHOLD) -> pd.DataFrame:
    """Add ``predicted``, ``confidence``, ``runner_up`` and ``decision`` to a probability table.

    ``decision`` is the top class when its probability is at least ``threshold``,
    otherwise ``"Review: <top1>/<top2>"``.
    """
    probs = probabilities[list(CLASSES)].to_numpy(dtype=float)
    order = np.argsort(-probs, axis=1, kind="stable")
    top1 = np.asarray(CLASSES)[order[:, 0]]
    top2 = np.asarray(CLASSES)[order[:, 1]]
    confidence = probs[np.arange(len(probs)), order[:, 0]]
    out = probabilities.copy()
    out["predicted"] = top1
    out["confidence"] = confidence
    out["runner_up"] = top2
    out["decision"] = [
        t1 if c >= threshold else f"{REVIEW_PREFIX}: {t1}/{t2}"
        for t1, t2, c in zip(top1, top2, confidence, strict=True)
    ]
    return out


def is_uncertain(decision: str) -> bool:
    """True when a decision string is a review (below-threshold) decision."""
    return decision.startswith(f"{REVIEW_PREFIX}:")
