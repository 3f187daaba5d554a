"""The Analyze page's audio pictures drawn as PNG images: waveform outline and mel spectrogram.

Drawn with numpy and Pillow (:mod:`turkmood.png_canvas` says why images): a Plotly heat map of
the 64 × 800 spectrogram or a 2 000-point filled waveform band kept Chromium's main thread busy
for ~0.2-0.7 s each on every upload. Hovering a cell gave nothing a person needs: the axes,
ticks and colour scale are drawn into the image.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from PIL import Image, ImageDraw

from turkmood.constants import SPECTROGRAM_DB_RANGE
from turkmood.png_canvas import GRID_COLOUR, TEXT_COLOUR, canvas, font, to_png
from turkmood.signal_views import Envelope, Spectrogram, mel_spectrogram_db, waveform_envelope

#: Image width in pixels (the page shows it at its column's width).
PICTURE_WIDTH = 1200
WAVEFORM_HEIGHT, SPECTROGRAM_HEIGHT = 190, 300
#: Plot area margins in pixels: left (tick labels), right (colour bar), top (title), bottom.
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 66, 90, 32, 46
WAVE_COLOUR = (58, 110, 165)
#: Frequencies labelled on the spectrogram's mel axis (Hz).
FREQ_TICKS = (50, 100, 200, 500, 1000, 2000, 4000, 8000)
#: Smallest vertical distance (px) between two frequency labels.
MIN_TICK_GAP = 16
#: Candidate spacings (s) of the time ticks; the first giving at most MAX_TIME_TICKS is used.
TIME_STEPS = (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300)
MAX_TIME_TICKS = 12
#: Amplitude range of the waveform picture (full scale with a little room).
WAVE_RANGE = 1.05
#: Magma colour map anchors (matplotlib's, as Plotly ships it), dark to bright.
_MAGMA = (
    (0, 0, 4), (28, 16, 68), (79, 18, 123), (129, 37, 129), (181, 54, 122),
    (229, 80, 100), (251, 135, 97), (254, 194, 135), (252, 253, 191),
)  # fmt: skip


@cache
def magma_lut() -> np.ndarray:
    """(256, 3) uint8 colours from dark (index 0, quietest) to bright (255, loudest)."""
    anchors = np.asarray(_MAGMA, dtype=float)
    where = np.linspace(0.0, 1.0, len(anchors))
    steps = np.linspace(0.0, 1.0, 256)
    lut = np.stack([np.interp(steps, where, anchors[:, k]) for k in range(3)], axis=1)
    return np.rint(lut).astype(np.uint8)


def time_ticks(duration_s: float) -> np.ndarray:
    """Round tick times (s) from 0 up to ``duration_s``, at most MAX_TIME_TICKS + 1 of them."""
    span = max(float(duration_s), 1e-6)
    step = next((s for s in TIME_STEPS if span / s <= MAX_TIME_TICKS), TIME_STEPS[-1])
    return np.arange(0.0, span + 1e-9, step)


def _tick_label(seconds: float) -> str:
    return f"{seconds:g}" if seconds < 60 else f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def _frame(height: int, title: str) -> tuple[Image.Image, ImageDraw.ImageDraw, tuple[int, ...]]:
    """A white image with its title; returns it, its drawer and the plot box (x0, y0, x1, y1)."""
    image, draw = canvas(PICTURE_WIDTH, height, title)
    box = (MARGIN_LEFT, MARGIN_TOP, PICTURE_WIDTH - MARGIN_RIGHT, height - MARGIN_BOTTOM)
    return image, draw, box


def _time_axis(draw: ImageDraw.ImageDraw, box: tuple[int, ...], duration_s: float) -> None:
    """Ticks and labels along the bottom of ``box`` for times 0..duration_s, and its title."""
    x0, _, x1, y1 = box
    small = font()
    for t in time_ticks(duration_s):
        x = x0 + (x1 - x0) * t / max(duration_s, 1e-9)
        draw.line([(x, y1), (x, y1 + 4)], fill=TEXT_COLOUR)
        draw.text((x, y1 + 6), _tick_label(t), fill=TEXT_COLOUR, font=small, anchor="ma")
    unit = "time (min:s)" if duration_s >= 60 else "time (s)"
    draw.text(((x0 + x1) / 2, y1 + 25), unit, fill=TEXT_COLOUR, font=small, anchor="ma")


def _y_label(draw: ImageDraw.ImageDraw, y: float, text: str) -> None:
    draw.line([(MARGIN_LEFT - 4, y), (MARGIN_LEFT, y)], fill=TEXT_COLOUR)
    draw.text((MARGIN_LEFT - 7, y), text, fill=TEXT_COLOUR, font=font(), anchor="rm")


def _column_range(
    times: np.ndarray, low: np.ndarray, high: np.ndarray, width: int, duration_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """Lowest and highest value per pixel column (interpolated where a column has no point)."""
    centres = (np.arange(width) + 0.5) * duration_s / width
    col_low, col_high = np.interp(centres, times, low), np.interp(centres, times, high)
    column = np.clip((times / duration_s * width).astype(int), 0, width - 1)
    hit = np.zeros(width, dtype=bool)
    hit[column] = True
    col_low[hit], col_high[hit] = np.inf, -np.inf
    np.minimum.at(col_low, column, low)
    np.maximum.at(col_high, column, high)
    return col_low, col_high


def waveform_png(envelope: Envelope, duration_s: float) -> bytes:
    """The waveform as a filled band between each pixel column's lowest and highest sample."""
    image, draw, box = _frame(WAVEFORM_HEIGHT, "Waveform (amplitude; full scale = ±1)")
    x0, y0, x1, y1 = box
    width, height = x1 - x0, y1 - y0
    for level in (-1.0, 0.0, 1.0):
        y = y0 + (WAVE_RANGE - level) / (2 * WAVE_RANGE) * height
        draw.line([(x0, y), (x1, y)], fill=GRID_COLOUR)
        _y_label(draw, y, f"{level:g}")
    times = np.asarray(envelope.times, dtype=float)
    if times.size:
        low, high = _column_range(
            times, np.asarray(envelope.low, float), np.asarray(envelope.high, float), width,
            max(duration_s, 1e-9),
        )  # fmt: skip
        scale = height / (2 * WAVE_RANGE)
        top = np.floor((WAVE_RANGE - np.clip(high, -WAVE_RANGE, WAVE_RANGE)) * scale)
        bottom = np.ceil((WAVE_RANGE - np.clip(low, -WAVE_RANGE, WAVE_RANGE)) * scale)
        rows = np.arange(height)[:, None]
        band = (rows >= top[None, :]) & (rows <= np.maximum(bottom, top)[None, :])
        plot = np.asarray(image.crop(box)).copy()
        plot[band] = WAVE_COLOUR
        image.paste(Image.fromarray(plot), (x0, y0))
    draw.rectangle(box, outline=GRID_COLOUR)
    _time_axis(draw, box, duration_s)
    return to_png(image)


def spectrogram_png(spectrogram: Spectrogram, duration_s: float) -> bytes:
    """The mel spectrogram: time across, mel bands up (labelled in Hz), level as colour (dB)."""
    image, draw, box = _frame(SPECTROGRAM_HEIGHT, "Mel spectrogram (dB re. the loudest cell)")
    x0, y0, x1, y1 = box
    width, height = x1 - x0, y1 - y0
    db = np.asarray(spectrogram.db, dtype=float)
    if db.size:
        level = np.clip((db + SPECTROGRAM_DB_RANGE) / SPECTROGRAM_DB_RANGE, 0.0, 1.0)
        cells = magma_lut()[np.rint(level[::-1] * 255).astype(np.uint8)]
        # nearest: whole cells, as a heat map draws them (and a third of the bytes of bilinear)
        raster = Image.fromarray(cells).resize((width, height), Image.Resampling.NEAREST)
        image.paste(raster, (x0, y0))
    freqs = np.asarray(spectrogram.freqs, dtype=float)
    if freqs.size > 1:
        last_y = None  # mel bands crowd the low ticks together: keep those with room
        for f in reversed(FREQ_TICKS):
            if freqs[0] <= f <= freqs[-1]:
                band = np.interp(f, freqs, np.arange(freqs.size))
                y = y1 - (band + 0.5) / freqs.size * height
                if last_y is None or y - last_y >= MIN_TICK_GAP:
                    _y_label(draw, y, f"{f / 1000:g} k" if f >= 1000 else f"{f}")
                    last_y = y
    draw.text((8, y0 - 2), "Hz", fill=TEXT_COLOUR, font=font())
    _colour_bar(draw, image, box)
    _time_axis(draw, box, duration_s)
    return to_png(image)


def _colour_bar(draw: ImageDraw.ImageDraw, image: Image.Image, box: tuple[int, ...]) -> None:
    """A vertical dB scale right of the plot: 0 dB on top, -SPECTROGRAM_DB_RANGE at the bottom."""
    _, y0, x1, y1 = box
    left = x1 + 12
    gradient = magma_lut()[np.linspace(255, 0, y1 - y0).astype(np.uint8)]
    bar = np.repeat(gradient[:, None, :], 14, axis=1)
    image.paste(Image.fromarray(bar), (left, y0))
    small = font()
    for fraction, text in ((0.0, "0 dB"), (0.5, f"{-SPECTROGRAM_DB_RANGE / 2:g}"),
                           (1.0, f"{-SPECTROGRAM_DB_RANGE:g}")):  # fmt: skip
        y = y0 + fraction * (y1 - y0)
        draw.text((left + 18, y), text, fill=TEXT_COLOUR, font=small, anchor="lm")


@dataclass(frozen=True)
class AudioPictures:
    """The two PNG pictures of one song."""

    waveform: bytes
    spectrogram: bytes


def audio_pictures(y: np.ndarray, sr: int) -> AudioPictures:
    """Waveform and mel-spectrogram pictures of the decoded signal ``y`` at ``sr`` Hz."""
    duration_s = len(y) / sr
    return AudioPictures(
        waveform=waveform_png(waveform_envelope(y, sr), duration_s),
        spectrogram=spectrogram_png(mel_spectrogram_db(y, sr), duration_s),
    )
