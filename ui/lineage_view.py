"""The champion's lineage on the model card: which labels went into it, from where."""

from __future__ import annotations

import streamlit as st

from turkmood.errors import TurkMoodError
from ui.text import md_escape


def champion_lineage() -> None:
    """Nothing for the bundled champion; else the registry champion's labels and comparison."""
    from turkmood.learning.registry import champion_info, champion_pointer

    if champion_pointer() is None:
        st.caption(
            "The champion is the bundled model, trained on the UCI table only (no user labels)."
        )
        return
    try:
        info = champion_info()
    except TurkMoodError as exc:
        st.warning(f"The registry champion's lineage cannot be read: {md_escape(exc)}")
        return
    if info is None:
        st.warning("The champion named by this home is not in the registry.")
        return
    lineage = info.lineage
    per_class = ", ".join(f"{k} {v}" for k, v in lineage.get("per_class", {}).items())
    sources = ", ".join(f"{k} {v}" for k, v in lineage.get("per_source", {}).items() if v)
    st.subheader(f"Champion: registry version {info.version}")
    st.markdown(
        f"Retrained on the UCI table plus **{lineage.get('n_tracks', 0)} labelled track(s)** "
        f"({lineage.get('n_windows', 0)} window(s)) — per class: {per_class or 'none'}; "
        f"sources: {sources or 'none'}. Registered {info.created_utc}; sha256 "
        f"`{info.sha256[:12]}…`."
    )
    m = info.metrics
    if "user_macro_f1" in m and "champion_user_macro_f1" in m:
        st.caption(
            f"At its comparison: macro-F1 on your tracks {m['user_macro_f1']:.3f} vs "
            f"{m['champion_user_macro_f1']:.3f} for the model it replaced (same grouped folds); "
            f"UCI macro-F1 {m.get('uci_macro_f1', float('nan')):.3f} vs "
            f"{m.get('champion_uci_macro_f1', float('nan')):.3f}."
        )
