"""The bundled sample clips: read ``sample_audios/samples.json`` (pure, no Streamlit).

When the index is missing or unreadable the audio files of the folder are listed instead, with
the emotion taken from the file name's first word when it is one of the four classes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from turkmood.constants import AUDIO_EXTENSIONS, CLASSES, SAMPLES_DIR, SAMPLES_INDEX

#: Emotion shown for a clip whose emotion is not known.
UNKNOWN_EMOTION = "other"
_MIME = {
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/ogg",
    ".mp3": "audio/mpeg",
    ".aif": "audio/aiff",
    ".aiff": "audio/aiff",
    ".aifc": "audio/aiff",
    ".m4a": "audio/mp4",
    ".aac": "audio/aac",
}


@dataclass(frozen=True)
class Sample:
    """One bundled clip."""

    path: Path
    emotion: str
    description: str = ""
    duration_s: float | None = None

    @property
    def label(self) -> str:
        """``"happy — Rast on G, … (30 s)"`` for the picker."""
        text = f"{self.emotion} — {self.description or self.path.stem}"
        if self.duration_s:
            text += f" ({self.duration_s:.0f} s)"
        return text


def audio_mime(name: str) -> str:
    """MIME type for an audio file name (``audio/wav`` when the extension is unknown)."""
    return _MIME.get(Path(name).suffix.lower(), "audio/wav")


def _emotion_order(sample: Sample) -> tuple[int, str]:
    rank = CLASSES.index(sample.emotion) if sample.emotion in CLASSES else len(CLASSES)
    return rank, sample.path.name


def _from_index(index_path: Path, folder: Path) -> list[Sample]:
    entries = json.loads(index_path.read_text()).get("samples", [])
    samples = []
    for entry in entries:
        path = folder / str(entry["file"])
        if not path.is_file():
            continue
        emotion = str(entry.get("emotion", UNKNOWN_EMOTION))
        duration = entry.get("duration_s")
        samples.append(
            Sample(
                path=path,
                emotion=emotion if emotion in CLASSES else UNKNOWN_EMOTION,
                description=str(entry.get("description", "")),
                duration_s=float(duration) if isinstance(duration, (int, float)) else None,
            )
        )
    return samples


def _from_folder(folder: Path) -> list[Sample]:
    samples = []
    for path in sorted(folder.glob("*")):
        if path.suffix.lower() in AUDIO_EXTENSIONS and path.is_file():
            word = path.stem.split("_")[0].lower()
            samples.append(Sample(path, word if word in CLASSES else UNKNOWN_EMOTION))
    return samples


def list_samples(folder: Path | None = None, index_path: Path | None = None) -> list[Sample]:
    """Sample clips grouped by emotion (CLASSES order, then file name); [] when none exist.

    ``folder`` defaults to SAMPLES_DIR and ``index_path`` to its ``samples.json``.
    """
    folder = Path(folder) if folder is not None else SAMPLES_DIR
    index_path = Path(index_path) if index_path is not None else folder / SAMPLES_INDEX.name
    samples: list[Sample] = []
    if index_path.is_file():
        try:
            samples = _from_index(index_path, folder)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            samples = []
    if not samples and folder.is_dir():
        samples = _from_folder(folder)
    return sorted(samples, key=_emotion_order)
