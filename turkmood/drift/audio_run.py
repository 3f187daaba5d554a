"""Running audio-level drift end to end: load sample excerpts, transform, extract, score."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from turkmood.audio import load_audio
from turkmood.constants import ANALYSIS_SR, DRIFT_EXCERPT_S, SAMPLES_DIR, SEED
from turkmood.drift.audio import (
    AUDIO_SCENARIOS,
    AudioScenarioConfig,
    SampleClip,
    excerpt,
    features_frame,
    mp3_unavailable_reason,
    pick_samples,
    read_samples,
    transform,
)
from turkmood.drift.audio_score import AudioDriftResult, score_audio
from turkmood.features import extract_features
from turkmood.model import LoadedModel


def load_sample_clips(
    n: int, excerpt_s: float = DRIFT_EXCERPT_S, samples_dir: Path = SAMPLES_DIR
) -> list[SampleClip]:
    """``n`` sample clips (round-robin over emotions), each cut to its central excerpt."""
    clips = []
    for entry in pick_samples(read_samples(samples_dir), n):
        y, sr = load_audio(Path(samples_dir) / entry["file"])
        clips.append(SampleClip(entry["file"], entry.get("emotion"), excerpt(y, sr, excerpt_s)))
    return clips


def clip_features(y, sr: int) -> dict[str, float]:
    """The 50 features of one signal (after the NaN policy)."""
    return extract_features(y, sr)


def variant_features(
    clip: SampleClip, index: int, key: str, parameter: float | None, sr: int, seed: int
) -> dict[str, float]:
    """Features of ``clip`` after transform ``key`` (noise seeded by ``(seed, index)``)."""
    return clip_features(transform(key, clip.y, sr, parameter, [seed, index]), sr)


def skipped_transforms(keys: Sequence[str]) -> dict[str, str]:
    """Transforms that cannot run on this machine, with the reason."""
    reason = mp3_unavailable_reason()
    return {"mp3": reason} if reason and "mp3" in keys else {}


def run_audio_drift(
    clips: Sequence[SampleClip],
    model: LoadedModel,
    reference: pd.DataFrame,
    config: AudioScenarioConfig | None = None,
    keys: Sequence[str] = AUDIO_SCENARIOS,
    sr: int = ANALYSIS_SR,
    seed: int = SEED,
    excerpt_s: float = DRIFT_EXCERPT_S,
) -> AudioDriftResult:
    """Extract the original and every transformed version of each clip, then score them."""
    config = config or AudioScenarioConfig()
    skipped = skipped_transforms(keys)
    names = [c.name for c in clips]
    original = features_frame({c.name: clip_features(c.y, sr) for c in clips}).loc[names]
    variants = {}
    for key in keys:
        if key in skipped:
            continue
        rows = {
            c.name: variant_features(c, i, key, config.parameter(key), sr, seed)
            for i, c in enumerate(clips)
        }
        variants[key] = features_frame(rows).loc[names]
    return score_audio(
        original, variants, [c.label for c in clips], model, reference, config, skipped, excerpt_s
    )
