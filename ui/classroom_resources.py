"""Cached heavy objects of the Classroom page: importance ranking, PCA map, demo clips."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from turkmood.demos import Demo, render_demo
from turkmood.whatif import global_importance
from ui.analyze_resources import get_explainer
from ui.classroom_data import Projection, TsneMap, pca_projection, tsne_map
from ui.resources import training_data


@st.cache_resource(show_spinner="Ranking the features by mean |SHAP| (40 training songs)…")
def _importance_cached(model_name: str, model_version: str) -> pd.Series:
    return global_importance(get_explainer(model_name), training_data().X)


def get_importance(model_name: str, model_version: str) -> pd.Series:
    """Mean |SHAP| per feature of the named model (computed once per process and version)."""
    return _importance_cached(model_name, model_version)


@st.cache_resource(show_spinner=False)
def get_projection() -> Projection:
    """The 2-D PCA map of the training table."""
    return pca_projection(training_data().X)


@st.cache_resource(show_spinner="Fitting the t-SNE map of the training songs…")
def get_tsne() -> TsneMap:
    """The 2-D t-SNE map of the training table (fitted once per process)."""
    return tsne_map(training_data().X)


@st.cache_resource(show_spinner="Synthesising the demonstration…", max_entries=8)
def get_demo(key: str) -> Demo:
    """Both clips of demonstration ``key`` with their measured feature values."""
    return render_demo(key)
