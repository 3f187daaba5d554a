"""Batch: many songs at once — audio files, ZIPs of audio, or one feature table — one CSV."""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from turkmood.batch import FileResult, results_table
from turkmood.constants import (
    AUDIO_FORMATS_TEXT,
    CLASSES,
    DECISION_THRESHOLD,
    FEATURE_NAMES,
    ZIP_MAX_MEMBERS,
)
from turkmood.decision import is_uncertain
from turkmood.errors import ModelError, TableError
from turkmood.model import LoadedModel, predict_features
from turkmood.ood import check_features
from turkmood.plots import decision_count_bar
from turkmood.results import HASH_COLUMN, results_frame
from ui.analysis_progress import ProgressPanel
from ui.batch_inputs import ZIP_TYPES, AudioItem, collect_items, score_item
from ui.batch_progress import progress_text
from ui.inputs import UPLOAD_TYPES, features_from_upload, row_names
from ui.text import decision_text, md_escape
from ui.widgets import (
    current_model,
    decision_texts,
    download_results,
    results_view,
    show_notices,
    show_results_table,
)

#: Session-state key of the audio results of the current uploads (kept across reruns).
STATE_KEY = "batch-audio-results"


def score_table(name: str, data: bytes, model: LoadedModel, include_features: bool):
    """Results, predictions and worded decisions of one feature table (None after an error)."""
    try:
        table = features_from_upload(name, data)
    except TableError as exc:
        st.error(f"This table cannot be analysed: {md_escape(exc)}")
        return None
    show_notices(table.notices)
    verdicts = check_features(table.features)
    try:
        predictions = predict_features(table.features, model, verdicts)
    except ModelError as exc:
        st.error(f"Prediction failed: {md_escape(exc)}")
        return None
    results = results_frame(
        row_names(table, "row"),
        predictions,
        model.version,
        ood=[r.is_ood for r in verdicts],
        features=table.features if include_features else None,
    )
    return results, predictions, decision_texts(predictions)


def _texts(results: list[FileResult]) -> list[str]:
    return [decision_text(r.analysis.track.iloc[0]) if r.analysis else "" for r in results]


def on_screen(results: pd.DataFrame, texts: list[str]) -> pd.DataFrame:
    """The table as shown: worded decisions, no hash or feature columns (those are in the CSV)."""
    hidden = [HASH_COLUMN, *FEATURE_NAMES]
    return results_view(results.drop(columns=hidden, errors="ignore"), texts)


def score_audio(items: list[AudioItem], key: tuple, model: LoadedModel) -> list[FileResult]:
    """Score items one by one; rows appear as they finish and survive reruns (session state)."""
    state = st.session_state.get(STATE_KEY)
    if state is None or state["key"] != key:
        state = st.session_state[STATE_KEY] = {"key": key, "results": {}}
    done: dict[int, FileResult] = state["results"]
    if len(done) < len(items):
        bar = st.progress(0.0, text="Starting…")
        queue = ProgressPanel()  # a file waits here when the server's analysis slots are busy
        live = st.empty()
        start = time.monotonic()
        n_before = len(done)
        for i, item in enumerate(items):
            if i in done:
                continue
            n = len(done)
            elapsed = time.monotonic() - start
            text = progress_text(n, len(items), item.name, elapsed, n - n_before)
            bar.progress(n / len(items), text=text)
            with queue.slot():
                done[i] = score_item(item, model)
            finished = [done[j] for j in sorted(done)]
            with live.container():
                st.caption(f"Results so far ({len(finished)} of {len(items)})")
                show_results_table(
                    on_screen(results_table(finished, model.version), _texts(finished))
                )
        bar.empty()
        live.empty()
    return [done[i] for i in range(len(items))]


def audio_scored(uploads: list, model: LoadedModel, include_features: bool):
    """Results table, predictions and worded decisions of the audio uploads (None if none)."""
    items, notes, errors = collect_items(uploads)
    for error in errors:
        st.error(error)
    show_notices(notes)
    if not items:
        return None
    key = (model.version, tuple((getattr(u, "file_id", ""), u.name, u.size) for u in uploads))
    scored = score_audio(items, key, model)
    ok = [r.analysis for r in scored if r.analysis is not None]
    predictions = pd.concat([a.track for a in ok], ignore_index=True) if ok else None
    return results_table(scored, model.version, include_features), predictions, _texts(scored)


st.title("Batch")
st.caption(
    "Upload many songs (audio files, or ZIP archives of audio files) or one feature table with a "
    "row per song (the 50 UCI feature columns). Songs whose top probability is below "
    f"{DECISION_THRESHOLD:.2f}, or that are unlike the training music, go to review (the "
    "status column); a file that cannot be analysed keeps its row with the reason."
)

uploads = st.file_uploader(
    f"Audio files ({AUDIO_FORMATS_TEXT}), ZIP archives of audio files, or one feature table (CSV)",
    type=[*UPLOAD_TYPES, *ZIP_TYPES],
    accept_multiple_files=True,
    key="batch-upload",
    help=f"A ZIP may hold up to {ZIP_MAX_MEMBERS} audio files; other files in it are ignored.",
)
include_features = st.checkbox(
    "Include the 50 features in the CSV download",
    key="batch-features",
    help="For audio, the mean of each feature over the song's 30 s analysis windows.",
)
model = current_model()
if not uploads:
    st.info("Upload files to analyse them. Results can be downloaded as one CSV file.")
    st.stop()
if model is None:
    st.stop()
tables = [u for u in uploads if u.name.lower().endswith(".csv")]
if tables and len(uploads) > 1:
    st.error("Upload either audio files or a single feature table (CSV), not both or several.")
    st.stop()
scored = (
    score_table(tables[0].name, tables[0].getvalue(), model, include_features)
    if tables
    else audio_scored(list(uploads), model, include_features)
)
if scored is None:
    st.stop()
results, predictions, texts = scored

analysed = 0 if predictions is None else len(predictions)
uncertain = 0 if predictions is None else int(predictions["decision"].map(is_uncertain).sum())
ood = int(results["ood"].eq(True).sum())
c1, c2, c3, c4 = st.columns(4)
c1.metric("Songs", f"{len(results)}")
c2.metric("Failed", f"{len(results) - analysed}")
c3.metric(
    "Sent to review",
    f"{uncertain / analysed:.0%}" if analysed else "—",
    help=f"{uncertain} of {analysed} analysed songs: between two emotions, or unlike the "
    "training music",
)
c4.metric(
    "Out of distribution",
    f"{ood / analysed:.0%}" if analysed else "—",
    help=f"{ood} of {analysed} analysed songs are unlike the training songs",
)
st.caption(f"Model `{model.version}`")
if predictions is not None:
    counts = predictions["predicted"].value_counts()
    st.markdown(
        "Predicted (top-1): " + " · ".join(f"**{c}** {int(counts.get(c, 0))}" for c in CLASSES)
    )
    st.plotly_chart(decision_count_bar(predictions), width="stretch")
show_results_table(on_screen(results, texts))
download_results(results, "turkmood_batch.csv", key="batch-download")
