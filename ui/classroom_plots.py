"""Plotly figures of the Classroom page (pure builders, no Streamlit)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from turkmood.constants import CLASS_COLOURS, CLASSES
from turkmood.glossary import feature_info
from turkmood.plots import wrap_label

_LAYOUT = {"margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "template": "plotly_white"}


def label(feature: str) -> str:
    """Plain-language label of a feature, with its column name."""
    return f"{feature_info(feature).label} ({feature})"


def importance_bar(importance: pd.Series, n: int, highlight: Sequence[str] = ()) -> go.Figure:
    """Horizontal bars of the ``n`` largest mean |SHAP| values; slider features highlighted."""
    top = importance.head(n)
    colours = ["#3A6EA5" if f in highlight else "#9AA0A6" for f in top.index]
    fig = go.Figure(
        go.Bar(
            x=top.to_numpy(),
            y=[feature_info(f).label for f in top.index],
            orientation="h",
            marker_color=colours,
            customdata=list(top.index),
            hovertemplate="%{customdata}: %{x:.4f}<extra></extra>",
        )
    )
    fig.update_layout(
        title="Global importance: mean |SHAP| over training songs (blue = sliders)",
        xaxis_title="mean |SHAP| (averaged over the four emotions)",
        yaxis={"autorange": "reversed"},
        height=80 + 26 * len(top),
        showlegend=False,
        **_LAYOUT,
    )
    return fig


def pca_scatter(
    points: np.ndarray,
    labels: Sequence[str],
    current: np.ndarray,
    explained: tuple[float, float],
) -> go.Figure:
    """Training songs on the first two principal components, coloured by emotion, plus a star."""
    return map_scatter(
        points,
        labels,
        current,
        "Training songs in 2-D (PCA of the standardised 50 features)",
        (f"PC1 ({explained[0]:.0%} of variance)", f"PC2 ({explained[1]:.0%} of variance)"),
    )


def map_scatter(
    points: np.ndarray,
    labels: Sequence[str],
    current: np.ndarray,
    title: str,
    axis_titles: tuple[str, str],
) -> go.Figure:
    """Training songs on a 2-D map, coloured by emotion, plus the current song as a star."""
    labels = np.asarray(list(labels))
    fig = go.Figure()
    for c in CLASSES:
        mask = labels == c
        fig.add_trace(
            go.Scatter(
                x=points[mask, 0],
                y=points[mask, 1],
                mode="markers",
                name=c,
                marker={"color": CLASS_COLOURS[c], "size": 7, "opacity": 0.6},
            )
        )
    fig.add_trace(
        go.Scatter(
            x=current[:, 0],
            y=current[:, 1],
            mode="markers",
            name="this song",
            marker={"symbol": "star", "size": 20, "color": "#111", "line": {"width": 1}},
        )
    )
    fig.update_layout(
        title=title,
        xaxis_title=axis_titles[0],
        yaxis_title=axis_titles[1],
        height=460,
        **_LAYOUT,
    )
    return fig


def demo_values_bar(title: str, labels: Sequence[str], values: Sequence[float], unit: str):
    """Two bars: the measured feature value of the low and the high demo clip."""
    fig = go.Figure(
        go.Bar(
            x=list(labels),
            y=[float(v) for v in values],
            marker_color=["#9AA0A6", "#3A6EA5"],
            text=[f"{float(v):.3g}" for v in values],
            textposition="outside",
        )
    )
    fig.update_layout(title=f"Measured {title.lower()}", yaxis_title=unit, height=260, **_LAYOUT)
    return fig


#: Presenter-mode colours: the page's black background, white text, yellow titles.
PRESENTER_BG = "#000000"
PRESENTER_FG = "#FFFFFF"
PRESENTER_ACCENT = "#FFEB3B"
PRESENTER_GRID = "#555555"
PRESENTER_FONT_PX = 18
#: Characters per title line at the presenter's title size (a half-width chart holds ~45).
PRESENTER_TITLE_CHARS = 42
#: Charts grow by this factor in presenter mode so the larger text keeps its room.
PRESENTER_HEIGHT_FACTOR = 1.3


def _is_dark(colour: object) -> bool:
    """True for a ``#rgb`` / ``#rrggbb`` near-black or dark grey, too dark to see on black
    (brightest channel below 45 %); saturated colours such as the emotions' are never dark."""
    if not isinstance(colour, str) or not colour.startswith("#") or len(colour) not in (4, 7):
        return False
    digits = colour[1:]
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    try:
        r, g, b = (int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    except ValueError:
        return False
    return max(r, g, b) < 0.45


def presenter_figure(fig: go.Figure) -> go.Figure:
    """A copy of ``fig`` for the black presenter page: black background, large white text,
    yellow title, visible grid, and every near-black mark (the 'this song' star, threshold and
    zero lines) turned white. Colours of the emotions are kept."""
    out = go.Figure(fig)
    title = out.layout.title.text or ""
    if title and "<br>" not in title:
        title = wrap_label(title, PRESENTER_TITLE_CHARS)
    lines = title.count("<br>") + 1 if title else 0
    top = max(int(out.layout.margin.t or 0), 30 + 32 * lines)
    if out.layout.height:
        out.update_layout(height=int(out.layout.height * PRESENTER_HEIGHT_FACTOR) + top)
    out.update_layout(
        title_text=title,
        template="plotly_dark",
        paper_bgcolor=PRESENTER_BG,
        plot_bgcolor=PRESENTER_BG,
        font={"color": PRESENTER_FG, "size": PRESENTER_FONT_PX},
        title_font={"color": PRESENTER_ACCENT, "size": PRESENTER_FONT_PX + 4},
        legend_font_color=PRESENTER_FG,
        margin_t=top,
    )
    axis = {
        "gridcolor": PRESENTER_GRID,
        "zerolinecolor": PRESENTER_FG,
        "linecolor": PRESENTER_FG,
        "tickfont_color": PRESENTER_FG,
        "title_font_color": PRESENTER_FG,
    }
    out.update_xaxes(**axis)
    out.update_yaxes(**axis)
    for shape in out.layout.shapes or ():
        if shape.line is not None and (shape.line.color is None or _is_dark(shape.line.color)):
            shape.line.color = PRESENTER_FG
    for note in out.layout.annotations or ():
        note.font.color = PRESENTER_FG
    for trace in out.data:
        marker = getattr(trace, "marker", None)
        if marker is not None and _is_dark(marker.color):
            marker.color = PRESENTER_ACCENT
        marker_line = getattr(marker, "line", None) if marker is not None else None
        if marker_line is not None and _is_dark(marker_line.color):
            marker_line.color = PRESENTER_FG
        line = getattr(trace, "line", None)
        if line is not None and _is_dark(line.color):
            line.color = PRESENTER_FG
        if trace.type in ("bar", "scatter"):
            trace.textfont.color = PRESENTER_FG
        if trace.type == "heatmap":
            trace.colorbar.tickfont.color = PRESENTER_FG
            trace.colorbar.title.font.color = PRESENTER_FG
    return out
