"""The canvas decision rule, applied to a table of class probabilities.

One wording everywhere (screen, CSV, JSON, prediction log):

* ``happy`` / ``sad`` / ``angry`` / ``relax`` — accepted: the top class reaches the threshold and
  the clip is like the training music;
* ``review — between X and Y`` — no class reaches the threshold;
* ``review — unlike the training music`` — out of distribution (:mod:`turkmood.ood`): however
  sure the model looks, it never saw music like this, so the verdict is not accepted;
* ``review — not music: …`` — out of distribution and clearly noise or a steady tone.

``status`` ("accepted" / "review") is the column a spreadsheet user filters on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from turkmood.constants import CLASSES, DECISION_THRESHOLD, REVIEW_PREFIX

if TYPE_CHECKING:
    from turkmood.ood import OODResult

#: Decision text of an out-of-distribution clip (prefixed by :func:`review`).
UNLIKE_TRAINING = "unlike the training music"
NOT_MUSIC = "not music"
ACCEPTED = "accepted"


def review(reason: str) -> str:
    """A review decision with its reason: ``review — <reason>``."""
    return f"{REVIEW_PREFIX} — {reason}"


def decide(probabilities: pd.DataFrame, threshold: float = DECISION_THRESHOLD) -> pd.DataFrame:
    """Add ``predicted``, ``confidence``, ``runner_up`` and ``decision`` to a probability table.

    ``decision`` is the top class when its probability is at least ``threshold``,
    otherwise ``"review — between <top1> and <top2>"``.
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
        t1 if c >= threshold else review(f"between {t1} and {t2}")
        for t1, t2, c in zip(top1, top2, confidence, strict=True)
    ]
    return out


def unusual_decision(is_ood: bool, non_music: str = "") -> str | None:
    """The review decision an out-of-distribution clip gets instead of its verdict (else None)."""
    if not is_ood:
        return None
    return review(f"{NOT_MUSIC}: {non_music}" if non_music else UNLIKE_TRAINING)


def review_unusual(decided: pd.DataFrame, verdicts: Sequence[OODResult]) -> pd.DataFrame:
    """``decided`` with the decision of every out-of-distribution row turned into a review.

    ``verdicts`` are the rows' :func:`turkmood.ood.check_features` (one per row, same order).
    """
    out = decided.copy()
    decisions = out["decision"].astype(str).tolist()
    for i, verdict in enumerate(verdicts):
        replaced = unusual_decision(verdict.is_ood, verdict.non_music)
        if replaced is not None:
            decisions[i] = replaced
    out["decision"] = decisions
    return out


def is_uncertain(decision: str) -> bool:
    """True when a decision string is a review decision (also the older ``Review: a/b`` form)."""
    return str(decision).lower().startswith(REVIEW_PREFIX)


def status(decision: str) -> str:
    """``"accepted"`` or ``"review"``: the column to filter on."""
    return REVIEW_PREFIX if is_uncertain(decision) else ACCEPTED
