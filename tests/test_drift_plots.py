"""Drift figure builders (turkmood.drift.plots): traces, colours and values as given."""

from __future__ import annotations

import numpy as np
import pandas as pd

from turkmood.constants import (
    CLASS_COLOURS,
    CLASSES,
    DRIFT_REFERENCE_COLOUR,
    DRIFT_SAMPLE_COLOUR,
    FEATURE_NAMES,
)
from turkmood.drift.plots import (
    TITLE_WIDTH,
    audio_shift_bars,
    metric_bars,
    overlay_histogram,
    prediction_share_bars,
    psi_heatmap,
    wrap_label,
)


def test_metric_bars_show_both_metrics_per_scenario():
    summary = pd.DataFrame(
        {"scenario": ["Baseline", "Mean shift"], "accuracy": [0.8, 0.3], "macro_f1": [0.79, 0.2]}
    )
    fig = metric_bars(summary)
    assert [t.name for t in fig.data] == ["accuracy", "macro-F1"]
    assert list(fig.data[0].y) == [0.8, 0.3] and list(fig.data[1].y) == [0.79, 0.2]


def test_psi_heatmap_caps_colours_but_keeps_values():
    psi = pd.DataFrame({"A": [0.05, 4.0]}, index=["_Tempo_Mean", "_RMSenergy_Mean"])
    trace = psi_heatmap(psi).data[0]
    assert list(trace.y) == ["Tempo_Mean", "RMSenergy_Mean"]
    np.testing.assert_allclose(np.asarray(trace.z).ravel(), [0.05, 1.0])
    np.testing.assert_allclose(np.asarray(trace.customdata).ravel(), [0.05, 4.0])


def test_overlay_histogram_shares_bins_and_drops_nan():
    fig = overlay_histogram([1.0, 2.0, 3.0], [2.0, np.nan, 5.0], "_Tempo_Mean", "drifted")
    ref, new = fig.data
    assert (ref.marker.color, new.marker.color) == (DRIFT_REFERENCE_COLOUR, DRIFT_SAMPLE_COLOUR)
    assert ref.xbins.to_plotly_json() == new.xbins.to_plotly_json()
    assert list(new.x) == [2.0, 5.0]
    assert fig.layout.barmode == "overlay"


def test_prediction_share_bars_use_class_colours():
    shares = {c: 0.25 for c in CLASSES}
    fig = prediction_share_bars(shares, {**shares, "happy": 0.4}, "Mean shift")
    assert list(fig.data[1].marker.color) == [CLASS_COLOURS[c] for c in CLASSES]
    assert fig.data[1].y[0] == 0.4


def test_audio_shift_bars_two_axes():
    summary = pd.DataFrame(
        {"transform": ["noise"], "mean_abs_shift_sd": [1.2], "predictions_changed": [0.5]}
    )
    fig = audio_shift_bars(summary)
    assert [t.yaxis for t in fig.data] == ["y", "y2"]


def test_psi_heatmap_labels_every_row():
    names = list(FEATURE_NAMES)
    psi = pd.DataFrame({"Baseline": np.linspace(0, 1, len(names))}, index=names)
    fig = psi_heatmap(psi)
    axis = fig.layout.yaxis
    # an explicit tick per row (Plotly's automatic ticks label every other row of 50)
    assert axis.tickmode == "array"
    assert list(axis.tickvals) == [n.lstrip("_") for n in names]
    assert list(axis.ticktext) == [n.lstrip("_") for n in names]
    assert fig.layout.height >= 16 * len(names)  # room for a readable label per row


def test_wrap_label_breaks_long_names_without_losing_characters():
    long = "HarmonicChangeDetectionFunction_PeriodEntropy"
    wrapped = wrap_label(long)
    lines = wrapped.split("<br>")
    assert len(lines) > 1 and all(len(line) <= TITLE_WIDTH for line in lines)
    assert "".join(lines) == long
    assert wrap_label("Tempo_Mean") == "Tempo_Mean"
    spaced = wrap_label("Confusion matrix — Class imbalance", 20)
    assert all(len(line) <= 20 for line in spaced.split("<br>"))
    assert spaced.replace("<br>", " ") == "Confusion matrix — Class imbalance"


def test_histogram_titles_fit_their_column():
    for feature in FEATURE_NAMES:
        fig = overlay_histogram([1.0, 2.0], [2.0, 3.0], feature, "Mean shift")
        title = fig.layout.title.text
        axis = fig.layout.xaxis.title.text
        assert all(len(line) <= TITLE_WIDTH for line in title.split("<br>")), title
        assert all(len(line) <= TITLE_WIDTH + 4 for line in axis.split("<br>")), axis
        assert axis.replace("<br>", "") == feature.lstrip("_")  # nothing cut off
