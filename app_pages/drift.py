"""Drift: how the model degrades when the music changes, measured on held-out songs."""

from __future__ import annotations

import streamlit as st

from turkmood.drift.audio import AUDIO_SCENARIOS
from turkmood.drift.report import build_report, metadata, report_csv, report_json
from turkmood.errors import AudioError
from ui.drift_cache import audio_result, holdout_for, table_result
from ui.drift_sections import (
    audio_controls,
    audio_section,
    comparison,
    detailed,
    executive_summary,
    metadata_section,
    table_controls,
)
from ui.drift_upload import own_data_section
from ui.text import md_escape
from ui.widgets import current_model

st.title("Drift")
st.caption(
    "What happens to the predictions when the incoming music drifts away from the training "
    "data. Scenarios change a held-out part of the training table that the evaluated model "
    "never saw, so accuracy is measured against true labels; audio-level scenarios change real "
    "sample clips and re-extract their features."
)

model = current_model()
if model is None:
    st.stop()
config = table_controls()
holdout = holdout_for(model.name)
result, created_at = table_result(model.name, config)

executive_summary(result, holdout)
detailed(result, holdout)
comparison(result)

st.header("Audio-level drift")
audio_config, n_clips, excerpt_s, run_audio = audio_controls()
audio = None
if run_audio:
    try:
        audio = audio_result(model.name, audio_config, AUDIO_SCENARIOS, n_clips, excerpt_s)
    except AudioError as exc:
        st.error(f"The sample clips could not be used: {md_escape(exc)}")
    else:
        audio_section(audio)
else:
    st.info(
        "Switch on the toggle to add noise, filter, change gain or tempo and re-encode the "
        "sample clips, then re-extract their features (a few seconds per transform)."
    )

own_data_section(model)

meta = metadata(holdout, model.name, created_at)
metadata_section(meta)
report = build_report(result, meta, audio)
left, right = st.columns(2)
left.download_button(
    "Download the report (JSON)",
    report_json(report),
    file_name="turkmood_drift_report.json",
    mime="application/json",
    key="drift-json",
)
right.download_button(
    "Download the report (CSV)",
    report_csv(report),
    file_name="turkmood_drift_report.csv",
    mime="text/csv",
    key="drift-csv",
)
