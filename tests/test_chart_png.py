"""The song report's charts drawn as PNG images (turkmood.chart_png)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from turkmood.chart_png import (
    AWAY_COLOUR,
    BAR_TOP,
    ROW_HEIGHT,
    bar_png,
    circumplex_png,
    probability_png,
    shap_png,
)
from turkmood.constants import CIRCUMPLEX_POSITIONS, CLASS_COLOURS, CLASSES
from turkmood.png_canvas import nice_step, rgb


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _row_extent(pixels: np.ndarray, row: int, colour: str) -> tuple[int, int]:
    """First and last column of ``colour`` on the centre line of bar ``row``."""
    line = pixels[BAR_TOP + row * ROW_HEIGHT + ROW_HEIGHT // 2]
    hits = np.flatnonzero(np.all(line == rgb(colour), axis=-1))
    assert hits.size, f"no {colour} on row {row}"
    return int(hits[0]), int(hits[-1])


def test_bars_are_as_long_as_their_values_from_a_common_zero():
    pixels = _pixels(bar_png(["a", "b"], [0.25, 1.0], ["#D7263D", "#3A6EA5"], title="t",
                             x_title="x", x_range=(0.0, 1.0)))  # fmt: skip
    a0, a1 = _row_extent(pixels, 0, "#D7263D")
    b0, b1 = _row_extent(pixels, 1, "#3A6EA5")
    assert abs(a0 - b0) <= 1  # both start at zero
    assert (a1 - a0) / (b1 - b0) == pytest.approx(0.25, abs=0.01)


def test_probability_chart_has_one_bar_per_emotion_in_its_colour():
    probabilities = {"happy": 0.1, "sad": 0.2, "angry": 0.3, "relax": 0.4}
    pixels = _pixels(probability_png(probabilities))
    lengths = [np.subtract(*_row_extent(pixels, i, CLASS_COLOURS[c])[::-1]) for i, c in
               enumerate(CLASSES)]  # fmt: skip
    assert lengths == sorted(lengths)  # 0.1 < 0.2 < 0.3 < 0.4, in CLASSES order


def test_shap_bars_go_right_in_the_target_colour_and_left_in_grey():
    pixels = _pixels(shap_png(["Brightness", "Tempo"], [0.2, -0.1], "angry", "probability"))
    toward = _row_extent(pixels, 0, CLASS_COLOURS["angry"])
    away = _row_extent(pixels, 1, AWAY_COLOUR)
    assert away[1] <= toward[0] + 1  # the grey bar ends where the coloured one starts: zero
    assert (toward[1] - toward[0]) / (away[1] - away[0]) == pytest.approx(2, rel=0.05)


def test_circumplex_star_sits_in_the_quadrant_of_its_valence_and_arousal():
    probabilities = {"happy": 0.7, "sad": 0.1, "angry": 0.1, "relax": 0.1}
    pixels = _pixels(circumplex_png(0.5, 0.5, CIRCUMPLEX_POSITIONS, probabilities))
    star = np.argwhere(np.all(pixels == (17, 17, 17), axis=-1))
    happy = np.argwhere(np.all(pixels == rgb(CLASS_COLOURS["happy"]), axis=-1))
    sad = np.argwhere(np.all(pixels == rgb(CLASS_COLOURS["sad"]), axis=-1))
    centre = star.mean(axis=0)
    # rows grow downwards: pleasant and energetic = right of and above the sad (bottom-left) dot
    assert centre[1] > sad.mean(axis=0)[1] and centre[0] < sad.mean(axis=0)[0]
    assert len(happy) > 4 * len(sad)  # the dot grows with its probability


def test_nice_steps_are_one_two_five_times_a_power_of_ten():
    assert nice_step(1.0, 6) == 0.2
    assert nice_step(0.35, 6) == 0.1
    assert nice_step(120, 12) == 10
