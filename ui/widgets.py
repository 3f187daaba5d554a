"""Widgets shared by several pages: model selector, prediction cards, downloads, errors."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from turkmood.errors import ModelError
from turkmood.model import LoadedModel
from turkmood.plots import probability_bar
from turkmood.results import to_csv_bytes
from ui.resources import MODEL_KEY, get_model, model_names, selected_model_name
from ui.text import decision_detail, decision_text, md_escape


def model_selector() -> None:
    """Sidebar select box of the shipped models (default preselected), stored in session state."""
    with st.sidebar:
        try:
            names, default = model_names()
        except ModelError as exc:
            st.error(f"No model available: {md_escape(exc)}")
            return
        if st.session_state.get(MODEL_KEY) not in names:
            st.session_state[MODEL_KEY] = default
        st.selectbox(
            "Model",
            names,
            key=MODEL_KEY,
            format_func=lambda n: f"{n} (default)" if n == default else n,
            help="Models shipped in models/ (checksum-verified). The default is preselected.",
        )
        try:
            st.caption(f"Version `{get_model(st.session_state[MODEL_KEY]).version}`")
        except ModelError as exc:
            st.error(str(exc))


def current_model() -> LoadedModel | None:
    """The selected model, or None after showing a clear error."""
    name = selected_model_name()
    if name is None:
        st.error("No model is available: models/manifest.json is missing or unreadable.")
        return None
    try:
        return get_model(name)
    except ModelError as exc:
        st.error(f"The model could not be loaded: {md_escape(exc)}")
        return None


def prediction_card(
    name: str, row: pd.Series, true_class: str | None = None, key: str | None = None
) -> None:
    """Decision, confidence and probability chart for one predicted row."""
    st.markdown(f"#### {md_escape(name)}")
    left, right = st.columns([2, 3])
    with left:
        st.markdown(f"Decision: **{decision_text(row)}**")
        st.caption(decision_detail(row))
        st.markdown(f"Top probability: **{float(row['confidence']):.2f}**")
        if true_class is not None:
            st.markdown(f"True class (training label): **{true_class}**")
    with right:
        st.plotly_chart(probability_bar(row), width="stretch", key=key)


def download_results(results: pd.DataFrame, file_name: str, key: str | None = None) -> None:
    """One download button for a results table (formula-safe CSV)."""
    st.download_button(
        "Download results CSV",
        data=to_csv_bytes(results),
        file_name=file_name,
        mime="text/csv",
        key=key,
        icon=":material/download:",
        on_click="ignore",
    )


def results_view(results: pd.DataFrame, decisions: Sequence[str]) -> pd.DataFrame:
    """The results table as shown on screen: worded decisions instead of a bare top class.

    ``decisions`` holds one :func:`ui.text.decision_text` per row ("" for failed inputs).
    Columns that are empty for every row (duration, OOD, error for feature tables) are hidden.
    """
    view = results.drop(columns=["predicted"])
    view["decision"] = list(decisions)
    for column in ("duration_s", "ood", "error"):
        if not view[column].notna().any() or not view[column].astype(bool).any():
            view = view.drop(columns=[column])
    return view


def decision_texts(predictions: pd.DataFrame) -> list[str]:
    """Worded decision of every row of a prediction table."""
    return [decision_text(row) for _, row in predictions.iterrows()]


def show_results_table(view: pd.DataFrame) -> None:
    """Results on screen, with the decision column wide enough to read."""
    st.dataframe(
        view,
        hide_index=True,
        width="stretch",
        column_config={"decision": st.column_config.TextColumn("decision", width="large")},
    )


def show_notices(notices: Sequence[str]) -> None:
    """Non-fatal remarks from the table reader (e.g. ignored columns)."""
    for notice in notices:
        st.info(md_escape(notice))
