""" "Your own data" on the Drift page: a batch of audio files or a feature table vs training."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from turkmood.constants import FEATURE_NAMES
from turkmood.drift.stats import feature_drift, verdict
from turkmood.errors import AudioError, TableError
from turkmood.model import LoadedModel
from ui.drift_sections import histograms
from ui.inputs import UPLOAD_TYPES, features_from_upload, is_audio
from ui.resources import analyze_audio, training_data
from ui.text import md_escape


def batch_features(files: list, model: LoadedModel) -> tuple[pd.DataFrame, list[str]]:
    """Feature rows of every upload (one per 30 s window for audio) and the error messages."""
    frames, errors = [], []
    for upload in files:
        try:
            if is_audio(upload.name):
                frames.append(analyze_audio(upload.getvalue(), model.name).features)
            else:
                frames.append(features_from_upload(upload.name, upload.getvalue()).features)
        except (AudioError, TableError) as exc:
            errors.append(f"{upload.name}: {exc}")
    if not frames:
        return pd.DataFrame(columns=list(FEATURE_NAMES)), errors
    return pd.concat(frames, ignore_index=True)[list(FEATURE_NAMES)], errors


def own_data_section(model: LoadedModel) -> None:
    """Uploader, then the per-feature PSI/KS report against the training table and a verdict."""
    st.header("Your own data")
    st.caption(
        "Upload a batch — audio files (each 30 s window of a song is one row, as the training "
        "excerpts were 30 s) or the Batch page's CSV with the 50 feature columns — to compare it "
        "with the training distribution (all training songs, which the shipped model was fit on)."
    )
    files = st.file_uploader(
        "Audio files or a feature table (CSV)",
        type=list(UPLOAD_TYPES),
        accept_multiple_files=True,
        key="drift-upload",
    )
    if not files:
        return
    sample, errors = batch_features(files, model)
    for message in errors:
        st.error(f"Skipped {md_escape(message)}")
    if len(sample) < 2:
        st.warning("At least 2 rows (songs or windows) are needed for a drift test.")
        return
    reference = training_data().X
    table = feature_drift(reference, sample)
    message = verdict(table)
    (st.warning if table["drifted"].any() else st.success)(f"{len(sample)} rows: {message}")
    view = table.sort_values("psi", ascending=False).reset_index()
    st.dataframe(view, hide_index=True, width="stretch", height=260)
    histograms(reference, sample, table, "your data")
