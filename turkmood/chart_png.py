"""The Analyze page's song-report charts as PNG images: probabilities, SHAP bars, circumplex.

Texts use only characters of Pillow's bundled font (no arrows or dashes). Same content as the
Plotly builders of :mod:`turkmood.plots` (which the Classroom and the
feature-table cards keep, interactive), drawn with Pillow for the song report, where they are
looked at, not explored (:mod:`turkmood.png_canvas` says why images). Every number a bar or a
dot stands for is written beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from PIL import ImageDraw

from turkmood.constants import CLASS_COLOURS, CLASSES, DECISION_THRESHOLD
from turkmood.png_canvas import (
    AXIS_COLOUR,
    GRID_COLOUR,
    TEXT_COLOUR,
    Box,
    canvas,
    font,
    nice_step,
    rgb,
    text_width,
    to_png,
    vertical_text,
)

#: Bar charts: width, row height and the share of a row a bar fills (px, px, fraction).
BAR_WIDTH, ROW_HEIGHT, BAR_FILL = 700, 36, 0.62
#: Bar charts: space above the rows (title) and below them (ticks and axis title), px.
BAR_TOP, BAR_BOTTOM = 48, 50
#: Room kept right of the longest bar for its value label, px.
VALUE_ROOM = 56
#: Colour of bars that pull away from the explained emotion.
AWAY_COLOUR = "#9AA0A6"
#: Circumplex: image size and the plotted range of both axes (the unit circle with room).
CIRCUMPLEX_WIDTH, CIRCUMPLEX_HEIGHT, CIRCUMPLEX_RANGE = 560, 470, 1.3
#: Circumplex dot radius for probability 0 and its growth per unit of probability, px.
DOT_RADIUS, DOT_GROWTH = 6, 20


def _x_ticks(draw: ImageDraw.ImageDraw, box: Box, low: float, high: float, fmt: str) -> None:
    """Ticks, labels and light grid lines across ``box`` for values ``low``..``high``."""
    x0, y0, x1, y1 = box
    step = nice_step(high - low, 6)
    for tick in np.arange(np.ceil(low / step) * step, high + step / 1e6, step):
        x = x0 + (tick - low) / (high - low) * (x1 - x0)
        draw.line([(x, y0), (x, y1)], fill=GRID_COLOUR)
        label = format(0.0 if abs(tick) < step / 1e6 else tick, fmt)
        draw.text((x, y1 + 5), label, fill=TEXT_COLOUR, font=font(), anchor="ma")


def bar_png(
    labels: Sequence[str],
    values: Sequence[float],
    colours: Sequence[str],
    *,
    title: str,
    x_title: str,
    value_format: str = ".2f",
    x_range: tuple[float, float] | None = None,
    marker: tuple[float, str] | None = None,
    width: int = BAR_WIDTH,
) -> bytes:
    """Horizontal bars, first label on top, each with its value written at its end.

    ``x_range`` defaults to the values' range (with 0) plus room for the labels; ``marker`` is
    an optional dashed vertical line (value, caption), e.g. the decision threshold.
    """
    values = [float(v) for v in values]
    low = min(0.0, *values) if values else 0.0
    high = max(0.0, *values) if values else 1.0
    if x_range is None:
        reach = max(high - low, 1e-9)
        x_range = (low - (0.3 * reach if low < 0 else 0.0), high + 0.3 * reach)
    lo, hi = x_range
    left = 16 + int(max((text_width(label) for label in labels), default=0))
    height = BAR_TOP + ROW_HEIGHT * len(labels) + BAR_BOTTOM
    image, draw = canvas(width, height, title)
    box = (left, BAR_TOP, width - VALUE_ROOM // 2, BAR_TOP + ROW_HEIGHT * len(labels))
    x0, y0, x1, y1 = box
    _x_ticks(draw, box, lo, hi, ".2g")

    def x_of(value: float) -> float:
        return x0 + (min(max(value, lo), hi) - lo) / (hi - lo) * (x1 - x0)

    zero = x_of(0.0)
    for row, (label, value, colour) in enumerate(zip(labels, values, colours, strict=True)):
        centre = y0 + (row + 0.5) * ROW_HEIGHT
        half = BAR_FILL * ROW_HEIGHT / 2
        end = x_of(value)
        draw.rectangle([min(zero, end), centre - half, max(zero, end), centre + half],
                       fill=rgb(colour))  # fmt: skip
        draw.text((left - 8, centre), label, fill=TEXT_COLOUR, font=font(), anchor="rm")
        text = format(value, value_format)
        side = (end + 5, "lm") if value >= 0 else (end - 5, "rm")
        draw.text((side[0], centre), text, fill=TEXT_COLOUR, font=font(), anchor=side[1])
    if lo < 0 < hi:
        draw.line([(zero, y0), (zero, y1)], fill=AXIS_COLOUR, width=1)
    if marker is not None:
        x = x_of(marker[0])
        for y in range(y0, y1, 8):  # dashed
            draw.line([(x, y), (x, min(y + 4, y1))], fill=AXIS_COLOUR, width=1)
        draw.text((x, y0 - 3), marker[1], fill=AXIS_COLOUR, font=font(), anchor="md")
    draw.text(((x0 + x1) / 2, y1 + 24), x_title, fill=TEXT_COLOUR, font=font(), anchor="ma")
    return to_png(image)


def probability_png(probabilities: Mapping[str, float]) -> bytes:
    """One song's four probabilities (CLASSES order) with the decision threshold marked."""
    return bar_png(
        list(CLASSES),
        [float(probabilities[c]) for c in CLASSES],
        [CLASS_COLOURS[c] for c in CLASSES],
        title="Probability of each emotion",
        x_title="probability",
        x_range=(0.0, 1.0),
        marker=(DECISION_THRESHOLD, f"threshold {DECISION_THRESHOLD:.2f}"),
    )


def shap_png(labels: Sequence[str], values: Sequence[float], target: str, units: str) -> bytes:
    """SHAP bars, largest effect on top: toward ``target`` in its colour, away in grey."""
    toward = CLASS_COLOURS.get(target, "#3A6EA5")
    return bar_png(
        list(labels),
        list(values),
        [toward if float(v) > 0 else AWAY_COLOUR for v in values],
        title=f"What pushed the model toward {target} (right) or away from it (left)",
        x_title=f"SHAP value ({units} of {target})",
        value_format="+.3f",
        width=2 * BAR_WIDTH - 300,
    )


def _star(centre: tuple[float, float], outer: float) -> list[tuple[float, float]]:
    """The ten corners of a five-pointed star, point up."""
    angles = np.pi / 2 + np.arange(10) * np.pi / 5
    radii = np.where(np.arange(10) % 2 == 0, outer, outer * 0.45)
    xs, ys = centre[0] + radii * np.cos(angles), centre[1] - radii * np.sin(angles)
    return list(zip(xs.tolist(), ys.tolist(), strict=True))


def circumplex_png(
    valence: float,
    arousal: float,
    positions: Mapping[str, tuple[float, float]],
    probabilities: Mapping[str, float],
) -> bytes:
    """Valence (x) and arousal (y) plane: the four emotion corners sized by probability, the
    song as a black star."""
    title = "Valence and arousal (derived from the four probabilities)"
    image, draw = canvas(CIRCUMPLEX_WIDTH, CIRCUMPLEX_HEIGHT, title)
    side = CIRCUMPLEX_HEIGHT - 110
    x0, y0 = (CIRCUMPLEX_WIDTH - side) / 2 + 10, 40
    x1, y1 = x0 + side, y0 + side
    scale = side / (2 * CIRCUMPLEX_RANGE)

    def at(v: float, a: float) -> tuple[float, float]:
        return (x0 + x1) / 2 + v * scale, (y0 + y1) / 2 - a * scale

    cx, cy = at(0.0, 0.0)
    draw.line([(x0, cy), (x1, cy)], fill=AXIS_COLOUR)
    draw.line([(cx, y0), (cx, y1)], fill=AXIS_COLOUR)
    draw.ellipse([at(-1, 1), at(1, -1)], outline=(204, 204, 204))
    for tick in (-1.0, 1.0):
        draw.text((at(tick, 0)[0], y1 + 4), f"{tick:g}", fill=TEXT_COLOUR, font=font(),
                  anchor="ma")  # fmt: skip
        draw.text((x0 - 6, at(0, tick)[1]), f"{tick:g}", fill=TEXT_COLOUR, font=font(),
                  anchor="rm")  # fmt: skip
    for emotion in CLASSES:
        p = float(probabilities[emotion])
        x, y = at(*positions[emotion])
        r = DOT_RADIUS + DOT_GROWTH * p
        draw.ellipse([x - r, y - r, x + r, y + r], fill=rgb(CLASS_COLOURS[emotion]))
        above = positions[emotion][1] > 0
        label_y, anchor = (y - r - 3, "md") if above else (y + r + 3, "ma")
        draw.text((x, label_y), f"{emotion} {p:.2f}", fill=TEXT_COLOUR, font=font(),
                  anchor=anchor)  # fmt: skip
    draw.polygon(_star(at(valence, arousal), 11), fill=(17, 17, 17))
    x_title = "valence: unpleasant (left) to pleasant (right)"
    draw.text(((x0 + x1) / 2, y1 + 22), x_title, fill=TEXT_COLOUR, font=font(), anchor="ma")
    vertical_text(image, "arousal: calm (down) to energetic (up)", (x0 - 34, (y0 + y1) / 2))
    return to_png(image)
