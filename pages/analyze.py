"""Analyze: the emotion of one song (audio file) or of a few feature-table rows."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from turkmood.batch import FileResult, results_table
from turkmood.constants import DECISION_THRESHOLD, LABEL_COLUMN
from turkmood.errors import AudioError, ModelError, TableError
from turkmood.model import LoadedModel, predict_features
from turkmood.results import results_frame
from turkmood.tables import FeatureTable
from ui.inputs import UPLOAD_TYPES, features_from_upload, is_audio, row_names
from ui.resources import analyze_audio, bundled_table
from ui.widgets import (
    audio_report,
    current_model,
    decision_texts,
    download_results,
    prediction_card,
    results_view,
    show_notices,
    show_results_table,
)

#: Rows drawn as individual cards; larger tables belong on the Batch page.
MAX_CARDS = 12
SOURCE_UPLOAD = "Upload an audio file or a feature table"
SOURCE_BUNDLED = "Rows of the bundled training table"


def show_table_predictions(
    table: FeatureTable, names: list[str], model: LoadedModel, true_classes: list[str] | None
) -> None:
    """Cards, table and download for the rows of a validated feature table."""
    show_notices(table.notices)
    try:
        predictions = predict_features(table.features, model)
    except ModelError as exc:
        st.error(f"Prediction failed: {exc}")
        return
    results = results_frame(names, predictions, model.version)
    st.subheader(f"Results — {len(results)} row(s), model `{model.version}`")
    for i, (_, row) in enumerate(predictions.head(MAX_CARDS).iterrows()):
        true_class = true_classes[i] if true_classes is not None else None
        prediction_card(names[i], row, true_class=true_class, key=f"analyze-prob-{i}")
    if len(predictions) > MAX_CARDS:
        st.info(
            f"Showing the first {MAX_CARDS} of {len(predictions)} rows; all rows are in the table "
            "and the download below. The Batch page summarises large tables."
        )
    shown = results_view(results, decision_texts(predictions))
    if true_classes is not None:
        shown.insert(1, "true_class", true_classes)
    show_results_table(shown)
    download_results(results, "turkmood_analyze.csv", key="analyze-download")


def show_audio(name: str, data: bytes, model: LoadedModel) -> None:
    """Analyse one uploaded audio file and draw the report, or a clear error."""
    try:
        with st.spinner("Computing the 50 MIRtoolbox features…"):
            analysis = analyze_audio(data, model.name)
    except AudioError as exc:
        st.error(f"This audio file cannot be analysed: {exc}")
        return
    st.subheader(f"Result — model `{analysis.model_version}`")
    audio_report(name, analysis)
    results = results_table([FileResult(name, analysis, None)], analysis.model_version, True)
    download_results(results, "turkmood_analyze.csv", key="analyze-download")


st.title("Analyze")
st.caption(
    f"Each song gets a probability per emotion. An emotion is only named when its probability "
    f"reaches {DECISION_THRESHOLD:.2f}; otherwise the song is marked uncertain between the two "
    "most likely emotions."
)

source = st.radio("Input", [SOURCE_UPLOAD, SOURCE_BUNDLED], horizontal=True)
model = current_model()
if source == SOURCE_UPLOAD:
    uploaded = st.file_uploader(
        "An audio file (WAV, FLAC, OGG, Opus, MP3), or a feature table (CSV) in the UCI column "
        "format: the 50 MIRtoolbox columns, optional file/name/Class columns carried through",
        type=list(UPLOAD_TYPES),
    )
    if uploaded is None:
        st.info("Upload a song or a CSV, or switch to rows of the bundled training table.")
    elif model is not None and is_audio(uploaded.name):
        show_audio(uploaded.name, uploaded.getvalue(), model)
    elif model is not None:
        try:
            table = features_from_upload(uploaded.name, uploaded.getvalue())
        except TableError as exc:
            st.error(f"This table cannot be analysed: {exc}")
        else:
            show_table_predictions(table, row_names(table, "row"), model, None)
else:
    try:
        bundled = bundled_table()
    except TableError as exc:
        st.error(f"The bundled training table cannot be read: {exc}")
        st.stop()
    labels: pd.Series = bundled.meta[LABEL_COLUMN].astype(str)
    picked = st.multiselect(
        "Rows (numbered as in turkmood/data/Acoustic_Features.csv, label in brackets)",
        options=list(range(len(bundled.features))),
        default=[0, 100, 200, 300],
        format_func=lambda i: f"row {i + 1} ({labels.iloc[i]})",
    )
    st.caption(
        "These rows were used to train the model, so predictions on them are optimistic; "
        "see the Model card for cross-validated quality."
    )
    if picked and model is not None:
        table = FeatureTable(
            features=bundled.features.iloc[picked].reset_index(drop=True),
            meta=bundled.meta.iloc[picked].reset_index(drop=True),
        )
        names = [f"training row {i + 1}" for i in picked]
        show_table_predictions(table, names, model, labels.iloc[picked].tolist())
