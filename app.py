"""TurkMood — Streamlit entry point: page config, navigation and the shared model selector.

Run with ``streamlit run app.py``. Pages live in ``app_pages/`` and only draw what ``turkmood``
computes. Not ``pages/``: Streamlit 1.67 treats a ``pages/`` folder as a legacy multipage app and
serves a bookmarked ``/batch`` without running this file (no navigation, no model selector).
"""

from __future__ import annotations

import streamlit as st

from ui.widgets import model_selector

st.set_page_config(page_title="TurkMood", page_icon=":material/music_note:", layout="wide")

PAGES = [
    st.Page("app_pages/analyze.py", title="Analyze", icon=":material/graphic_eq:", default=True),
    st.Page("app_pages/batch.py", title="Batch", icon=":material/table_view:"),
    st.Page("app_pages/drift.py", title="Drift", icon=":material/query_stats:"),
    st.Page("app_pages/model_card.py", title="Model card", icon=":material/fact_check:"),
    st.Page("app_pages/classroom.py", title="Classroom", icon=":material/school:"),
]

navigation = st.navigation(PAGES)
st.sidebar.title("TurkMood")
st.sidebar.caption("Music emotion (happy · sad · angry · relax) from 50 MIRtoolbox features.")
model_selector()
navigation.run()
