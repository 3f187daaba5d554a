"""Figure builders: fixed class order and colours, values passed through unchanged."""

from __future__ import annotations

import pandas as pd
import pytest

from turkmood.constants import CLASS_COLOURS, CLASSES, DECISION_THRESHOLD
from turkmood.decision import decide
from turkmood.plots import (
    confusion_heatmap,
    decision_count_bar,
    decision_counts,
    feature_by_class,
    per_class_f1_bar,
    probability_bar,
    reliability_diagram,
    timeline_chart,
)


def test_probability_bar_uses_class_order_colours_and_threshold():
    probs = {"relax": 0.1, "angry": 0.2, "sad": 0.3, "happy": 0.4}
    fig = probability_bar(probs)
    bar = fig.data[0]
    assert list(bar.y) == list(CLASSES)
    assert list(bar.x) == [probs[c] for c in CLASSES]
    assert list(bar.marker.color) == [CLASS_COLOURS[c] for c in CLASSES]
    assert fig.layout.shapes[0].x0 == DECISION_THRESHOLD


def test_decision_counts_split_confident_and_uncertain():
    probs = pd.DataFrame(
        [[0.9, 0.05, 0.03, 0.02], [0.5, 0.4, 0.05, 0.05], [0.1, 0.8, 0.05, 0.05]],
        columns=list(CLASSES),
    )
    counts = decision_counts(decide(probs))
    assert counts.index.tolist() == list(CLASSES)
    assert counts.loc["happy"].tolist() == [1, 1]
    assert counts.loc["sad"].tolist() == [1, 0]
    assert counts.loc[["angry", "relax"]].to_numpy().sum() == 0
    fig = decision_count_bar(decide(probs))
    assert [list(t.y) for t in fig.data] == [[1, 1, 0, 0], [1, 0, 0, 0]]


def test_feature_by_class_has_one_trace_per_class():
    X = pd.DataFrame({"f": [1.0, 2.0, 3.0, 4.0, 5.0]})
    y = ["happy", "sad", "happy", "angry", "relax"]
    fig = feature_by_class(X, y, "f")
    assert [t.name for t in fig.data] == list(CLASSES)
    assert list(fig.data[0].y) == [1.0, 3.0]
    hist = feature_by_class(X, y, "f", kind="histogram")
    assert {t.type for t in hist.data} == {"histogram"}
    with pytest.raises(ValueError):
        feature_by_class(X, y, "f", kind="violin")


def test_confusion_heatmap_labels_counts_and_shares():
    counts = confusion_heatmap([[3, 1], [0, 4]], ["happy", "sad"])
    assert list(counts.data[0].text[0]) == ["3", "1"]
    shares = confusion_heatmap([[0.75, 0.25], [0.0, 1.0]], ["happy", "sad"])
    assert list(shares.data[0].text[0]) == ["0.75", "0.25"]


def test_per_class_f1_bar_skips_missing_classes():
    fig = per_class_f1_bar({"sad": 0.6, "happy": 0.9})
    assert list(fig.data[0].x) == ["happy", "sad"]
    assert list(fig.data[0].y) == [0.9, 0.6]


def test_reliability_diagram_leaves_out_empty_bins():
    bins = [
        {"lower": 0.0, "upper": 0.5, "count": 0, "confidence": None, "accuracy": None},
        {"lower": 0.5, "upper": 0.75, "count": 10, "confidence": 0.6, "accuracy": 0.5},
        {"lower": 0.75, "upper": 1.0, "count": 30, "confidence": 0.9, "accuracy": 0.95},
    ]
    model = reliability_diagram(bins).data[1]
    assert list(model.x) == [0.6, 0.9]
    assert list(model.y) == [0.5, 0.95]
    assert [row[0] for row in model.customdata] == [10, 30]


def test_timeline_chart_plots_each_class_at_window_centres():
    timeline = pd.DataFrame(
        {
            "start_s": [0.0, 15.0],
            "end_s": [30.0, 45.0],
            "happy": [0.1, 0.2],
            "sad": [0.6, 0.5],
            "angry": [0.1, 0.1],
            "relax": [0.2, 0.2],
        }
    )
    fig = timeline_chart(timeline)
    assert [t.name for t in fig.data] == list(CLASSES)
    assert list(fig.data[1].x) == [15.0, 30.0]
    assert list(fig.data[1].y) == [0.6, 0.5]
    assert fig.data[0].line.color == CLASS_COLOURS["happy"]
