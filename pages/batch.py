"""Batch: many songs at once — audio files or one feature table — summarised, one CSV download."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from turkmood.batch import FileResult, results_table
from turkmood.constants import DECISION_THRESHOLD
from turkmood.decision import is_uncertain
from turkmood.errors import AudioError, ModelError, TableError
from turkmood.model import LoadedModel, predict_features
from turkmood.plots import decision_count_bar
from turkmood.results import results_frame
from ui.inputs import UPLOAD_TYPES, features_from_upload, is_audio, row_names
from ui.resources import analyze_audio
from ui.text import decision_text
from ui.widgets import (
    current_model,
    decision_texts,
    download_results,
    results_view,
    show_notices,
    show_results_table,
)


def score_table(name: str, data: bytes, model: LoadedModel):
    """Results, predictions and worded decisions of one feature table (None after an error)."""
    try:
        table = features_from_upload(name, data)
    except TableError as exc:
        st.error(f"This table cannot be analysed: {exc}")
        return None
    show_notices(table.notices)
    try:
        predictions = predict_features(table.features, model)
    except ModelError as exc:
        st.error(f"Prediction failed: {exc}")
        return None
    results = results_frame(row_names(table, "row"), predictions, model.version)
    return results, predictions, decision_texts(predictions)


def score_audio(files: list, model: LoadedModel):
    """Analyse audio files one by one with a progress bar; failures stay as rows with the error."""
    progress = st.progress(0.0, text="Analysing audio files…")
    scored: list[FileResult] = []
    for i, upload in enumerate(files):
        progress.progress(i / len(files), text=f"Analysing {upload.name} ({i + 1}/{len(files)})…")
        try:
            analysis = analyze_audio(upload.getvalue(), model.name)
            scored.append(FileResult(upload.name, analysis, None))
        except AudioError as exc:
            scored.append(FileResult(upload.name, None, str(exc)))
    progress.empty()
    ok = [r.analysis for r in scored if r.analysis is not None]
    predictions = pd.concat([a.track for a in ok], ignore_index=True) if ok else None
    texts = [decision_text(r.analysis.track.iloc[0]) if r.analysis else "" for r in scored]
    return results_table(scored, model.version), predictions, texts


st.title("Batch")
st.caption(
    "Upload many songs (audio files) or one feature table with a row per song (the 50 UCI "
    f"feature columns). Songs whose top probability is below {DECISION_THRESHOLD:.2f} are "
    "marked uncertain."
)

uploads = st.file_uploader(
    "Audio files (WAV, FLAC, OGG, Opus, MP3) or one feature table (CSV)",
    type=list(UPLOAD_TYPES),
    accept_multiple_files=True,
    key="batch-upload",
)
model = current_model()
if not uploads:
    st.info("Upload files to analyse them. Results can be downloaded as one CSV file.")
    st.stop()
if model is None:
    st.stop()
tables = [u for u in uploads if not is_audio(u.name)]
if tables and len(uploads) > 1:
    st.error("Upload either audio files or a single feature table (CSV), not both or several.")
    st.stop()
scored = (
    score_table(tables[0].name, tables[0].getvalue(), model)
    if tables
    else score_audio(list(uploads), model)
)
if scored is None:
    st.stop()
results, predictions, texts = scored

analysed = 0 if predictions is None else len(predictions)
uncertain = 0 if predictions is None else int(predictions["decision"].map(is_uncertain).sum())
c1, c2, c3, c4 = st.columns(4)
c1.metric("Songs", f"{len(results)}")
c2.metric("Failed", f"{len(results) - analysed}")
c3.metric(
    "Uncertain (sent to review)",
    f"{uncertain / analysed:.0%}" if analysed else "—",
    help=f"{uncertain} of {analysed} analysed songs",
)
c4.metric("Model", model.name, help=model.version)
if predictions is not None:
    st.plotly_chart(decision_count_bar(predictions), width="stretch")
show_results_table(results_view(results, texts))
download_results(results, "turkmood_batch.csv", key="batch-download")
