"""Scoring audio-level drift: how far features and predictions of the sample clips move.

The clips are few (a handful of excerpts), so PSI/KS against the 388 training rows would mostly
measure small-sample noise. Each clip is instead compared with **itself** before the change:
per feature the shift in training standard deviations, per clip whether the predicted emotion
changed and how far the probabilities moved (total-variation distance, 0-1). Accuracy against
the clips' intended emotions is reported too, but with n clips one clip is 100/n points.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score

from turkmood.constants import CLASSES, FEATURE_NAMES
from turkmood.drift.audio import AudioScenarioConfig, describe, standardised_shift
from turkmood.drift.evaluate import impact_level, prediction_shares
from turkmood.model import LoadedModel, predict_proba


@dataclass(frozen=True)
class AudioScenarioResult:
    """One audio transform applied to every clip."""

    key: str
    title: str
    n_clips: int
    accuracy: float
    macro_f1: float
    delta_pp: float
    impact: str
    changed_share: float
    mean_probability_shift: float
    mean_abs_shift_sd: float
    prediction_shares: dict[str, float]
    #: Per feature: mean signed and mean absolute shift in training SDs (index FEATURE_NAMES).
    features: pd.DataFrame
    #: Per clip: original and new prediction and the probability shift.
    clips: pd.DataFrame


@dataclass(frozen=True)
class AudioDriftResult:
    """The original clips' predictions and one result per transform (skipped ones explained)."""

    clip_names: list[str]
    labels: list[str | None]
    original_accuracy: float
    scenarios: list[AudioScenarioResult]
    skipped: dict[str, str]
    excerpt_s: float
    config: AudioScenarioConfig


def _scores(labels: Sequence[str | None], predicted: np.ndarray) -> tuple[float, float]:
    known = np.array([lab is not None for lab in labels])
    if not known.any():
        return float("nan"), float("nan")
    truth = np.asarray(labels, dtype=object)[known].astype(str)
    pred = predicted[known]
    acc = float(accuracy_score(truth, pred))
    f1 = float(f1_score(truth, pred, labels=list(CLASSES), average="macro", zero_division=0))
    return acc, f1


def score_audio(
    original: pd.DataFrame,
    variants: Mapping[str, pd.DataFrame],
    labels: Sequence[str | None],
    model: LoadedModel,
    reference: pd.DataFrame,
    config: AudioScenarioConfig,
    skipped: Mapping[str, str] | None = None,
    excerpt_s: float = float("nan"),
) -> AudioDriftResult:
    """Compare each transformed feature table (same clip rows) with the original one."""
    sd = reference[list(FEATURE_NAMES)].std(ddof=1)
    p0 = predict_proba(model, original).to_numpy()
    pred0 = np.asarray(CLASSES)[p0.argmax(axis=1)]
    acc0, _ = _scores(labels, pred0)
    results = []
    for key, changed in variants.items():
        changed = changed.loc[original.index]
        p1 = predict_proba(model, changed).to_numpy()
        pred1 = np.asarray(CLASSES)[p1.argmax(axis=1)]
        acc, f1 = _scores(labels, pred1)
        delta = 100.0 * (acc - acc0)
        z = standardised_shift(original, changed, sd)
        tv = 0.5 * np.abs(p1 - p0).sum(axis=1)
        results.append(
            AudioScenarioResult(
                key=key,
                title=describe(key, config),
                n_clips=len(original),
                accuracy=acc,
                macro_f1=f1,
                delta_pp=delta,
                impact=impact_level(delta) if np.isfinite(delta) else "n/a",
                changed_share=float(np.mean(pred1 != pred0)),
                mean_probability_shift=float(tv.mean()),
                mean_abs_shift_sd=float(np.abs(z.to_numpy()).mean()),
                prediction_shares=prediction_shares(pred1),
                features=pd.DataFrame(
                    {"mean_shift_sd": z.mean(), "mean_abs_shift_sd": z.abs().mean()}
                ).rename_axis("feature"),
                clips=pd.DataFrame(
                    {
                        "clip": list(original.index),
                        "label": list(labels),
                        "original": pred0,
                        "changed": pred1,
                        "probability_shift": tv,
                    }
                ),
            )
        )
    return AudioDriftResult(
        clip_names=[str(i) for i in original.index],
        labels=list(labels),
        original_accuracy=acc0,
        scenarios=results,
        skipped=dict(skipped or {}),
        excerpt_s=excerpt_s,
        config=config,
    )
