"""Cached drift computations for the Drift page (the work itself lives in ``turkmood.drift``).

* the held-out model (one fit of a clone per shipped model) — ``st.cache_resource``;
* the table scenarios per model and intensity settings — ``st.cache_data``;
* audio: the sample excerpts and the features of every (clip, transform, intensity) separately,
  so moving one slider re-extracts only that transform.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from turkmood.constants import ANALYSIS_SR, DRIFT_EXCERPT_S, MANIFEST_PATH, SEED
from turkmood.drift.audio import AudioScenarioConfig, SampleClip, features_frame
from turkmood.drift.audio_run import (
    clip_features,
    load_sample_clips,
    skipped_transforms,
    variant_features,
)
from turkmood.drift.audio_score import AudioDriftResult, score_audio
from turkmood.drift.evaluate import TableDriftResult, run_table_scenarios
from turkmood.drift.holdout import Holdout, make_holdout
from turkmood.drift.scenarios import TableScenarioConfig
from ui.resources import get_model, training_data

SR = ANALYSIS_SR


def _manifest_mtime() -> int:
    """Manifest modification time: part of the cache keys, so a retrained model is picked up."""
    try:
        return MANIFEST_PATH.stat().st_mtime_ns
    except OSError:
        return 0


@st.cache_resource(show_spinner="Fitting a copy of the model without the held-out songs…")
def _holdout(model_name: str, manifest_mtime: int) -> Holdout:
    return make_holdout(get_model(model_name), training_data(), seed=SEED)


def holdout_for(model_name: str) -> Holdout:
    """Held-out split and the clone of ``model_name`` fitted without it (once per process)."""
    return _holdout(model_name, _manifest_mtime())


@st.cache_data(show_spinner="Computing the table scenarios…", max_entries=32)
def _table_result(
    model_name: str, manifest_mtime: int, config_json: str
) -> tuple[TableDriftResult, str]:
    data = json.loads(config_json)
    config = TableScenarioConfig(**{**data, "features": tuple(data["features"])})
    result = run_table_scenarios(_holdout(model_name, manifest_mtime), config, SEED)
    return result, datetime.now(UTC).isoformat(timespec="seconds")


def table_result(model_name: str, config: TableScenarioConfig) -> tuple[TableDriftResult, str]:
    """All table scenarios for ``model_name`` at these intensities, and when they were computed."""
    payload = json.dumps({**asdict(config), "features": list(config.features)}, sort_keys=True)
    return _table_result(model_name, _manifest_mtime(), payload)


@st.cache_data(show_spinner="Reading the sample clips…", max_entries=8)
def sample_clips(n: int, excerpt_s: float = DRIFT_EXCERPT_S) -> list[SampleClip]:
    """``n`` sample excerpts (one per emotion first)."""
    return load_sample_clips(n, excerpt_s)


@st.cache_data(show_spinner=False, max_entries=512)
def _clip_features(
    n: int, excerpt_s: float, index: int, key: str, parameter: float | None
) -> dict[str, float]:
    clip = sample_clips(n, excerpt_s)[index]
    if key == "original":
        return clip_features(clip.y, SR)
    return variant_features(clip, index, key, parameter, SR, SEED)


def audio_result(
    model_name: str,
    config: AudioScenarioConfig,
    keys: tuple[str, ...],
    n_clips: int,
    excerpt_s: float = DRIFT_EXCERPT_S,
) -> AudioDriftResult:
    """Audio drift of ``n_clips`` sample excerpts, with a progress bar while extracting."""
    clips = sample_clips(n_clips, excerpt_s)
    skipped = skipped_transforms(keys)
    jobs = [("original", None)] + [(k, config.parameter(k)) for k in keys if k not in skipped]
    progress = st.progress(0.0, text="Extracting features of the sample clips…")
    tables: dict[str, pd.DataFrame] = {}
    total = len(jobs) * len(clips)
    for j, (key, parameter) in enumerate(jobs):
        rows = {}
        for i, clip in enumerate(clips):
            done = j * len(clips) + i
            progress.progress(done / total, text=f"{key}: {clip.name} ({done + 1}/{total})")
            rows[clip.name] = _clip_features(n_clips, excerpt_s, i, key, parameter)
        tables[key] = features_frame(rows).loc[[c.name for c in clips]]
    progress.empty()
    original = tables.pop("original")
    return score_audio(
        original,
        tables,
        [c.label for c in clips],
        get_model(model_name),
        training_data().X,
        config,
        skipped,
        excerpt_s,
    )
