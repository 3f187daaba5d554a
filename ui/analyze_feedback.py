"""'Was this right?': store the user's answer; a visitor sees and downloads only their own.

The form does not pre-select the model's guess (that would nudge the answer). Every visitor's
answers are exported only by an admin (password in TURKMOOD_ADMIN_PASSWORD); no server path
or configuration file name is shown on the page.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from turkmood.access import admin_configured, is_admin
from turkmood.analyze import Analysis
from turkmood.constants import CLASSES
from turkmood.feedback import (
    FeedbackError,
    FeedbackRecord,
    feedback_csv,
    read_audio,
    read_feedback,
    save_feedback,
)
from ui.text import md_escape

#: Session-state key of the feedback row ids this visitor sent.
MY_ANSWERS_KEY = "feedback-my-ids"


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


@st.fragment
def feedback_form(name: str, data: bytes, analysis: Analysis) -> None:
    """The form; a store that cannot be written gives a message, never a traceback.

    A fragment: sending an answer (or typing the admin password) reruns only this part, not the
    whole song report above it.
    """
    st.subheader("Was this right?")
    with st.form("analyze-feedback", clear_on_submit=False):
        truth = st.radio(
            "The emotion this song really has (your judgement, not the model's)",
            list(CLASSES),
            index=None,
            horizontal=True,
            key="feedback-truth",
        )
        keep = st.checkbox(
            "Also store the audio file with my answer (otherwise only its 50 features are kept)",
            value=False,
            key="feedback-keep-audio",
        )
        sent = st.form_submit_button("Send feedback")
    if sent and truth is None:
        st.warning("Pick the emotion you hear first, then send.")
    elif sent:
        try:
            row_id = save_feedback(_record(name, data, analysis, truth, keep))
        except FeedbackError as exc:
            st.error(
                f"Your feedback was not saved: {md_escape(exc)}. The analysis above is unaffected."
            )
        else:
            st.session_state.setdefault(MY_ANSWERS_KEY, []).append(row_id)
            st.success(f"Thank you — feedback #{row_id} saved ({truth}).")
            if keep and read_audio(row_id) is None:
                st.info(
                    "The audio was not stored (this server keeps no audio, or the file is larger "
                    "than its audio quota); your answer and the song's 50 features were."
                )
    feedback_download()


def _admin_unlocked() -> bool:
    """The admin password field (only when one is configured) and whether it is right."""
    if not admin_configured():
        return False
    given = st.text_input(
        "Admin password (export every visitor's answers)", type="password", key="feedback-admin"
    )
    return is_admin(given)


def feedback_download() -> None:
    """This visitor's answers as a CSV; every visitor's answers only for an admin."""
    try:
        stored = read_feedback()
    except FeedbackError as exc:
        st.caption(f"Stored feedback cannot be read: {md_escape(exc)}")
        return
    mine = stored[stored["id"].isin(st.session_state.get(MY_ANSWERS_KEY, []))]
    st.caption(
        f"{len(mine)} answer(s) stored from this session. The CSV has the 50 feature columns and "
        "`Class` = the emotion given, ready to add to the training table."
    )
    _download(mine, "Download my feedback (CSV)", "turkmood_my_feedback.csv", "mine")
    with st.expander("Admin", expanded=False):
        if _admin_unlocked():
            st.caption(f"{len(stored)} answer(s) stored from all visitors.")
            _download(stored, "Download all feedback (CSV)", "turkmood_feedback.csv", "all")
        else:
            st.caption(
                "Exporting every visitor's answers is an admin action "
                + (
                    "(enter the admin password)."
                    if admin_configured()
                    else "(locked: no admin password is configured on this server)."
                )
            )


def _download(table: pd.DataFrame, label: str, file_name: str, key: str) -> None:
    if len(table):
        st.download_button(
            label,
            data=feedback_csv(table),
            file_name=file_name,
            mime="text/csv",
            key=f"analyze-feedback-download-{key}",
            icon=":material/download:",
            on_click="ignore",
        )
