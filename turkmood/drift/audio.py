"""Audio-level drift: real signal changes applied to sample clips, features re-extracted.

Each transform takes a mono float signal at ``ANALYSIS_SR`` and returns the changed signal:

* ``noise`` — white Gaussian noise at a chosen signal-to-noise ratio (dB, over the whole excerpt);
* ``lowpass`` — Butterworth low-pass (order ``DRIFT_FILTER_ORDER``, zero-phase ``sosfiltfilt``);
* ``telephone`` — Butterworth band-pass over ``TELEPHONE_BAND_HZ`` (300-3400 Hz);
* ``gain`` — level change in dB, clipped to [-1, 1] like a fixed-point file would be;
* ``tempo`` — ``librosa.effects.time_stretch`` (rate > 1 is faster), pitch unchanged;
* ``mp3`` — MP3 re-encoding by libsndfile at compression level ``DRIFT_MP3_COMPRESSION``
  (~36 kbit/s VBR); skipped with a reason when this libsndfile cannot write MP3.

Extraction costs ~0.5 s per 10 s excerpt, so the page works on a few excerpts and caches each
(clip, transform, intensity) separately.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import soundfile as sf
from scipy import signal

from turkmood.constants import (
    CLASSES,
    DRIFT_EXCERPT_S,
    DRIFT_FILTER_ORDER,
    DRIFT_MP3_COMPRESSION,
    FEATURE_NAMES,
    SAMPLES_DIR,
    TELEPHONE_BAND_HZ,
)
from turkmood.errors import AudioError

#: Audio transform keys in display order.
AUDIO_SCENARIOS: tuple[str, ...] = ("noise", "lowpass", "telephone", "gain", "tempo", "mp3")


@dataclass(frozen=True)
class AudioScenarioConfig:
    """Intensities of the audio transforms (the UI sliders)."""

    snr_db: float = 10.0
    lowpass_hz: float = 3000.0
    gain_db: float = -12.0
    tempo_rate: float = 1.15

    def parameter(self, key: str) -> float | None:
        """The intensity used by transform ``key`` (None for fixed transforms)."""
        return {
            "noise": self.snr_db,
            "lowpass": self.lowpass_hz,
            "gain": self.gain_db,
            "tempo": self.tempo_rate,
        }.get(key)


@dataclass(frozen=True)
class SampleClip:
    """A sample clip: file, intended emotion (label) and its excerpt signal."""

    name: str
    label: str | None
    y: np.ndarray


def add_noise(y: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """Add white Gaussian noise so that signal power / noise power = ``snr_db`` dB."""
    power = float(np.mean(y**2))
    noise = rng.standard_normal(y.size) * np.sqrt(power / 10 ** (snr_db / 10))
    return y + noise


def low_pass(y: np.ndarray, sr: int, cutoff_hz: float) -> np.ndarray:
    """Zero-phase Butterworth low-pass at ``cutoff_hz``."""
    sos = signal.butter(DRIFT_FILTER_ORDER, cutoff_hz, btype="lowpass", fs=sr, output="sos")
    return signal.sosfiltfilt(sos, y)


def band_pass(y: np.ndarray, sr: int, low_hz: float, high_hz: float) -> np.ndarray:
    """Zero-phase Butterworth band-pass between ``low_hz`` and ``high_hz``."""
    sos = signal.butter(
        DRIFT_FILTER_ORDER, [low_hz, high_hz], btype="bandpass", fs=sr, output="sos"
    )
    return signal.sosfiltfilt(sos, y)


def change_gain(y: np.ndarray, gain_db: float) -> np.ndarray:
    """Scale by ``gain_db`` dB and clip to [-1, 1]."""
    return np.clip(y * 10 ** (gain_db / 20), -1.0, 1.0)


def change_tempo(y: np.ndarray, rate: float) -> np.ndarray:
    """Time-stretch by ``rate`` (phase vocoder, pitch kept)."""
    import librosa  # heavy import, only needed here

    return np.asarray(librosa.effects.time_stretch(y, rate=rate), dtype=np.float64)


def mp3_unavailable_reason() -> str | None:
    """Why the MP3 scenario cannot run here, or None when libsndfile can write MP3."""
    if "MP3" not in sf.available_formats():
        return "this libsndfile build cannot write MP3 (needs libsndfile >= 1.1 with LAME)"
    return None


def reencode_mp3(y: np.ndarray, sr: int) -> np.ndarray:
    """Encode to MP3 at low quality and decode again (mono float64)."""
    reason = mp3_unavailable_reason()
    if reason:
        raise AudioError(f"MP3 re-encoding unavailable: {reason}")
    buffer = io.BytesIO()
    sf.write(
        buffer,
        np.clip(y, -1.0, 1.0),
        sr,
        format="MP3",
        subtype="MPEG_LAYER_III",
        compression_level=DRIFT_MP3_COMPRESSION,
    )
    buffer.seek(0)
    decoded, _ = sf.read(buffer, dtype="float64", always_2d=True)
    return decoded.mean(axis=1)


def describe(key: str, config: AudioScenarioConfig) -> str:
    """Short human description of transform ``key`` at the configured intensity."""
    low, high = TELEPHONE_BAND_HZ
    return {
        "noise": f"White noise at {config.snr_db:g} dB SNR",
        "lowpass": f"Low-pass at {config.lowpass_hz:g} Hz",
        "telephone": f"Telephone band {low:g}-{high:g} Hz",
        "gain": f"Gain {config.gain_db:+g} dB (clipped to ±1)",
        "tempo": f"Tempo ×{config.tempo_rate:g} (pitch kept)",
        "mp3": f"MP3 re-encoding (libsndfile level {DRIFT_MP3_COMPRESSION:g}, ~36 kbit/s)",
    }[key]


def transform(
    key: str, y: np.ndarray, sr: int, parameter: float | None, seed: int | Sequence[int]
) -> np.ndarray:
    """Apply audio transform ``key`` with its intensity ``parameter`` (seeded noise)."""
    actions: dict[str, Callable[[], np.ndarray]] = {
        "noise": lambda: add_noise(y, float(parameter), np.random.default_rng(seed)),
        "lowpass": lambda: low_pass(y, sr, float(parameter)),
        "telephone": lambda: band_pass(y, sr, *TELEPHONE_BAND_HZ),
        "gain": lambda: change_gain(y, float(parameter)),
        "tempo": lambda: change_tempo(y, float(parameter)),
        "mp3": lambda: reencode_mp3(y, sr),
    }
    if key not in actions:
        raise ValueError(f"unknown audio transform {key!r}; expected one of {AUDIO_SCENARIOS}")
    return actions[key]()


def read_samples(samples_dir: Path = SAMPLES_DIR) -> list[dict]:
    """Entries (file, emotion, ...) of ``samples.json``; AudioError when it is missing."""
    path = Path(samples_dir) / "samples.json"
    try:
        return json.loads(path.read_text())["samples"]
    except (OSError, KeyError, json.JSONDecodeError) as exc:
        raise AudioError(f"sample clip list {path} is missing or unreadable: {exc}") from exc


def pick_samples(entries: list[dict], n: int) -> list[dict]:
    """``n`` entries taken round-robin over the emotions (CLASSES order), so 4 = one each."""
    by_class = {c: [e for e in entries if e.get("emotion") == c] for c in CLASSES}
    picked: list[dict] = []
    while len(picked) < min(n, len(entries)):
        before = len(picked)
        for c in CLASSES:
            if by_class[c] and len(picked) < n:
                picked.append(by_class[c].pop(0))
        if len(picked) == before:
            break
    return picked


def excerpt(y: np.ndarray, sr: int, seconds: float = DRIFT_EXCERPT_S) -> np.ndarray:
    """The central ``seconds`` of ``y`` (the whole signal if shorter)."""
    n = int(round(seconds * sr))
    if y.size <= n:
        return y
    start = (y.size - n) // 2
    return y[start : start + n]


def features_frame(rows: dict[str, dict[str, float]]) -> pd.DataFrame:
    """Clip name -> feature dict, as a frame in FEATURE_NAMES column order."""
    return pd.DataFrame.from_dict(rows, orient="index")[list(FEATURE_NAMES)]


def standardised_shift(
    original: pd.DataFrame, changed: pd.DataFrame, reference_sd: pd.Series
) -> pd.DataFrame:
    """Per clip and feature: (changed - original) / training SD of the feature."""
    cols = list(FEATURE_NAMES)
    return (changed[cols] - original[cols]) / reference_sd[cols]
