"""Analyze: the emotion of one song (upload, microphone recording or bundled sample) or of a few
feature-table rows.

For a song: player, verdict, why (SHAP), waveform / spectrogram / timeline, valence–arousal
view, export and "Was this right?" feedback. Drawing only; the maths is in ``turkmood``.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pandas as pd
import streamlit as st

from turkmood.constants import (
    ANALYSIS_SR,
    AUDIO_FORMATS_TEXT,
    DECISION_THRESHOLD,
    LABEL_COLUMN,
    MAX_DURATION_S,
    MIN_DURATION_S,
    WINDOW_S,
)
from turkmood.errors import AudioError, ModelError, TableError
from turkmood.model import LoadedModel, predict_features
from turkmood.results import results_frame
from turkmood.tables import FeatureTable
from ui.analysis_progress import ProgressPanel
from ui.analyze_samples import MUSIC, Sample, audio_mime, list_samples, record_rows, record_text
from ui.inputs import UPLOAD_TYPES, features_from_upload, is_audio, row_names
from ui.page_timing import phase
from ui.prediction_logging import log_app_prediction
from ui.resources import analyze_song, bundled_table
from ui.song_state import remember_analyzed_song
from ui.text import md_escape
from ui.widgets import (
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
SOURCE_RECORD = "Record with the microphone"
SOURCE_SAMPLE = "Pick a sample clip"
SOURCE_BUNDLED = "Rows of the bundled training table"


def show_table_predictions(
    table: FeatureTable, names: list[str], model: LoadedModel, true_classes: list[str] | None
) -> None:
    """Cards, table and download for the rows of a validated feature table."""
    show_notices(table.notices)
    try:
        predictions = predict_features(table.features, model)
    except ModelError as exc:
        st.error(f"Prediction failed: {md_escape(exc)}")
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


def show_audio(
    name: str, data: bytes, model: LoadedModel, player: bool = True, what: str = "audio file"
) -> None:
    """Play, analyse and explain one audio file, or say clearly why it cannot be analysed.

    While it is analysed the page shows its place in the server's queue, then a progress bar
    over the song's windows (nothing for a clip analysed before: it comes from the cache).
    ``player=False`` when the input widget already plays it (a recording). The player is drawn
    in its place once the analysis is done: the browser fetching and decoding the file for it
    slowed the server's own decode of a 30 s clip from ~0.03 to ~0.09 s (bench/page.py).
    """
    # imported here: the page's first view (no song yet) does not wait for SHAP and Plotly
    from ui.analyze_feedback import feedback_form
    from ui.analyze_report import report

    player_slot = st.empty()
    started = time.perf_counter()
    panel = ProgressPanel()
    try:
        with phase("analyze: analysis (cache look-up or decode + features + prediction)"):
            result = analyze_song(data, model.name, panel)
    except AudioError as exc:
        st.error(f"This {what} cannot be analysed: {md_escape(exc)}")
        return
    finally:
        panel.clear()
    analysis = result.analysis
    if player:
        player_slot.audio(data, format=audio_mime(name))
    # the prediction log's latency is the analysis, not the time spent in the queue
    latency_s = time.perf_counter() - started - panel.queued_s
    remember_analyzed_song(name, analysis.track_features)
    st.subheader(f"Result — model `{analysis.model_version}`")
    try:
        report(name, result, model.name)
    finally:  # logged once the verdict is on screen (its write took 0.02-0.04 s before it)
        with phase("analyze: prediction log"):
            log_app_prediction(name, data, analysis, latency_s)
    with phase("analyze: feedback form"):
        feedback_form(name, data, analysis)


def recording_name(data: bytes) -> str:
    """A recording's name in the report, exports, feedback and log: the same clip, the same
    name (the browser calls every recording alike)."""
    return f"recording-{hashlib.sha256(data).hexdigest()[:8]}.wav"


def record_clip(model: LoadedModel | None) -> None:
    """Record a clip with the browser's microphone and analyse it like an uploaded WAV file."""
    recording = st.audio_input(
        "Record a clip: press the microphone, play or sing, press stop",
        sample_rate=ANALYSIS_SR,
        key="analyze-record",
        help="The browser asks once for permission to use the microphone.",
    )
    st.caption(
        f"At least {MIN_DURATION_S:g} s; about {WINDOW_S:.0f} s matches the training excerpts "
        "(a short clip gives noisier rhythm features). The recording is analysed on this "
        "server like an uploaded WAV file and is not sent anywhere else."
    )
    if recording is None:
        st.info("Record a clip to analyse it; recording again replaces it.")
        return
    if model is None:
        return
    data = recording.getvalue()
    show_audio(recording_name(data), data, model, player=False, what="recording")


def sample_notes(sample: Sample, model: LoadedModel | None) -> None:
    """Where the chosen sample's label comes from, its credit and the model's recorded answer."""
    who = "Label" if sample.group == MUSIC else "Made to be"
    st.markdown(f"**{who}: {md_escape(sample.emotion)}** — {md_escape(sample.provenance)}")
    if sample.credit:
        st.caption(md_escape(sample.credit))
    st.markdown(md_escape(record_text(sample, model.version if model else None)))


def pick_sample(model: LoadedModel | None) -> None:
    """Picker of the bundled sample clips (music first, then synthetic), the chosen clip's
    label provenance and recorded answer, and its live report."""
    samples = list_samples()
    if not samples:
        st.info("No sample clips are bundled yet (sample_audios/ is empty); upload a song.")
        return
    by_path = {str(s.path): s for s in samples}
    chosen = st.selectbox(
        "Sample clip (music with a person's label first, then synthetic clips made by code)",
        list(by_path),
        format_func=lambda path: by_path[path].label,
        key="analyze-sample",
    )
    st.caption(
        "Music: pieces not made for this app, labelled by a person from a composer's "
        "title or a mood word (no listening test), so the labels are weak. Synthetic: clips "
        "made by TurkMood's code, not music by anyone. Each clip shows the model's recorded "
        "answer, right or wrong: the model learnt from 400 Turkish excerpts, and on other "
        "music it is often wrong even when it sounds sure; the feature-designed clips show what "
        "it associates with each emotion. Credits and licences: sample_audios/CREDITS.md."
    )
    sample = by_path[chosen]
    sample_notes(sample, model)
    with st.expander("The model's recorded answers on all samples"):
        st.dataframe(pd.DataFrame(record_rows(samples)), hide_index=True, width="stretch")
    if model is None:
        return
    path = Path(chosen)
    try:
        data = path.read_bytes()
    except OSError as exc:
        st.error(f"The sample {md_escape(path.name)} cannot be read: {md_escape(exc)}")
        return
    show_audio(path.name, data, model)


st.title("Analyze")
st.caption(
    "Upload a song, record one or pick a sample: you get its emotion, how sure the model is "
    f"and why. An emotion is only named when its probability reaches {DECISION_THRESHOLD:.2f}; "
    "otherwise it goes to review between the two most likely emotions — and so does a song "
    "unlike the music the model learnt from, however sure the model looks."
)

source = st.radio(
    "Input", [SOURCE_UPLOAD, SOURCE_RECORD, SOURCE_SAMPLE, SOURCE_BUNDLED], horizontal=True
)
model = current_model()
if source == SOURCE_UPLOAD:
    uploaded = st.file_uploader(
        f"An audio file ({AUDIO_FORMATS_TEXT}), or a feature table (CSV) in the UCI column "
        "format: the 50 MIRtoolbox columns, optional file/name/Class columns carried through",
        type=list(UPLOAD_TYPES),
    )
    st.caption(
        f"Files up to {st.get_option('server.maxUploadSize')} MB and up to "
        f"{MAX_DURATION_S / 60:.0f} minutes of audio. Nothing is uploaded anywhere else."
    )
    if uploaded is None:
        st.info("Upload a song or a CSV, or pick one of the sample clips.")
    elif model is not None and is_audio(uploaded.name):
        show_audio(uploaded.name, uploaded.getvalue(), model)
    elif model is not None:
        try:
            table = features_from_upload(uploaded.name, uploaded.getvalue())
        except TableError as exc:
            st.error(f"This table cannot be analysed: {md_escape(exc)}")
        else:
            show_table_predictions(table, row_names(table, "row"), model, None)
elif source == SOURCE_RECORD:
    record_clip(model)
elif source == SOURCE_SAMPLE:
    pick_sample(model)
else:
    try:
        bundled = bundled_table()
    except TableError as exc:
        st.error(f"The bundled training table cannot be read: {md_escape(exc)}")
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
