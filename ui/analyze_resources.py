"""Cached heavy objects of the Analyze page: SHAP explainers and explanations."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

import pandas as pd
import streamlit as st

from turkmood.constants import FEATURE_NAMES, MANIFEST_PATH
from turkmood.explain import Explanation, ModelExplainer, build_explainer, explain
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


@st.cache_resource(show_spinner=False)
def _explain_pool() -> ThreadPoolExecutor:
    """One background thread for the SHAP explanations of this server."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="turkmood-shap")


@st.cache_resource(show_spinner=False, max_entries=64)
def _explanation_future(
    model_name: str, manifest_mtime: int, values: tuple[float, ...], target: str
) -> Future[Explanation]:
    explainer = get_explainer(model_name)
    features = pd.Series(values, index=list(FEATURE_NAMES), dtype=float)
    return _explain_pool().submit(explain, explainer, features, target)


def explanation_future(model_name: str, features: pd.Series, target: str) -> Future[Explanation]:
    """The SHAP explanation of one feature row, computed on a background thread.

    Started as soon as the verdict is known, so Kernel SHAP (~0.3 s) runs while the page draws
    the verdict, pictures and the valence-arousal view; kept per model and feature values, so
    a rerun (the feedback form, a toggle) does not compute it again.
    """
    key = (model_name, _manifest_mtime(), tuple(float(features[f]) for f in FEATURE_NAMES), target)
    future = _explanation_future(*key)
    if future.done() and future.exception() is not None:  # failures are not kept: try again
        _explanation_future.clear(*key)
        future = _explanation_future(*key)
    return future
