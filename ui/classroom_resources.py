"""Cached heavy objects of the Classroom page: importance ranking, PCA map, demo clips."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from turkmood.data import training_row_numbers
from turkmood.demos import Demo, render_demo
from turkmood.explain import ModelExplainer
from turkmood.model import LoadedModel
from turkmood.precomputed import precomputed_ranking, precomputed_tsne, read_classroom
from turkmood.whatif import IMPORTANCE_ROWS, WHATIF_TOP_K, global_importance
from ui.analyze_resources import get_explainer
from ui.classroom_data import Projection, TsneMap, pca_projection, tsne_map
from ui.resources import training_data


@st.cache_resource(show_spinner=False)
def _shipped() -> dict | None:
    """The checksum-verified ``models/classroom.json`` (None when absent or refused)."""
    return read_classroom()


def shipped_ranking(model: LoadedModel) -> pd.Series | None:
    """The feature ranking computed at train time for exactly this model file, else None."""
    return precomputed_ranking(_shipped(), model)


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


@st.cache_resource(show_spinner="Placing the training songs on the t-SNE map…")
def get_tsne() -> TsneMap:
    """The 2-D t-SNE map of the training table: the positions shipped with the models when they
    were computed from this very table, else fitted once per process."""
    data = training_data()
    return tsne_map(data.X, precomputed_tsne(_shipped(), data))


@st.cache_resource(show_spinner="Synthesising the demonstration…", max_entries=8)
def get_demo(key: str) -> Demo:
    """Both clips of demonstration ``key`` with their measured feature values."""
    return render_demo(key)


@st.cache_resource(show_spinner=False)
def get_row_numbers() -> list[int]:
    """CSV row number (from 1, as on the Analyze page) of every training song, in order."""
    return training_row_numbers()


@st.cache_resource(show_spinner=False)
def _prepared() -> set[str]:
    """Model versions whose explainer and feature ranking are ready in this process."""
    return set()


def prepare(model: LoadedModel) -> tuple[ModelExplainer, pd.Series]:
    """The model's SHAP explainer and feature ranking. A bundled model's ranking was computed at
    train time (``models/classroom.json``); for any other model (a registry version), the first
    time in this process, inside a visible status that says what is being computed (it takes a
    while on a small machine)."""
    shipped = shipped_ranking(model)
    if shipped is not None:
        return get_explainer(model.name), shipped
    done = _prepared()
    if model.version in done:
        return get_explainer(model.name), get_importance(model.name, model.version)
    with st.status(
        f"First load: preparing the Classroom for model {model.name}…", expanded=True
    ) as status:
        status.write(
            "1/2 Building the SHAP explainer: it works out how much each feature pushed a "
            "prediction."
        )
        explainer = get_explainer(model.name)
        status.write(
            f"2/2 Ranking the 50 features by their mean effect (|SHAP|) over {IMPORTANCE_ROWS} "
            f"training songs, to choose the {WHATIF_TOP_K} what-if sliders."
        )
        importance = get_importance(model.name, model.version)
        status.update(
            label=f"Classroom ready for model {model.name}: SHAP explainer built and the 50 "
            "features ranked (done once; later visits are immediate).",
            state="complete",
            expanded=False,
        )
    done.add(model.version)
    return explainer, importance
