"""Figure builders of the Analyze page: waveform, spectrogram, SHAP bars, circumplex, timeline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from turkmood.constants import CIRCUMPLEX_POSITIONS, CLASS_COLOURS, CLASSES, SPECTROGRAM_DB_RANGE
from turkmood.plots import (
    circumplex_chart,
    shap_bar,
    spectrogram_chart,
    timeline_chart,
    waveform_chart,
)


def test_waveform_is_a_filled_band_between_min_and_max():
    fig = waveform_chart([0.5, 1.5], [-0.2, -0.4], [0.3, 0.1])
    high, low = fig.data
    assert list(high.y) == [0.3, 0.1] and list(low.y) == [-0.2, -0.4]
    assert low.fill == "tonexty"
    assert fig.layout.xaxis.title.text == "time (s)"


def test_spectrogram_has_time_and_frequency_axes_and_a_fixed_db_scale():
    db = np.full((3, 4), -10.0)
    fig = spectrogram_chart([0, 1, 2, 3], [100.0, 500.0, 2000.0], db)
    heat = fig.data[0]
    assert np.asarray(heat.z).shape == (3, 4)
    assert (heat.zmin, heat.zmax) == (-SPECTROGRAM_DB_RANGE, 0.0)
    assert fig.layout.xaxis.title.text == "time (s)"
    assert fig.layout.yaxis.title.text == "frequency (Hz)"


def test_shap_bars_colour_toward_the_target_and_away_in_grey():
    fig = shap_bar(["Brightness", "Tempo"], [0.2, -0.1], ["a", "b"], "angry", "probability")
    bars = fig.data[0]
    assert list(bars.y) == ["Brightness", "Tempo"]
    assert list(bars.marker.color) == [CLASS_COLOURS["angry"], "#9AA0A6"]
    assert "probability of angry" in fig.layout.xaxis.title.text


def test_circumplex_marks_the_song_and_sizes_emotions_by_probability():
    probs = {"happy": 0.7, "sad": 0.1, "angry": 0.1, "relax": 0.1}
    fig = circumplex_chart(0.3, 0.4, CIRCUMPLEX_POSITIONS, probs)
    star = fig.data[-1]
    assert (star.x[0], star.y[0]) == (0.3, 0.4)
    corners = {trace.name: trace for trace in fig.data[1:-1]}
    assert set(corners) == set(CLASSES)
    assert corners["happy"].marker.size > corners["sad"].marker.size
    assert corners["angry"].marker.color == CLASS_COLOURS["angry"]


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


def test_the_pictures_send_compact_arrays():
    # the spectrogram went out as float64 (~330 KB per upload); whole dB in int8 look the same
    db = np.linspace(-95.0, 0.0, 64 * 469).reshape(64, 469)
    heat = spectrogram_chart(np.arange(469) * 0.064, np.geomspace(50, 8000, 64), db).data[0]
    z = np.asarray(heat.z)
    assert z.dtype == np.int8 and z.min() == -SPECTROGRAM_DB_RANGE and z.max() == 0
    fig_json = spectrogram_chart(np.arange(469) * 0.064, np.geomspace(50, 8000, 64), db).to_json()
    assert len(fig_json) < 60_000
    band = waveform_chart(np.linspace(0, 30, 2000), -np.ones(2000) / 2, np.ones(2000) / 2)
    assert np.asarray(band.data[0].y).dtype == np.float32
