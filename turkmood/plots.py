"""Plotly figure builders shared by the app pages (no Streamlit here).

Every chart colours emotions with ``CLASS_COLOURS`` and orders them by ``CLASSES`` so the same
emotion always looks the same everywhere. Builders take plain tables/dicts and return figures;
they compute nothing beyond grouping and counting what they are given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from turkmood.constants import CLASS_COLOURS, CLASSES, DECISION_THRESHOLD
from turkmood.decision import is_uncertain

_LAYOUT = {"margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "template": "plotly_white"}


def wrap_label(text: str, width: int = 26) -> str:
    """``text`` on lines of at most ``width`` characters joined by ``<br>`` (Plotly's line break).

    Breaks at spaces, after underscores and before capitals of CamelCase words
    (``HarmonicChangeDetectionFunction_PeriodEntropy``); a run without any break point longer
    than ``width`` is cut into ``width``-character pieces.
    """
    pieces = [p for p in re.split(r"(?<=[ _])|(?<=[a-z0-9])(?=[A-Z])", text) if p]
    lines: list[str] = []
    line = ""
    for piece in pieces:
        while len(piece) > width:
            if line:
                lines.append(line.rstrip())
                line = ""
            lines.append(piece[:width])
            piece = piece[width:]
        if line and len(line) + len(piece.rstrip()) > width:
            lines.append(line.rstrip())
            line = ""
        line += piece
    if line.strip():
        lines.append(line.rstrip())
    return "<br>".join(lines)


def probability_bar(probabilities: Mapping[str, float], title: str = "") -> go.Figure:
    """Horizontal bars of one row's class probabilities, with the decision threshold marked."""
    values = [float(probabilities[c]) for c in CLASSES]
    fig = go.Figure(
        go.Bar(
            x=values,
            y=list(CLASSES),
            orientation="h",
            marker_color=[CLASS_COLOURS[c] for c in CLASSES],
            text=[f"{v:.2f}" for v in values],
            textposition="outside",
            hovertemplate="%{y}: %{x:.3f}<extra></extra>",
        )
    )
    fig.add_vline(
        x=DECISION_THRESHOLD,
        line_dash="dash",
        line_color="#666",
        annotation_text=f"threshold {DECISION_THRESHOLD:.2f}",
        annotation_position="top",
    )
    fig.update_layout(
        title=title,
        xaxis={"range": [0, 1.08], "title": "probability"},
        yaxis={"autorange": "reversed"},
        height=240,
        showlegend=False,
        **_LAYOUT,
    )
    return fig


def decision_counts(predictions: pd.DataFrame) -> pd.DataFrame:
    """Rows per top-1 emotion split into confident and uncertain (index ``CLASSES``)."""
    uncertain = predictions["decision"].map(is_uncertain)
    table = pd.DataFrame(
        {
            "confident": predictions.loc[~uncertain, "predicted"].value_counts(),
            "uncertain": predictions.loc[uncertain, "predicted"].value_counts(),
        }
    )
    return table.reindex(list(CLASSES)).fillna(0).astype(int)


def decision_count_bar(predictions: pd.DataFrame) -> go.Figure:
    """Stacked bars: per top-1 emotion, how many rows were confident and how many uncertain."""
    counts = decision_counts(predictions)
    colours = [CLASS_COLOURS[c] for c in CLASSES]
    fig = go.Figure(
        [
            go.Bar(
                name=f"accepted (≥ {DECISION_THRESHOLD:.2f}, like the training music)",
                x=list(CLASSES),
                y=counts["confident"].tolist(),
                marker_color=colours,
            ),
            go.Bar(
                name="sent to review",
                x=list(CLASSES),
                y=counts["uncertain"].tolist(),
                marker={"color": colours, "opacity": 0.45, "pattern": {"shape": "/"}},
            ),
        ]
    )
    fig.update_layout(
        barmode="stack",
        title="Rows per predicted (top-1) emotion",
        yaxis_title="rows",
        height=340,
        legend={"orientation": "h", "y": -0.15},
        **_LAYOUT,
    )
    return fig


def feature_by_class(
    features: pd.DataFrame, labels: Sequence[str], feature: str, kind: str = "box"
) -> go.Figure:
    """Distribution of one feature per emotion: ``kind`` is ``"box"`` or ``"histogram"``."""
    if kind not in {"box", "histogram"}:
        raise ValueError(f"kind must be 'box' or 'histogram', got {kind!r}")
    labels = pd.Series(list(labels), index=features.index)
    fig = go.Figure()
    for c in CLASSES:
        values = features.loc[labels == c, feature]
        if kind == "box":
            fig.add_trace(
                go.Box(y=values, name=c, marker_color=CLASS_COLOURS[c], boxpoints="outliers")
            )
        else:
            fig.add_trace(
                go.Histogram(x=values, name=c, marker_color=CLASS_COLOURS[c], opacity=0.6)
            )
    if kind == "box":
        fig.update_layout(yaxis_title=feature, showlegend=False)
    else:
        fig.update_layout(barmode="overlay", xaxis_title=feature, yaxis_title="songs")
    fig.update_layout(title=f"{feature} in the training table, by emotion", height=420, **_LAYOUT)
    return fig


def confusion_heatmap(
    matrix: Sequence[Sequence[float]], labels: Sequence[str], title: str = ""
) -> go.Figure:
    """Heat map of a confusion matrix (rows = true class, columns = predicted class)."""
    z = [[float(v) for v in row] for row in matrix]
    is_count = all(float(v).is_integer() for row in z for v in row)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(labels),
            y=list(labels),
            colorscale="Blues",
            text=[[f"{v:.0f}" if is_count else f"{v:.2f}" for v in row] for row in z],
            texttemplate="%{text}",
            hovertemplate="true %{y}, predicted %{x}: %{text}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        xaxis_title="predicted",
        yaxis_title="true",
        yaxis={"autorange": "reversed"},
        height=380,
        **_LAYOUT,
    )
    return fig


def per_class_f1_bar(per_class_f1: Mapping[str, float], title: str = "") -> go.Figure:
    """Bars of F1 per emotion in ``CLASSES`` order (classes absent from the mapping are skipped)."""
    classes = [c for c in CLASSES if c in per_class_f1]
    values = [float(per_class_f1[c]) for c in classes]
    fig = go.Figure(
        go.Bar(
            x=classes,
            y=values,
            marker_color=[CLASS_COLOURS[c] for c in classes],
            text=[f"{v:.3f}" for v in values],
            textposition="outside",
        )
    )
    fig.update_layout(title=title, yaxis={"range": [0, 1.05], "title": "F1"}, height=320, **_LAYOUT)
    return fig


def reliability_diagram(bins: Sequence[Mapping], title: str = "") -> go.Figure:
    """Accuracy against mean confidence per confidence bin (empty bins left out), with y = x.

    ``bins`` are the ``reliability_diagram`` entries written by training: ``lower``, ``upper``,
    ``count``, ``confidence`` and ``accuracy``.
    """
    used = [b for b in bins if b.get("count") and b.get("accuracy") is not None]
    fig = go.Figure(
        [
            go.Scatter(
                x=[0, 1],
                y=[0, 1],
                mode="lines",
                name="perfect calibration",
                line={"dash": "dash", "color": "#888"},
            ),
            go.Scatter(
                x=[float(b["confidence"]) for b in used],
                y=[float(b["accuracy"]) for b in used],
                mode="lines+markers",
                name="model",
                marker={
                    "size": [6 + 24 * (b["count"] / max(c["count"] for c in used)) for b in used]
                }
                if used
                else {},
                customdata=[[b["count"], b["lower"], b["upper"]] for b in used],
                hovertemplate="confidence %{x:.2f} → accuracy %{y:.2f}<br>"
                "%{customdata[0]} predictions in (%{customdata[1]:.2f}, %{customdata[2]:.2f}]"
                "<extra></extra>",
                line={"color": "#3A6EA5"},
            ),
        ]
    )
    fig.update_layout(
        title=title,
        xaxis={"range": [0, 1], "title": "mean top-class probability in bin"},
        yaxis={"range": [0, 1.02], "title": "share correct"},
        height=360,
        legend={"orientation": "h", "y": -0.2},
        **_LAYOUT,
    )
    return fig


def timeline_chart(
    timeline: pd.DataFrame, title: str = "", track: Mapping[str, float] | None = None
) -> go.Figure:
    """Class probabilities per analysis window, plotted at each window's centre (seconds).

    With ``track`` (the track-level probabilities) each emotion's song value is drawn as a
    dotted line in its colour.
    """
    centre = (timeline["start_s"] + timeline["end_s"]) / 2
    fig = go.Figure(
        [
            go.Scatter(
                x=centre,
                y=timeline[c],
                name=c,
                mode="lines+markers",
                line={"color": CLASS_COLOURS[c], "width": 2},
                customdata=timeline[["start_s", "end_s"]].to_numpy(),
                hovertemplate=f"{c}: %{{y:.2f}} (window %{{customdata[0]:.0f}}–"
                "%{customdata[1]:.0f} s)<extra></extra>",
            )
            for c in CLASSES
        ]
    )
    fig.add_hline(y=DECISION_THRESHOLD, line_dash="dash", line_color="#666")
    for c in CLASSES if track is not None else ():
        fig.add_trace(
            go.Scatter(
                x=[float(timeline["start_s"].min()), float(timeline["end_s"].max())],
                y=[float(track[c])] * 2,
                mode="lines",
                line={"color": CLASS_COLOURS[c], "dash": "dot", "width": 1.5},
                name=f"song: {c}",
                showlegend=False,
                hovertemplate=f"whole song, {c}: {float(track[c]):.2f}<extra></extra>",
            )
        )
    fig.update_layout(
        title=title,
        xaxis_title="time (s, window centre)",
        yaxis={"range": [0, 1.02], "title": "probability"},
        height=320,
        legend={"orientation": "h", "y": -0.25},
        **_LAYOUT,
    )
    return fig


# --- analyze page: audio pictures, explanation and circumplex ----------------------------------


def shap_bar(
    labels: Sequence[str],
    values: Sequence[float],
    hover: Sequence[str],
    target: str,
    units: str,
) -> go.Figure:
    """Horizontal SHAP bars, largest effect on top: toward ``target`` in its colour, away grey."""
    values = [float(v) for v in values]
    colours = [CLASS_COLOURS.get(target, "#3A6EA5") if v > 0 else "#9AA0A6" for v in values]
    fig = go.Figure(
        go.Bar(
            x=values,
            y=list(labels),
            orientation="h",
            marker_color=colours,
            customdata=list(hover),
            hovertemplate="%{customdata}<br>effect %{x:+.3f}<extra></extra>",
            text=[f"{v:+.3f}" for v in values],
            textposition="outside",
            cliponaxis=False,
        )
    )
    fig.add_vline(x=0, line_color="#444", line_width=1)
    # Leave room beside the longest bars for their "outside" value labels.
    reach = max((abs(v) for v in values), default=1.0) or 1.0
    low = min(min(values, default=0.0), 0.0)
    high = max(max(values, default=0.0), 0.0)
    fig.update_layout(
        title=f"What pushed the model toward {target} (right) or away from it (left)",
        xaxis_title=f"SHAP value ({units} of {target})",
        xaxis_range=[low - 0.35 * reach, high + 0.35 * reach],
        yaxis={"autorange": "reversed"},
        height=80 + 32 * len(values),
        showlegend=False,
        **_LAYOUT,
    )
    return fig
