"""'Hear the feature': pairs of short synthetic clips that differ in one musical attribute.

Each demonstration renders the same melody twice with :mod:`turkmood.synth`, changing only one
recipe attribute (tempo, brightness, roughness or loudness), and measures the matching model
feature on both clips with our own extractor, so students hear what the number means.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from turkmood.constants import ANALYSIS_SR
from turkmood.features import extract_features
from turkmood.synth import Recipe, render, sample_recipe

#: Length (s) of each demonstration clip: long enough for a tempo estimate, short to extract.
DEMO_DURATION_S = 6.0
#: Base melody of every demonstration: a bowed rast tune over a clear sofyan (4/4) drum pattern.
DEMO_BASE_RECIPE = "happy_3_rast-kemence-sofyan"


@dataclass(frozen=True)
class DemoSpec:
    """One attribute varied between a 'low' and a 'high' clip, and the feature that shows it."""

    key: str
    title: str
    feature: str
    unit: str
    low_label: str
    high_label: str
    low: dict
    high: dict


#: The four demonstrations (recipe overrides for the low and the high clip).
DEMO_SPECS: tuple[DemoSpec, ...] = (
    DemoSpec(
        "tempo", "Tempo", "_Tempo_Mean", "BPM", "70 BPM", "140 BPM",
        {"bpm": 70.0, "percussion": 1.0}, {"bpm": 140.0, "percussion": 1.0},
    ),
    DemoSpec(
        "brightness", "Brightness", "_Brightness_Mean", "share of energy above 1500 Hz",
        "dark", "bright", {"brightness": 0.1}, {"brightness": 0.95},
    ),
    DemoSpec(
        "roughness", "Roughness", "_Roughness_Mean", "sensory dissonance (MIRtoolbox units)",
        "smooth", "rough", {"roughness": 0.0}, {"roughness": 0.95, "instrument": "distorted"},
    ),
    DemoSpec(
        "loudness", "Loudness", "_RMSenergy_Mean", "RMS energy", "soft", "loud",
        {"loudness_dbfs": -32.0}, {"loudness_dbfs": -12.0},
    ),
)  # fmt: skip


@dataclass(frozen=True)
class DemoClip:
    """One rendered clip of a demonstration with its measured feature value."""

    label: str
    signal: np.ndarray
    sr: int
    value: float


@dataclass(frozen=True)
class Demo:
    """A rendered demonstration: the spec and its low and high clip."""

    spec: DemoSpec
    low: DemoClip
    high: DemoClip


def demo_spec(key: str) -> DemoSpec:
    """The demonstration called ``key`` (KeyError listing the keys if unknown)."""
    for spec in DEMO_SPECS:
        if spec.key == key:
            return spec
    raise KeyError(f"no demonstration {key!r}; known: {[s.key for s in DEMO_SPECS]}")


def demo_recipe(overrides: dict, duration_s: float = DEMO_DURATION_S) -> Recipe:
    """The base demo recipe with ``overrides`` applied, shortened to ``duration_s``."""
    base = sample_recipe(DEMO_BASE_RECIPE)
    return dataclasses.replace(base, duration_s=duration_s, **overrides)


def _clip(label: str, overrides: dict, feature: str, sr: int, duration_s: float) -> DemoClip:
    y = render(demo_recipe(overrides, duration_s), sr)
    return DemoClip(label, y, sr, float(extract_features(y, sr)[feature]))


def render_demo(key: str, sr: int = ANALYSIS_SR, duration_s: float = DEMO_DURATION_S) -> Demo:
    """Render both clips of demonstration ``key`` and measure its feature on each."""
    spec = demo_spec(key)
    low = _clip(spec.low_label, spec.low, spec.feature, sr, duration_s)
    high = _clip(spec.high_label, spec.high, spec.feature, sr, duration_s)
    return Demo(spec, low, high)
