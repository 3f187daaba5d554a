"""Plotly figures of the Classroom page (pure builders, no Streamlit)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from turkmood.constants import CLASS_COLOURS, CLASSES
from turkmood.glossary import feature_info

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
