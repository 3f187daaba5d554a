"""Cached heavy objects of the Analyze page: SHAP explainers and the audio pictures."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from turkmood.audio import load_audio
from turkmood.constants import FEATURE_NAMES, MANIFEST_PATH
from turkmood.explain import Explanation, ModelExplainer, build_explainer, explain
from turkmood.signal_views import Envelope, Spectrogram, mel_spectrogram_db, waveform_envelope
from ui.resources import get_model, training_data


def _manifest_mtime() -> int:
    """Cache key so a retrained model gets a fresh explainer."""
    try:
        return MANIFEST_PATH.stat().st_mtime_ns
    except OSError:
        return 0


@st.cache_resource(show_spinner="Preparing the explainer for this model…")
def _explainer_cached(model_name: str, manifest_mtime: int) -> ModelExplainer:
    return build_explainer(get_model(model_name), training_data().X)


def get_explainer(model_name: str) -> ModelExplainer:
    """The SHAP explainer of the named model, built once per process and model file."""
    return _explainer_cached(model_name, _manifest_mtime())


@st.cache_data(show_spinner=False, max_entries=8)
def signal_views(data: bytes) -> tuple[Envelope, Spectrogram]:
    """Waveform envelope and mel spectrogram of an audio file's bytes (AudioError if bad)."""
    y, sr = load_audio(data)
    return waveform_envelope(y, sr), mel_spectrogram_db(y, sr)


@st.cache_data(show_spinner=False, max_entries=64)
def _explanation_cached(
    model_name: str, manifest_mtime: int, values: tuple[float, ...], target: str
) -> Explanation:
    features = pd.Series(values, index=list(FEATURE_NAMES), dtype=float)
    return explain(get_explainer(model_name), features, target)


def explanation_for(model_name: str, features: pd.Series, target: str) -> Explanation:
    """SHAP explanation of one feature row, cached on the model and the values.

    A rerun of the page (the feedback form, a toggle) used to recompute Kernel SHAP each time.
    """
    values = tuple(float(features[f]) for f in FEATURE_NAMES)
    return _explanation_cached(model_name, _manifest_mtime(), values, target)
