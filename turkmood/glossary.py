"""Plain-language names, units and family explanations of the 50 MIRtoolbox features.

Used to word explanations for people who are not signal-processing specialists
("Brightness: share of energy above 1 500 Hz = 0.41"). Pure data and formatting, no maths.
"""

from __future__ import annotations

from dataclasses import dataclass

from turkmood.constants import FEATURE_NAMES


@dataclass(frozen=True)
class FeatureInfo:
    """How one feature column is described to people."""

    label: str  # short plain name, e.g. "Brightness"
    meaning: str  # what the number is, e.g. "share of energy above 1 500 Hz"
    unit: str  # unit appended to the value ("" for ratios and unitless numbers)
    family: str  # key of FAMILIES


#: Feature families in classroom language (title, explanation), in the order shown.
FAMILIES: dict[str, tuple[str, str]] = {
    "dynamics": (
        "Loudness and dynamics",
        "How loud the recording is on average (RMS energy) and how much of the time it is "
        "quieter than its own average (low energy). Quiet, gentle songs and songs with many soft "
        "passages score differently from songs that stay loud all the time.",
    ),
    "timbre": (
        "Tone colour (spectrum shape)",
        "Where the sound's energy sits between low and high pitches. A 'bright' sound (cymbals, "
        "distorted guitars) has much energy above 1 500 Hz; a 'dark' sound (ney, soft oud) keeps "
        "it low. Centroid, spread, skewness, kurtosis, roll-off, flatness and entropy each "
        "describe the shape of that energy curve in a different way; zero-crossing rate is a "
        "rough noisiness measure taken straight from the waveform.",
    ),
    "mfcc": (
        "Timbre fingerprint (MFCC)",
        "Thirteen numbers that summarise the overall shape of the spectrum on an ear-like "
        "(mel) frequency scale. They are abstract: each one describes a smooth 'wave' across "
        "the spectrum, and together they work like a fingerprint of the instrument mix.",
    ),
    "roughness": (
        "Roughness",
        "How harsh or grating the sound is, from pairs of close frequencies that beat against "
        "each other. Distorted, dense sounds are rough; a pure flute tone is smooth. The slope "
        "says whether it gets rougher (positive) or smoother (negative) over the clip.",
    ),
    "rhythm": (
        "Rhythm and tempo",
        "How fast the beat is (tempo, beats per minute), how many notes or hits happen per "
        "second (event density), how clear and regular the pulse is (pulse clarity), how "
        "sharp note starts are (attack time) and how strongly loudness wobbles at rhythmic "
        "rates (fluctuation).",
    ),
    "tonal": (
        "Pitch classes (chromagram)",
        "How strongly each of the 12 pitch classes (C, C#, D, …, B) is present over the whole "
        "clip, scaled so the strongest is 1. It hints at the scale or makam that is used.",
    ),
    "harmony": (
        "Harmonic change",
        "How often and how much the harmony (the set of sounding pitches) changes from one "
        "moment to the next: its average, variation, trend over time and how periodic the "
        "changes are.",
    ),
}

_PITCHES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
_HCDF = "_HarmonicChangeDetectionFunction_"

_INFO: dict[str, FeatureInfo] = {
    "_RMSenergy_Mean": FeatureInfo("Loudness", "average RMS level (0 = silence)", "", "dynamics"),
    "_Lowenergy_Mean": FeatureInfo(
        "Quiet share", "share of moments quieter than the song's average", "", "dynamics"
    ),
    "_Fluctuation_Mean": FeatureInfo(
        "Loudness wobble", "strength of rhythmic loudness changes (fluctuation)", "", "rhythm"
    ),
    "_Tempo_Mean": FeatureInfo("Tempo", "estimated beat speed", "BPM", "rhythm"),
    "_Roughness_Mean": FeatureInfo(
        "Roughness", "harshness from beating close frequencies", "", "roughness"
    ),
    "_Roughness_Slope": FeatureInfo(
        "Roughness trend", "whether harshness rises (+) or falls (−) over the clip", "", "roughness"
    ),
    "_Zero-crossingrate_Mean": FeatureInfo(
        "Noisiness", "waveform sign changes per second (zero-crossing rate)", "/s", "timbre"
    ),
    "_AttackTime_Mean": FeatureInfo(
        "Note attack", "time a note takes to reach full loudness", "s", "rhythm"
    ),
    "_AttackTime_Slope": FeatureInfo(
        "Attack trend", "whether note attacks get slower (+) or sharper (−)", "", "rhythm"
    ),
    "_Rolloff_Mean": FeatureInfo(
        "Roll-off", "frequency below which 85 % of the spectrum's magnitude lies", "Hz", "timbre"
    ),
    "_Eventdensity_Mean": FeatureInfo(
        "Note density", "notes or hits detected per second", "/s", "rhythm"
    ),
    "_Pulseclarity_Mean": FeatureInfo(
        "Pulse clarity", "how clear and regular the beat is (0–1)", "", "rhythm"
    ),
    "_Brightness_Mean": FeatureInfo("Brightness", "share of energy above 1 500 Hz", "", "timbre"),
    "_Spectralcentroid_Mean": FeatureInfo(
        "Spectral centre", "balance point of the spectrum (spectral centroid)", "Hz", "timbre"
    ),
    "_Spectralspread_Mean": FeatureInfo(
        "Spectral spread", "how widely energy spreads around the centre", "Hz", "timbre"
    ),
    "_Spectralskewness_Mean": FeatureInfo(
        "Spectral skew", "how lopsided the spectrum is towards low pitches", "", "timbre"
    ),
    "_Spectralkurtosis_Mean": FeatureInfo(
        "Spectral peakiness", "how concentrated the spectrum is around its centre", "", "timbre"
    ),
    "_Spectralflatness_Mean": FeatureInfo(
        "Flatness", "how noise-like (flat) rather than tonal the spectrum is (0–1)", "", "timbre"
    ),
    "_EntropyofSpectrum_Mean": FeatureInfo(
        "Spectral entropy", "how evenly energy is spread over all frequencies (0–1)", "", "timbre"
    ),
}
for _k in range(1, 14):
    _INFO[f"_MFCC_Mean_{_k}"] = FeatureInfo(
        f"Timbre coefficient {_k}", f"MFCC number {_k} of the whole clip", "", "mfcc"
    )
for _k, _pitch in enumerate(_PITCHES, start=1):
    _INFO[f"_Chromagram_Mean_{_k}"] = FeatureInfo(
        f"Pitch class {_pitch}",
        f"strength of {_pitch} relative to the strongest pitch",
        "",
        "tonal",
    )
_INFO.update(
    {
        f"{_HCDF}Mean": FeatureInfo(
            "Harmonic change", "average amount of harmonic change per step", "", "harmony"
        ),
        f"{_HCDF}Std": FeatureInfo(
            "Harmonic change variation", "how uneven the harmonic changes are", "", "harmony"
        ),
        f"{_HCDF}Slope": FeatureInfo(
            "Harmonic change trend",
            "whether harmony changes more (+) or less (−) later on",
            "",
            "harmony",
        ),
        f"{_HCDF}PeriodFreq": FeatureInfo(
            "Harmonic rhythm", "rate at which harmonic changes repeat", "Hz", "harmony"
        ),
        f"{_HCDF}PeriodAmp": FeatureInfo(
            "Harmonic regularity", "how strongly harmonic changes repeat (0–1)", "", "harmony"
        ),
        f"{_HCDF}PeriodEntropy": FeatureInfo(
            "Harmonic disorder",
            "how unpredictable the pattern of harmonic changes is",
            "",
            "harmony",
        ),
    }
)

#: Every feature column's description, in FEATURE_NAMES order.
FEATURE_INFO: dict[str, FeatureInfo] = {name: _INFO[name] for name in FEATURE_NAMES}


def feature_info(feature: str) -> FeatureInfo:
    """Description of ``feature``; an unknown column gets its own name and no unit."""
    return FEATURE_INFO.get(feature, FeatureInfo(feature, feature, "", "timbre"))


def format_value(value: float, unit: str = "") -> str:
    """A readable number: 3 significant digits, thousands spaced (``5 649 Hz``, ``0.41``)."""
    if value != value:  # NaN
        return "not defined"
    magnitude = abs(value)
    if magnitude >= 1000:
        text = f"{value:,.0f}".replace(",", "\u2009")
    elif magnitude >= 100:
        text = f"{value:.0f}"
    elif magnitude >= 1:
        text = f"{value:.2f}".rstrip("0").rstrip(".")
    elif magnitude == 0:
        text = "0"
    else:
        text = f"{value:.2g}" if magnitude < 0.01 else f"{value:.2f}"
    return f"{text} {unit}".strip() if unit else text


def describe(feature: str, value: float) -> str:
    """``"Brightness: share of energy above 1 500 Hz = 0.41"``."""
    info = feature_info(feature)
    return f"{info.label}: {info.meaning} = {format_value(float(value), info.unit)}"


def family_rows() -> list[dict[str, str]]:
    """One row per feature (label, meaning, unit, family title, column) for a glossary table."""
    return [
        {
            "feature": info.label,
            "what it measures": info.meaning,
            "unit": info.unit or "—",
            "family": FAMILIES[info.family][0],
            "column": name,
        }
        for name, info in FEATURE_INFO.items()
    ]
