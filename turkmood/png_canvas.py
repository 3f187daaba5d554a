"""Drawing primitives shared by the Analyze page's PNG pictures and charts (Pillow, no Streamlit).

Why images: the browser shows a PNG at once, while each Plotly chart of the song report kept
Chromium's main thread busy for ~0.15-0.7 s per upload (bench/page.py's long-task counter; an
A/B run of the same page with and without them: 748 ms against 181 ms of long tasks per
upload). The report's charts show fixed numbers that are also written out beside them, so
nothing a person needs is lost without hover.
"""

from __future__ import annotations

import io
from functools import cache

from PIL import Image, ImageDraw, ImageFont

#: Colours of text, grid lines and the page background (Streamlit's light theme).
TEXT_COLOUR, GRID_COLOUR, AXIS_COLOUR = (49, 51, 63), (225, 228, 232), (110, 110, 110)
BACKGROUND = (255, 255, 255)
FONT_SIZE, TITLE_SIZE = 15, 17
#: zlib level of the PNGs: 3 is ~3x faster than the default 6 for a few % more bytes.
PNG_COMPRESS_LEVEL = 3
Box = tuple[int, int, int, int]


@cache
def font(size: int = FONT_SIZE) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """Pillow's bundled font at ``size`` px (its bitmap font where FreeType is missing)."""
    try:
        return ImageFont.load_default(size=size)
    except (OSError, ValueError):  # pragma: no cover - Pillow built without FreeType
        return ImageFont.load_default()


def rgb(colour: str) -> tuple[int, int, int]:
    """``"#D7263D"`` → (215, 38, 61)."""
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def canvas(width: int, height: int, title: str) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """A white image of ``width`` × ``height`` px with ``title`` at its top left."""
    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.text((8, 6), title, fill=TEXT_COLOUR, font=font(TITLE_SIZE))
    return image, draw


def text_width(text: str, size: int = FONT_SIZE) -> float:
    """Width in px of ``text`` in the bundled font."""
    return font(size).getlength(text)


def vertical_text(image: Image.Image, text: str, centre: tuple[float, float]) -> None:
    """``text`` rotated to read bottom-up, centred on ``centre`` (an axis title)."""
    width, height = int(text_width(text)) + 4, FONT_SIZE + 6
    strip = Image.new("RGB", (width, height), BACKGROUND)
    ImageDraw.Draw(strip).text((2, 2), text, fill=TEXT_COLOUR, font=font())
    turned = strip.rotate(90, expand=True)
    image.paste(turned, (int(centre[0] - height / 2), int(centre[1] - width / 2)))


def to_png(image: Image.Image) -> bytes:
    """The image as PNG bytes."""
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=PNG_COMPRESS_LEVEL)
    return out.getvalue()


def nice_step(span: float, max_ticks: int) -> float:
    """A 1-2-5 × 10^k step giving at most ``max_ticks`` intervals over ``span``."""
    span = max(abs(span), 1e-12)
    base = 10.0 ** int(f"{span / max_ticks:e}".split("e")[1])
    for multiple in (1, 2, 5, 10):
        if span / (multiple * base) <= max_ticks:
            return multiple * base
    return 10 * base  # pragma: no cover - unreachable: 10 × base always fits
