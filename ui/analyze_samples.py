"""The bundled sample clips and the model's recorded answers on them (pure, no Streamlit).

Three groups, each with its own index in the samples folder:

* **music** (``music/music.json``): recordings not made for TurkMood, each with the emotion a
  person gave it and how (a composer's title word, a person's mapping of a mood word), its
  credit and licence;
* **designed** (``designed/designed.json``): synthetic clips whose *features* were searched to
  sit among one emotion's training songs (``sample_audios/make_designed.py``);
* **synthetic** (``samples.json``): the hand-designed synthetic clips, each made to express an
  emotion.

``verdicts.json`` holds what the bundled default model answered on every clip
(``sample_audios/record_verdicts.py``), shown next to the picker so nobody is surprised.

When ``samples.json`` is missing or unreadable the audio files of the folder are listed instead,
with the emotion taken from the file name's first word when it is one of the four classes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from turkmood.constants import (
    AUDIO_EXTENSIONS,
    CLASSES,
    SAMPLES_DESIGNED_INDEX,
    SAMPLES_DIR,
    SAMPLES_INDEX,
    SAMPLES_MUSIC_INDEX,
    SAMPLES_VERDICTS,
)

#: Emotion shown for a clip whose emotion is not known.
UNKNOWN_EMOTION = "other"
MUSIC, DESIGNED, SYNTHETIC = "music", "designed", "synthetic"
#: Group order in the picker and the words that prefix a clip's name there.
GROUPS: dict[str, str] = {
    MUSIC: "Music",
    DESIGNED: "Synthetic, feature-designed",
    SYNTHETIC: "Synthetic, hand-designed",
}
#: One word per group for the table of recorded answers.
KINDS: dict[str, str] = {MUSIC: "music", DESIGNED: "designed", SYNTHETIC: "synthetic"}
#: Music clips with the most direct label first (a composer's own word before a mapping).
LABEL_SOURCE_ORDER = (
    "composer's title",
    "mapping of the composer's title",
    "mapping of a generation mood word",
)
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
class Record:
    """What a model answered on a clip when ``sample_audios/record_verdicts.py`` last ran."""

    predicted: str
    confidence: float
    decision: str
    ood: bool
    model_version: str
    measured: str


@dataclass(frozen=True)
class Sample:
    """One bundled clip."""

    path: Path
    emotion: str
    description: str = ""
    duration_s: float | None = None
    group: str = SYNTHETIC
    #: Who gave the emotion and on what basis, in one sentence.
    provenance: str = ""
    #: Origin, author and licence, in one line ("" for the project's own CC0 clips).
    credit: str = ""
    label_source: str = ""
    record: Record | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        """``"Music · sad — “Sad” by … (30 s)"`` for the picker."""
        text = f"{GROUPS.get(self.group, self.group)} · {self.emotion} — "
        text += self.description or self.path.stem
        if self.duration_s:
            text += f" ({self.duration_s:.0f} s)"
        return text

    def key(self, folder: Path | None = None) -> str:
        """The clip's path relative to the samples folder (the key of ``verdicts.json``)."""
        folder = Path(folder) if folder is not None else SAMPLES_DIR
        try:
            return self.path.relative_to(folder).as_posix()
        except ValueError:
            return self.path.name


def audio_mime(name: str) -> str:
    """MIME type for an audio file name (``audio/wav`` when the extension is unknown)."""
    return _MIME.get(Path(name).suffix.lower(), "audio/wav")


def _order(sample: Sample) -> tuple[int, int, int, str]:
    group = list(GROUPS).index(sample.group) if sample.group in GROUPS else len(GROUPS)
    source = (
        LABEL_SOURCE_ORDER.index(sample.label_source)
        if sample.label_source in LABEL_SOURCE_ORDER
        else len(LABEL_SOURCE_ORDER)
    )
    rank = CLASSES.index(sample.emotion) if sample.emotion in CLASSES else len(CLASSES)
    return group, source, rank, sample.path.name


def _duration(entry: dict) -> float | None:
    value = entry.get("duration_s")
    return float(value) if isinstance(value, (int, float)) else None


def _emotion(entry: dict) -> str:
    emotion = str(entry.get("emotion", UNKNOWN_EMOTION))
    return emotion if emotion in CLASSES else UNKNOWN_EMOTION


def _music_credit(entry: dict) -> str:
    parts = [str(entry.get("origin", "")).strip()]
    year = entry.get("year")
    author = str(entry.get("author", "")).strip()
    if entry.get("made_by") == "human" and author:
        title = str(entry.get("title", "")).strip()
        parts = [f"\u201c{title}\u201d by {author}" + (f", \u00a9 {year}" if year else "")]
        parts.append(str(entry.get("origin", "")).strip())
    parts.append(f"licence: {entry.get('licence', 'not stated')}")
    if entry.get("processing"):
        parts.append(str(entry["processing"]))
    return "; ".join(p for p in parts if p)


def _entries(index_path: Path) -> list[dict]:
    entries = json.loads(index_path.read_text(encoding="utf-8")).get("samples", [])
    return [e for e in entries if isinstance(e, dict) and "file" in e]


def _music(index_path: Path) -> list[Sample]:
    folder = index_path.parent
    return [
        Sample(
            path=folder / str(e["file"]),
            emotion=_emotion(e),
            description=str(e.get("description", "")),
            duration_s=_duration(e),
            group=MUSIC,
            provenance=str(e.get("label_provenance", "")),
            credit=_music_credit(e),
            label_source=str(e.get("label_source", "")),
        )
        for e in _entries(index_path)
    ]


def _made_by_code(
    index_path: Path, folder: Path, group: str, label_source: str, provenance: Callable[[str], str]
) -> list[Sample]:
    """The clips of an index of clips made by TurkMood's code (designed or synthetic)."""
    samples = []
    for e in _entries(index_path):
        emotion = _emotion(e)
        samples.append(
            Sample(
                path=folder / str(e["file"]),
                emotion=emotion,
                description=str(e.get("description", "")),
                duration_s=_duration(e),
                group=group,
                provenance=provenance(emotion),
                label_source=label_source,
            )
        )
    return samples


def _designed_provenance(emotion: str) -> str:
    return (
        "Not music by anyone: made by TurkMood's code. A search over synthesis "
        "settings put its 50 measured features close to the training songs "
        f"labelled {emotion} (the features steered the search, never the model's "
        "answers). It shows what the model has learnt to associate with "
        f"{emotion}, not what {emotion} music sounds like."
    )


def _synthetic_provenance(emotion: str) -> str:
    if emotion not in CLASSES:
        return "Synthesised by TurkMood's code."
    return (
        "Not music by anyone: synthesised by TurkMood's code, by hand-chosen "
        f"settings meant to sound {emotion}. That is a design intention, "
        "not a listener's rating."
    )


def _designed(index_path: Path) -> list[Sample]:
    return _made_by_code(
        index_path, index_path.parent, DESIGNED, "design target", _designed_provenance
    )


def _synthetic(index_path: Path, folder: Path) -> list[Sample]:
    return _made_by_code(index_path, folder, SYNTHETIC, "design intention", _synthetic_provenance)


def _from_folder(folder: Path) -> list[Sample]:
    samples = []
    for path in sorted(folder.glob("*")):
        if path.suffix.lower() in AUDIO_EXTENSIONS and path.is_file():
            word = path.stem.split("_")[0].lower()
            samples.append(Sample(path, word if word in CLASSES else UNKNOWN_EMOTION))
    return samples


def _read(reader, *args) -> list[Sample]:
    """A group's samples whose file exists; [] when its index is missing or unreadable."""
    try:
        return [s for s in reader(*args) if s.path.is_file()]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []


def read_records(folder: Path) -> dict[str, Record]:
    """``verdicts.json`` of ``folder`` as {relative path: Record}; {} when missing or unreadable."""
    try:
        data = json.loads((folder / SAMPLES_VERDICTS).read_text(encoding="utf-8"))
        version, measured = str(data["model_version"]), str(data["measured_utc"])
        return {
            str(key): Record(
                predicted=str(v["predicted"]),
                confidence=float(v["confidence"]),
                decision=str(v["decision"]),
                ood=bool(v["ood"]),
                model_version=version,
                measured=measured,
            )
            for key, v in data["clips"].items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def list_samples(folder: Path | None = None, index_path: Path | None = None) -> list[Sample]:
    """Sample clips, music first, then the feature-designed and the hand-designed synthetic
    clips; within a group by label source, emotion (CLASSES order) and file name. [] when none.

    ``folder`` defaults to SAMPLES_DIR and ``index_path`` (the synthetic clips' index) to its
    ``samples.json``. Each sample carries its recorded model answer when ``verdicts.json`` has
    one.
    """
    folder = Path(folder) if folder is not None else SAMPLES_DIR
    index_path = Path(index_path) if index_path is not None else folder / SAMPLES_INDEX.name
    synthetic = _read(_synthetic, index_path, folder) if index_path.is_file() else []
    if not synthetic and folder.is_dir():
        synthetic = _from_folder(folder)
    samples = [
        *_read(_music, folder / SAMPLES_MUSIC_INDEX),
        *_read(_designed, folder / SAMPLES_DESIGNED_INDEX),
        *synthetic,
    ]
    records = read_records(folder)
    samples = [replace(s, record=records.get(s.key(folder))) for s in samples]
    return sorted(samples, key=_order)


def record_text(sample: Sample, current_version: str | None = None) -> str:
    """The recorded answer on ``sample`` in plain sentences, compared with its label (not
    escaped: the page escapes it)."""
    record = sample.record
    if record is None:
        return "No recorded answer of the model on this clip yet."
    if record.decision == record.predicted:
        said = f"{record.predicted}, accepted (probability {record.confidence:.2f})"
        if sample.emotion not in CLASSES:
            verdict = ""
        elif record.predicted == sample.emotion:
            verdict = " That agrees with the label."
        else:
            verdict = f" That disagrees with the label ({sample.emotion}): a confident miss."
    else:
        said = (
            f"{record.decision} (most likely {record.predicted}, probability "
            f"{record.confidence:.2f}, below the bar for an answer)"
        )
        verdict = " No answer is given, so it is neither right nor wrong."
    text = f"The model {record.model_version} said: {said}.{verdict}"
    if record.ood:
        text += " The clip was flagged as unlike the training music."
    text += f" (Recorded {record.measured}.)"
    if current_version and current_version != record.model_version:
        text += (
            f" The model selected now ({current_version}) is another one and may answer "
            "differently: its live result is below."
        )
    return text


def record_rows(samples: list[Sample]) -> list[dict[str, object]]:
    """One row per sample for the "recorded answers" table of the picker (what a class compares
    first — the label and the model's answer — leftmost)."""
    return [
        {
            "kind": KINDS.get(s.group, s.group),
            "clip": s.description or s.path.stem,
            "label": s.emotion,
            "model said": s.record.decision if s.record else "not recorded",
            "probability": round(s.record.confidence, 2) if s.record else None,
            "most likely": s.record.predicted if s.record else "",
            "unlike training music": s.record.ood if s.record else None,
            "label from": s.label_source or "file name",
        }
        for s in samples
    ]
