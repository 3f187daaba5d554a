"""'Was this right?': store the user's answer and offer all answers as a CSV."""

from __future__ import annotations

import streamlit as st

from turkmood.analyze import Analysis
from turkmood.constants import CLASSES
from turkmood.feedback import (
    FeedbackError,
    FeedbackRecord,
    feedback_csv,
    feedback_db_path,
    read_feedback,
    save_feedback,
)


def _record(name: str, data: bytes, analysis: Analysis, truth: str, keep: bool) -> FeedbackRecord:
    track = analysis.track.iloc[0]
    return FeedbackRecord(
        clip_name=name,
        model_version=analysis.model_version,
        predicted=str(track["predicted"]),
        decision=str(track["decision"]),
        confidence=float(track["confidence"]),
        true_emotion=truth,
        probabilities={c: float(track[c]) for c in CLASSES},
        features=analysis.track_features.to_dict(),
        audio=data if keep else None,
    )


def feedback_form(name: str, data: bytes, analysis: Analysis) -> None:
    """The form; a store that cannot be written gives a message, never a traceback."""
    st.subheader("Was this right?")
    with st.form("analyze-feedback", clear_on_submit=False):
        truth = st.radio(
            "The emotion this song really has",
            list(CLASSES),
            index=list(CLASSES).index(analysis.predicted),
            horizontal=True,
            key="feedback-truth",
        )
        keep = st.checkbox(
            "Also store the audio file with my answer (otherwise only its 50 features are kept)",
            value=False,
            key="feedback-keep-audio",
        )
        sent = st.form_submit_button("Send feedback")
    if sent:
        try:
            row_id = save_feedback(_record(name, data, analysis, truth, keep))
        except FeedbackError as exc:
            st.error(f"Your feedback was not saved: {exc}. The analysis above is unaffected.")
        else:
            st.success(f"Thank you — feedback #{row_id} saved ({truth}).")
    feedback_download()


def feedback_download() -> None:
    """How many answers are stored, and all of them as a CSV for retraining."""
    try:
        stored = read_feedback()
    except FeedbackError as exc:
        st.caption(f"Stored feedback cannot be read: {exc}")
        return
    st.caption(
        f"{len(stored)} answer(s) stored in `{feedback_db_path()}`. The CSV has the 50 feature "
        "columns and `Class` = the emotion given, ready to add to the training table."
    )
    if len(stored):
        st.download_button(
            "Download all feedback (CSV)",
            data=feedback_csv(stored),
            file_name="turkmood_feedback.csv",
            mime="text/csv",
            key="analyze-feedback-download",
            icon=":material/download:",
            on_click="ignore",
        )
