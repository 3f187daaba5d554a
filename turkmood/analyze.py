"""Whole-song analysis: windows → features → probabilities → timeline and track verdict.

The training excerpts are 30 s long, so a song is cut into WINDOW_S windows every WINDOW_HOP_S
(back to back: every second counts once in the verdict, and a 5-minute song costs 10 windows
instead of 19 with 50 % overlap); a final window is aligned to the end of the song so its tail is
covered (it overlaps the one before). Clips up to WINDOW_S long are analysed whole: MIRtoolbox
statistics are whole-clip values, and a shorter clip gives noisier values (fewer onsets, fewer
frames) than the training excerpts had.
The track prediction is the **mean of the window probabilities**, passed through the same decision
rule as a single clip.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from turkmood.constants import CLASSES, FEATURE_NAMES, WINDOW_HOP_S, WINDOW_S
from turkmood.decision import decide, review_unusual, unusual_decision
from turkmood.model import LoadedModel, cached_model, predict_proba
from turkmood.ood import OODResult, check_features
from turkmood.window_pool import Progress, extract_windows


@dataclass(frozen=True)
class Analysis:
    """Everything the UI and the batch writer need about one song."""

    duration_s: float
    #: One row per window: start_s, end_s, the class probabilities, predicted, confidence, decision.
    timeline: pd.DataFrame
    #: One row per window: the 50 features (after the NaN policy).
    features: pd.DataFrame
    #: One-row table: mean window probabilities + decision.
    track: pd.DataFrame
    #: Per window: OOD verdict and the features imputed because MIRtoolbox gives NaN there.
    ood: list[OODResult]
    imputed: list[list[str]]
    model_version: str
    notes: list[str] = field(default_factory=list)

    @property
    def decision(self) -> str:
        return str(self.track.loc[0, "decision"])

    @property
    def predicted(self) -> str:
        return str(self.track.loc[0, "predicted"])

    @property
    def confidence(self) -> float:
        return float(self.track.loc[0, "confidence"])

    @property
    def is_ood(self) -> bool:
        """The track is out of distribution when at least half its windows are."""
        return 2 * sum(r.is_ood for r in self.ood) >= len(self.ood)

    @property
    def track_features(self) -> pd.Series:
        """Features of the window closest to the track verdict (the whole clip if one window)."""
        return self.features.iloc[self.representative_window]

    @property
    def representative_window(self) -> int:
        """Index of the window whose probabilities are closest to the track mean."""
        probs = self.timeline[list(CLASSES)].to_numpy()
        mean = self.track[list(CLASSES)].to_numpy()
        return int(np.argmin(((probs - mean) ** 2).sum(axis=1)))


def window_bounds(n_samples: int, sr: int, hop_s: float = WINDOW_HOP_S) -> list[tuple[int, int]]:
    """Sample ranges of the analysis windows (whole clip when it fits in one window)."""
    win = int(round(WINDOW_S * sr))
    hop = int(round(hop_s * sr))
    if n_samples <= win:
        return [(0, n_samples)]
    starts = list(range(0, n_samples - win + 1, hop))
    if starts[-1] + win < n_samples:
        starts.append(n_samples - win)
    return [(s, s + win) for s in starts]


def analyze_signal(
    y: np.ndarray,
    sr: int,
    model: LoadedModel | str | None = None,
    pool: Executor | None = None,
    hop_s: float = WINDOW_HOP_S,
    notes: Sequence[str] = (),
    progress: Progress | None = None,
) -> Analysis:
    """Analyse a decoded signal (as returned by :func:`turkmood.audio.load_audio`).

    ``notes`` (the decoder's, e.g. a header that understated the length) head the analysis notes.

    ``pool`` (:func:`turkmood.window_pool.start_window_pool`) extracts the windows of a long
    song on worker processes; the result is the same without it. ``hop_s`` spaces the windows
    (the app's back-to-back default; ``bench/window_hop.py`` compares 50 % overlap).
    ``progress(k, n)`` is called as each of the n windows is done (k = 1..n); it changes no
    value.
    """
    if not isinstance(model, LoadedModel):
        model = cached_model(model)
    bounds = window_bounds(len(y), sr, hop_s)
    rows, imputed = [], []
    # same values as extract_features_with_flags(y[start:end], sr) per window, with the O2
    # attack envelope shared between overlapping windows (tests/features/test_extract.py)
    for vector in extract_windows(y, sr, bounds, pool, progress):
        rows.append(vector.values)
        imputed.append(list(vector.imputed))
    features = pd.DataFrame(rows, columns=list(FEATURE_NAMES))
    probs = predict_proba(model, features)
    timeline = decide(probs)
    timeline.insert(0, "start_s", [s / sr for s, _ in bounds])
    timeline.insert(1, "end_s", [e / sr for _, e in bounds])
    track = decide(pd.DataFrame([probs.mean(axis=0).to_numpy()], columns=list(CLASSES)))
    notes = list(notes)
    duration = len(y) / sr
    if duration < WINDOW_S - 1:
        notes.append(
            f"The clip is {duration:.1f} s long; the model was trained on {WINDOW_S:.0f} s "
            "excerpts, so rhythm statistics rest on fewer events than in training."
        )
    verdicts = check_features(features)
    analysis = Analysis(
        duration_s=duration,
        timeline=review_unusual(timeline, verdicts),
        features=features,
        track=track,
        ood=verdicts,
        imputed=imputed,
        model_version=model.version,
        notes=notes,
    )
    # an out-of-distribution track never gets an accepted verdict (see turkmood.decision)
    reasons = {r.non_music for r in verdicts if r.is_ood}
    replaced = unusual_decision(analysis.is_ood, reasons.pop() if len(reasons) == 1 else "")
    if replaced is not None:
        track.loc[0, "decision"] = replaced
    return analysis


def analyze(
    source: object, model: LoadedModel | str | None = None, pool: Executor | None = None
) -> Analysis:
    """Decode ``source`` (path, bytes or file-like) and analyse it; AudioError on bad audio."""
    from turkmood.audio import decode_audio

    decoded = decode_audio(source)
    return analyze_signal(decoded.y, decoded.sr, model, pool, notes=decoded.notes)
