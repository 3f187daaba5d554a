"""Presenter mode of the Classroom page: projector CSS and charts drawn to match it."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from ui.classroom_plots import PRESENTER_ACCENT, PRESENTER_BG, PRESENTER_FG, presenter_figure

#: Session-state key of the presenter-mode toggle.
PRESENTER_KEY = "cl-presenter"

#: Injected when presenter mode is on: large type, high contrast, no sidebar. Help icons and
#: button icons get explicit colours: they inherit the theme's grey, invisible on black.
PRESENTER_CSS = f"""
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] {{display: none;}}
[data-testid="stMain"] {{background: {PRESENTER_BG}; color: {PRESENTER_FG};}}
[data-testid="stMain"] p, [data-testid="stMain"] label, [data-testid="stMain"] li {{
  font-size: 1.5rem !important; color: {PRESENTER_FG} !important;}}
[data-testid="stMain"] h1 {{font-size: 3.2rem !important; color: {PRESENTER_ACCENT} !important;}}
[data-testid="stMain"] h2, [data-testid="stMain"] h3 {{font-size: 2.4rem !important;
  color: {PRESENTER_ACCENT} !important;}}
[data-testid="stMain"] [data-testid^="stBaseButton"],
[data-testid="stMain"] [data-testid^="stBaseButton"] p,
[data-testid="stMain"] [data-testid^="stBaseButton"] [data-testid="stIconMaterial"] {{
  color: #000 !important;}}
[data-testid="stMain"] [data-testid="stTooltipIcon"],
[data-testid="stMain"] [data-testid="stTooltipIcon"] button,
[data-testid="stMain"] [data-testid="stTooltipIcon"] svg {{
  color: {PRESENTER_FG} !important; stroke: {PRESENTER_FG} !important; opacity: 1 !important;}}
[data-testid="stMain"] [data-testid="stSelectbox"] input {{font-size: 1.3rem !important;}}
[data-testid="stMain"] [data-testid="stCaptionContainer"],
[data-testid="stMain"] [data-testid="stCaptionContainer"] p {{color: #ddd !important;}}
[data-testid="stMain"] [data-testid="stMetricValue"] {{color: {PRESENTER_FG} !important;}}
</style>
"""


def presenting() -> bool:
    """Whether presenter mode is on in this session."""
    return bool(st.session_state.get(PRESENTER_KEY))


def presenter_toggle() -> bool:
    """The presenter-mode toggle; injects the projector CSS when it is on."""
    on = st.toggle("Presenter mode (big type, high contrast, no sidebar)", key=PRESENTER_KEY)
    if on:
        st.markdown(PRESENTER_CSS, unsafe_allow_html=True)
    return on


def chart(fig: go.Figure, key: str) -> None:
    """A Plotly chart; in presenter mode restyled for the black page, without Streamlit's
    light chart theme (which would paint it white again)."""
    if presenting():
        st.plotly_chart(presenter_figure(fig), key=key, theme=None)
    else:
        st.plotly_chart(fig, key=key)
