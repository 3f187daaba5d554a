"""The retrain button of the label queue: progress lines while it runs, then the comparison."""

from __future__ import annotations

import streamlit as st

from turkmood.errors import TurkMoodError
from ui.text import md_escape


def retrain_section(n_labels: int) -> None:
    """A quick-protocol retrain with live progress; the comparison table and where it went."""
    from turkmood.learning.challenger import register_challenger
    from turkmood.learning.compare import format_table
    from turkmood.learning.retrain import RetrainConfig, retrain, write_report

    st.caption(
        "Trains a challenger on the UCI rows plus your labels (quick protocol: fewer folds; the "
        "full one is `python -m turkmood retrain`) and compares it with the champion."
    )
    if not st.button("Retrain a challenger", disabled=n_labels == 0, type="primary"):
        return
    with st.status("Retraining…", expanded=True) as status:
        try:
            result = retrain(
                config=RetrainConfig.quick(), progress=lambda m: st.write(md_escape(m))
            )
        except TurkMoodError as exc:
            status.update(label="Retrain failed", state="error")
            st.error(md_escape(exc))
            return
        path = write_report(result.report)
        version = register_challenger(result)
        st.write(f"Registered as challenger version {version}.")
        status.update(label="Challenger trained", state="complete")
    st.code(format_table(result.report), language=None)
    st.caption(
        f"Full report: `{md_escape(path.name)}` in TURKMOOD_HOME. Challenger version {version}: "
        "promote it with `python -m turkmood promote` (it must pass the gate)."
    )
