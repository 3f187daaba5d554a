"""Drawing the label queue: admin gate, label counts, one card per uncertain clip, retrain."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from turkmood.access import admin_configured, is_admin
from turkmood.constants import CLASSES, QUEUE_PAGE_ROWS
from turkmood.errors import TurkMoodError
from turkmood.learning.clip_store import clip_bytes
from turkmood.learning.queue import RetrainAdvice, label_from_queue
from ui.text import md_escape

#: Session-state key of the admin password field of this page.
ADMIN_KEY = "queue-admin"


def admin_gate() -> bool:
    """The admin password field; True once it is right. The queue shows every visitor's clips."""
    if not admin_configured():
        st.info(
            "The label queue shows every visitor's clips, so it is an admin page: set "
            "`TURKMOOD_ADMIN_PASSWORD` on the server to unlock it.",
            icon=":material/lock:",
        )
        return False
    given = st.text_input("Admin password", type="password", key=ADMIN_KEY)
    if not is_admin(given):
        if given:
            st.error("That is not the admin password.")
        return False
    return True


def label_counts(labels: pd.DataFrame) -> None:
    """One metric per emotion: labels so far (all sources)."""
    columns = st.columns(len(CLASSES) + 1)
    columns[0].metric("Labelled clips", len(labels))
    for column, emotion in zip(columns[1:], CLASSES, strict=True):
        n = int((labels["emotion"] == emotion).sum()) if len(labels) else 0
        column.metric(emotion.capitalize(), n)


def advice_box(advice: RetrainAdvice) -> None:
    if advice.worth_it:
        st.success(advice.message, icon=":material/model_training:")
    else:
        st.info(advice.message, icon=":material/hourglass_empty:")


def _label_clicked(row: pd.Series, emotion: str) -> None:
    try:
        label_from_queue(row, emotion)
        st.session_state["queue-notice"] = f"Labelled {row['clip_name']} as {emotion}."
    except TurkMoodError as exc:
        st.session_state["queue-notice"] = f"Not saved: {exc}"


def queue_cards(queue: pd.DataFrame) -> None:
    """The most uncertain clips, each with its player (if kept) and four one-click labels."""
    notice = st.session_state.pop("queue-notice", None)
    if notice:
        st.toast(md_escape(notice))
    if queue.empty:
        st.info("No unlabelled clips in the prediction log.", icon=":material/inbox:")
        return
    st.caption(
        f"{len(queue)} unlabelled clip(s); the {min(len(queue), QUEUE_PAGE_ROWS)} with the "
        "smallest margin between the two most likely emotions first."
    )
    for i, row in queue.head(QUEUE_PAGE_ROWS).iterrows():
        with st.container(border=True):
            ood = " · unlike the training music" if row["is_ood"] else ""
            st.markdown(
                f"**{md_escape(row['clip_name'])}** — {md_escape(row['decision'])} "
                f"(margin {row['margin']:.2f}, {md_escape(row['source'])}){ood}"
            )
            audio = clip_bytes(str(row["clip_hash"]))
            if audio is not None:
                st.audio(audio)
            else:
                st.caption("Audio not kept (only uncertain clips are, within the quota).")
            for column, emotion in zip(st.columns(len(CLASSES)), CLASSES, strict=True):
                column.button(
                    emotion.capitalize(),
                    key=f"label-{i}-{row['clip_hash'][:16]}-{emotion}",
                    on_click=_label_clicked,
                    args=(row, emotion),
                    width="stretch",
                )


def shadow_line(log: pd.DataFrame) -> None:
    """The challenger's live agreement with the champion (shadow mode), when it has any."""
    from turkmood.learning.shadow import shadow_agreement

    agreement = shadow_agreement(log)
    if agreement is None:
        st.caption("Shadow mode: no prediction has been scored by a challenger yet.")
        return
    version, n, share = agreement
    st.metric(
        f"Shadow: {version} agrees with the champion",
        f"{share:.0%}",
        help=f"over the {n} prediction(s) it scored alongside the champion since it was registered",
    )
