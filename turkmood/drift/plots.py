"""Plotly figures of the drift page (no Streamlit; builders only draw what they are given)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from turkmood.constants import (
    CLASS_COLOURS,
    CLASSES,
    DRIFT_REFERENCE_COLOUR,
    DRIFT_SAMPLE_COLOUR,
    PSI_MAJOR,
    PSI_MODERATE,
)
from turkmood.drift.stats import display_name
from turkmood.glossary import feature_info
from turkmood.plots import wrap_label

_LAYOUT = {"margin": {"l": 10, "r": 10, "t": 50, "b": 10}, "template": "plotly_white"}
#: Characters per line of a chart title or axis title in a third-width column: longer ones
#: are wrapped, never cut off by the chart's edge.
TITLE_WIDTH = 26
#: Height (px) of one heat-map row, enough for a readable label on every row.
HEATMAP_ROW_PX = 18


#: Colours of the two metric bars of the comparison chart.
_METRIC_COLOURS = {"accuracy": "#264653", "macro-F1": "#E76F51"}


def metric_bars(
    summary: pd.DataFrame, title: str = "Accuracy and macro-F1 per scenario"
) -> go.Figure:
    """Grouped bars of accuracy and macro-F1 per scenario (``summary`` from summary_frame)."""
    fig = go.Figure(
        [
            go.Bar(
                name=label,
                x=summary["scenario"],
                y=summary[column],
                marker_color=_METRIC_COLOURS[label],
                text=[f"{v:.2f}" for v in summary[column]],
                textposition="outside",
            )
            for label, column in (("accuracy", "accuracy"), ("macro-F1", "macro_f1"))
        ]
    )
    fig.update_layout(
        title=title,
        barmode="group",
        yaxis={"range": [0, 1.1], "title": "score on the held-out split"},
        height=380,
        legend={"orientation": "h", "y": -0.15},
        **_LAYOUT,
    )
    return fig


def psi_heatmap(psi: pd.DataFrame, title: str = "PSI per feature and scenario") -> go.Figure:
    """Heat map of PSI, rows = features, columns = scenarios (capped at 1 for the colours)."""
    z = psi.to_numpy(dtype=float)
    names = [display_name(f) for f in psi.index]
    fig = go.Figure(
        go.Heatmap(
            z=np.minimum(z, 1.0),
            x=list(psi.columns),
            y=names,
            customdata=z,
            colorscale=[
                [0, "#FFFFFF"],
                [PSI_MODERATE, "#FFD166"],
                [PSI_MAJOR, "#EF476F"],
                [1, "#7A0019"],
            ],
            zmin=0,
            zmax=1,
            colorbar={"title": "PSI", "tickvals": [0, PSI_MODERATE, PSI_MAJOR, 1]},
            hovertemplate="%{y} · %{x}: PSI %{customdata:.3f}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        height=max(400, HEATMAP_ROW_PX * len(psi.index) + 110),
        # every row labelled: Plotly's automatic ticks would skip every other one
        yaxis={
            "autorange": "reversed",
            "tickmode": "array",
            "tickvals": names,
            "ticktext": names,
            "tickfont": {"size": 11},
        },
        xaxis={"side": "top", "tickmode": "array", "tickvals": list(psi.columns)},
        **_LAYOUT,
    )
    return fig


def overlay_histogram(
    reference: Sequence[float], sample: Sequence[float], feature: str, sample_label: str
) -> go.Figure:
    """Training vs drifted distribution of one feature as overlaid, normalised histograms."""
    ref = np.asarray(reference, dtype=float)
    new = np.asarray(sample, dtype=float)
    new = new[np.isfinite(new)]
    both = np.concatenate([ref, new])
    edges = np.histogram_bin_edges(both, bins=30)
    bins = {"start": float(edges[0]), "end": float(edges[-1]), "size": float(edges[1] - edges[0])}
    fig = go.Figure(
        [
            go.Histogram(
                x=ref,
                name="training",
                marker_color=DRIFT_REFERENCE_COLOUR,
                opacity=0.55,
                histnorm="probability",
                xbins=bins,
            ),
            go.Histogram(
                x=new,
                name=sample_label,
                marker_color=DRIFT_SAMPLE_COLOUR,
                opacity=0.55,
                histnorm="probability",
                xbins=bins,
            ),
        ]
    )
    fig.update_layout(
        # the plain-language name as title, the column name under the axis, both wrapped so
        # a long name (HarmonicChangeDetectionFunction_PeriodEntropy) is never cut off
        title=wrap_label(feature_info(feature).label, TITLE_WIDTH),
        barmode="overlay",
        xaxis_title=wrap_label(display_name(feature), TITLE_WIDTH + 4),
        yaxis_title="share of rows",
        height=320,
        # legend above the bars: a wrapped axis title below them has room and overlaps nothing
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
        **{**_LAYOUT, "margin": {"l": 10, "r": 10, "t": 70, "b": 10}},
    )
    return fig


def prediction_share_bars(
    baseline: Mapping[str, float], scenario: Mapping[str, float], scenario_label: str
) -> go.Figure:
    """Share of rows predicted as each emotion: baseline (faded) next to the scenario."""
    colours = [CLASS_COLOURS[c] for c in CLASSES]
    fig = go.Figure(
        [
            go.Bar(
                name="baseline",
                x=list(CLASSES),
                y=[baseline[c] for c in CLASSES],
                marker_color=colours,
                opacity=0.4,
            ),
            go.Bar(
                name=scenario_label,
                x=list(CLASSES),
                y=[scenario[c] for c in CLASSES],
                marker_color=colours,
            ),
        ]
    )
    fig.update_layout(
        title="Predicted emotions (faded: baseline)",
        barmode="group",
        yaxis={"title": "share of rows", "tickformat": ".0%"},
        height=320,
        showlegend=False,
        **_LAYOUT,
    )
    return fig


def audio_shift_bars(
    summary: pd.DataFrame, title: str = "How far the audio changes move things"
) -> go.Figure:
    """Per audio transform: mean |feature shift| (training SDs) and share of changed predictions."""
    fig = go.Figure(
        [
            go.Bar(
                name="mean |feature shift| (training SDs)",
                x=summary["transform"],
                y=summary["mean_abs_shift_sd"],
                marker_color=DRIFT_SAMPLE_COLOUR,
                yaxis="y",
                offsetgroup=0,
            ),
            go.Bar(
                name="predictions changed (share)",
                x=summary["transform"],
                y=summary["predictions_changed"],
                marker_color=DRIFT_REFERENCE_COLOUR,
                yaxis="y2",
                offsetgroup=1,
            ),
        ]
    )
    fig.update_layout(
        title=title,
        barmode="group",
        yaxis={"title": "training SDs"},
        yaxis2={
            "title": "predictions changed",
            "overlaying": "y",
            "side": "right",
            "range": [0, 1.0],
            "tickformat": ".0%",
            "showgrid": False,
        },
        height=360,
        legend={"orientation": "h", "y": -0.25},
        **_LAYOUT,
    )
    return fig
