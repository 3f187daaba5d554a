"""TurkMood — Streamlit entry point: page config, navigation and the shared model selector.

Run with ``python -m turkmood app`` (``streamlit run app.py`` works too, without the
warm start of :mod:`ui.launch`). Pages live in ``app_pages/`` and only draw what ``turkmood``
computes. Not ``pages/``: Streamlit 1.67 treats a ``pages/`` folder as a legacy multipage app and
serves a bookmarked ``/batch`` without running this file (no navigation, no model selector).

Streamlit runs this file as ``__main__``; the app's worker processes (long-song windows,
``turkmood.window_pool``) import the main module as ``__mp_main__`` when they start, so
everything happens under the ``__main__`` guard (the multiprocessing "safe importing of main
module" rule): a worker must not start the app, nor a pool of its own.
"""

from __future__ import annotations


def main() -> None:
    """Configure the page, the navigation and the sidebar, then run the chosen page."""
    import streamlit as st

    from ui.page_timing import phase, watch_gc
    from ui.resources import FAVICON, warm_up_in_background
    from ui.widgets import model_selector

    # a shipped icon: a ":material/…" icon makes the browser fetch it from a font CDN
    st.set_page_config(page_title="TurkMood", page_icon=str(FAVICON), layout="wide")
    pages = [
        st.Page(
            "app_pages/analyze.py", title="Analyze", icon=":material/graphic_eq:", default=True
        ),
        st.Page("app_pages/batch.py", title="Batch", icon=":material/table_view:"),
        st.Page("app_pages/drift.py", title="Drift", icon=":material/query_stats:"),
        st.Page("app_pages/monitoring.py", title="Monitoring", icon=":material/monitoring:"),
        st.Page("app_pages/label_queue.py", title="Label queue", icon=":material/label:"),
        st.Page("app_pages/model_card.py", title="Model card", icon=":material/fact_check:"),
        st.Page("app_pages/classroom.py", title="Classroom", icon=":material/school:"),
    ]
    watch_gc()  # (only when TURKMOOD_PAGE_TIMINGS is set: bench/page.py)
    with phase("script: navigation, sidebar, model selector"):
        navigation = st.navigation(pages)
        st.sidebar.title("TurkMood")
        st.sidebar.caption(
            "Music emotion (happy · sad · angry · relax) from 50 MIRtoolbox features."
        )
        model_selector()
        warm_up_in_background()  # model, explainer, … off the first song's path (ui.resources)
    with phase(f"script run: {navigation.title}"):
        navigation.run()


if __name__ == "__main__":
    main()
