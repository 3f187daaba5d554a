"""Drift: where the training songs sit on each feature (scenario analysis arrives with issue 6)."""

from __future__ import annotations

import streamlit as st

from turkmood.constants import FEATURE_NAMES
from turkmood.plots import feature_by_class
from ui.resources import training_data

st.title("Drift")
st.info(
    "Scenario analysis (how predictions move when features shift, with PSI/KS per feature) "
    "is not built yet; it arrives with the drift work (issue 6). This page shows no drift "
    "numbers — only the training distribution that future comparisons will use as reference."
)

data = training_data()
left, right = st.columns([3, 1])
feature = left.selectbox(
    "Feature", FEATURE_NAMES, index=FEATURE_NAMES.index("_RMSenergy_Mean"), key="drift-feature"
)
kind = right.radio("Chart", ["box", "histogram"], horizontal=True, key="drift-kind")
st.plotly_chart(feature_by_class(data.X, data.y, feature, kind=kind), width="stretch")
st.caption(
    f"{len(data.X)} training songs after removing {data.n_duplicates_removed} exact duplicate "
    f"rows from {data.n_raw_rows}; data sha256 `{data.sha256[:16]}…`."
)
