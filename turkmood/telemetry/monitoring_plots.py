"""Plotly figures of the Monitoring page (no Streamlit here), coloured by ``CLASS_COLOURS``."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from turkmood.constants import CLASS_COLOURS, CLASSES

_LAYOUT = {"margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "template": "plotly_white"}


def per_class_over_time(per_class: pd.DataFrame, bucket: str) -> go.Figure:
    """Stacked bars: predictions per top-1 emotion in each hour or day (UTC bucket starts)."""
    x = [t.isoformat() for t in per_class.index]
    fig = go.Figure(
        [
            go.Bar(
                name=c,
                x=x,
                y=per_class[c].astype(int).tolist(),
                marker_color=CLASS_COLOURS[c],
                hovertemplate=f"{c}: %{{y}}<extra></extra>",
            )
            for c in CLASSES
        ]
    )
    fig.update_layout(
        barmode="stack",
        title=f"Predictions per emotion per {bucket} (UTC)",
        xaxis={"title": bucket, "type": "date"},
        yaxis_title="predictions",
        height=340,
        legend={"orientation": "h", "y": -0.2},
        **_LAYOUT,
    )
    return fig
