"""The Analyze page's audio pictures drawn as PNG images (turkmood.picture_png)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from turkmood.constants import SPECTROGRAM_DB_RANGE
from turkmood.picture_png import (
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    PICTURE_WIDTH,
    SPECTROGRAM_HEIGHT,
    WAVE_COLOUR,
    WAVE_RANGE,
    WAVEFORM_HEIGHT,
    audio_pictures,
    magma_lut,
    spectrogram_png,
    time_ticks,
    waveform_png,
)
from turkmood.signal_views import Envelope, Spectrogram


def _pixels(png: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return np.asarray(image.convert("RGB"))


def _plot_box(height: int) -> tuple[int, int, int, int]:
    return MARGIN_LEFT, MARGIN_TOP, PICTURE_WIDTH - MARGIN_RIGHT, height - MARGIN_BOTTOM


def _row_of(amplitude: float, height: int) -> int:
    _, y0, _, y1 = _plot_box(height)
    return y0 + round((WAVE_RANGE - amplitude) / (2 * WAVE_RANGE) * (y1 - y0))


def test_waveform_band_spans_each_columns_min_to_max():
    # first half of the clip quiet (+-0.1), second half loud (-0.8 .. +0.6)
    times = np.linspace(0.05, 9.95, 200)
    low = np.where(times < 5, -0.1, -0.8)
    high = np.where(times < 5, 0.1, 0.6)
    pixels = _pixels(waveform_png(Envelope(times, low, high), 10.0))
    assert pixels.shape == (WAVEFORM_HEIGHT, PICTURE_WIDTH, 3)
    x0, _, x1, _ = _plot_box(WAVEFORM_HEIGHT)
    quiet, loud = x0 + (x1 - x0) // 4, x0 + 3 * (x1 - x0) // 4
    is_wave = np.all(pixels == WAVE_COLOUR, axis=-1)
    for column, lo, hi in ((quiet, -0.1, 0.1), (loud, -0.8, 0.6)):
        filled = np.flatnonzero(is_wave[:, column])
        assert filled.min() == pytest.approx(_row_of(hi, WAVEFORM_HEIGHT), abs=1)
        assert filled.max() == pytest.approx(_row_of(lo, WAVEFORM_HEIGHT), abs=1)
        assert np.all(np.diff(filled) == 1)  # one band, no holes
    assert not is_wave[:, : x0 - 1].any() and not is_wave[:, x1 + 1 :].any()


def test_spectrogram_cells_take_the_colour_of_their_level():
    # two bands: the low one at 0 dB (brightest), the high one at the floor (darkest)
    db = np.vstack([np.zeros((1, 50)), np.full((1, 50), -SPECTROGRAM_DB_RANGE)])
    pixels = _pixels(
        spectrogram_png(Spectrogram(np.arange(50) * 0.2, np.array([200.0, 2000.0]), db), 10.0)
    )
    assert pixels.shape == (SPECTROGRAM_HEIGHT, PICTURE_WIDTH, 3)
    x0, y0, x1, y1 = _plot_box(SPECTROGRAM_HEIGHT)
    middle = (x0 + x1) // 2
    lut = magma_lut()
    assert tuple(pixels[y1 - 5, middle]) == tuple(lut[255])  # bottom (low band): loudest
    assert tuple(pixels[y0 + 5, middle]) == tuple(lut[0])  # top (high band): quietest


def test_time_ticks_are_round_and_few():
    assert list(time_ticks(30.0)) == [0, 5, 10, 15, 20, 25, 30]
    assert list(time_ticks(3.0)) == pytest.approx([0, 0.5, 1, 1.5, 2, 2.5, 3])
    long = time_ticks(20 * 60.0)
    assert len(long) <= 13 and long[1] == 120


def test_pictures_of_a_real_signal_are_small_pngs():
    sr = 44_100
    t = np.arange(30 * sr) / sr
    y = 0.3 * np.sin(2 * np.pi * 440 * t) * (1 + np.sin(2 * np.pi * 0.5 * t)) / 2
    pictures = audio_pictures(y, sr)
    assert _pixels(pictures.waveform).shape == (WAVEFORM_HEIGHT, PICTURE_WIDTH, 3)
    assert _pixels(pictures.spectrogram).shape == (SPECTROGRAM_HEIGHT, PICTURE_WIDTH, 3)
    # what the page sends for both pictures (the Plotly charts sent ~100 KB of JSON)
    assert len(pictures.waveform) + len(pictures.spectrogram) < 150_000
