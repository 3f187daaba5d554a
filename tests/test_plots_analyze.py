"""Plotly builders: SHAP bars (Classroom) and the Analyze page's timeline (the song report's other
pictures and charts are images: tests/test_picture_png.py, tests/test_chart_png.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from turkmood.constants import CLASS_COLOURS, CLASSES
from turkmood.plots import shap_bar, timeline_chart


def test_shap_bars_colour_toward_the_target_and_away_in_grey():
    fig = shap_bar(["Brightness", "Tempo"], [0.2, -0.1], ["a", "b"], "angry", "probability")
    bars = fig.data[0]
    assert list(bars.y) == ["Brightness", "Tempo"]
    assert list(bars.marker.color) == [CLASS_COLOURS["angry"], "#9AA0A6"]
    assert "probability of angry" in fig.layout.xaxis.title.text


def test_timeline_can_show_the_song_verdict_per_emotion():
    timeline = pd.DataFrame(
        {"start_s": [0.0, 15.0], "end_s": [30.0, 45.0], **{c: [0.25, 0.25] for c in CLASSES}}
    )
    track = {"happy": 0.1, "sad": 0.2, "angry": 0.3, "relax": 0.4}
    plain = timeline_chart(timeline)
    with_track = timeline_chart(timeline, track=track)
    assert len(with_track.data) == len(plain.data) + len(CLASSES)
    dotted = with_track.data[len(plain.data) :]
    assert [t.y[0] for t in dotted] == pytest.approx([track[c] for c in CLASSES])
    assert [t.line.color for t in dotted] == [CLASS_COLOURS[c] for c in CLASSES]
    assert list(dotted[0].x) == [0.0, 45.0]
