"""Emotion tags in audio files: ``write_tags`` / ``read_tags`` with mutagen.

Three tags (names in :mod:`turkmood.constants`, the same in every format) record a verdict:
``TURKMOOD_EMOTION`` (the predicted class), ``TURKMOOD_CONFIDENCE`` (its probability, 4 decimals)
and ``TURKMOOD_MODEL`` (the model version). Where they go, by the file's *content* (not its name):

* MP3 — ID3v2 ``TXXX`` frames (UTF-8) with those descriptions; an existing ID3v2.3 tag stays 2.3,
  anything else is saved as 2.4 (mutagen's default).
* WAV and AIFF — the same ID3v2 ``TXXX`` frames in an ``id3 `` chunk (the chunk mutagen, TagLib,
  foobar2000 and Mp3tag read; players that only know RIFF ``LIST/INFO`` ignore it). libsndfile, and
  so :func:`turkmood.audio.load_audio`, decodes the tagged file to the same samples.
* FLAC, Ogg Vorbis and Ogg Opus — Vorbis comment fields.
* M4A / MP4 — freeform atoms ``----:com.turkmood:TURKMOOD_EMOTION`` etc. (UTF-8).

Anything else (Ogg FLAC, Speex, WMA, ...) or a file mutagen cannot parse raises
:class:`turkmood.errors.TagError`. Only tag metadata changes: the audio frames/packets are not
re-encoded (mutagen may move them when a tag block grows, and renumbers Ogg pages, but the decoded
samples are identical; the tests check this per format). The tagged file is written to a temporary
copy beside the original and moved over it at once, so an interrupted write never leaves a
half-written file; the replaced file is a new inode (hard links to the old one keep the old bytes).
Tags already holding the same values are left alone (the file is not rewritten).
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import mutagen
from mutagen.aiff import AIFF
from mutagen.flac import FLAC
from mutagen.id3 import TXXX, Encoding
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4, AtomDataType, MP4FreeForm
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE

from turkmood.batch_run import read_results_csv
from turkmood.constants import (
    CLASSES,
    TAG_CONFIDENCE,
    TAG_CONFIDENCE_DIGITS,
    TAG_EMOTION,
    TAG_KEYS,
    TAG_MODEL,
    TAG_MP4_MEAN,
)
from turkmood.errors import TagError
from turkmood.results import neutralise_formula

#: mutagen class → (format name, tag scheme) of every supported format.
_FORMATS: dict[type, tuple[str, str]] = {
    MP3: ("MP3", "ID3v2 TXXX"),
    WAVE: ("WAV", "ID3v2 TXXX"),
    AIFF: ("AIFF", "ID3v2 TXXX"),
    FLAC: ("FLAC", "Vorbis comment"),
    OggVorbis: ("Ogg Vorbis", "Vorbis comment"),
    OggOpus: ("Ogg Opus", "Vorbis comment"),
    MP4: ("MP4", "MP4 freeform"),
}
_ID3_TYPES = (MP3, WAVE, AIFF)
_SUPPORTED = "MP3, WAV, AIFF, FLAC, Ogg Vorbis, Opus, M4A/MP4"


@dataclass(frozen=True)
class TagWrite:
    """What :func:`write_tags` did (or, with ``dry_run``, would do) to one file.

    ``tags`` maps each key *as stored in the file* (e.g. ``TXXX:TURKMOOD_EMOTION``,
    ``TURKMOOD_EMOTION``, ``----:com.turkmood:TURKMOOD_EMOTION``) to its value. ``unchanged``:
    the file already held these values, so nothing needed writing. ``written``: the file changed.
    """

    path: Path
    format: str
    scheme: str
    tags: dict[str, str]
    written: bool
    unchanged: bool
    dry_run: bool


def tag_values(emotion: str, confidence: float, model_version: str) -> dict[str, str]:
    """The three tag values of a verdict, checked; :class:`TagError` on a bad value."""
    if emotion not in CLASSES:
        raise TagError(f"cannot tag emotion {emotion!r}: expected one of {', '.join(CLASSES)}")
    try:
        conf = float(confidence)
    except (TypeError, ValueError):
        raise TagError(f"cannot tag confidence {confidence!r}: not a number") from None
    if not (math.isfinite(conf) and 0.0 <= conf <= 1.0):
        raise TagError(f"cannot tag confidence {confidence!r}: must be between 0 and 1")
    version = str(model_version).strip()
    if not version or any(ch in version for ch in "\r\n\x00"):
        raise TagError(f"cannot tag model version {model_version!r}: empty or multi-line")
    return {
        TAG_EMOTION: emotion,
        TAG_CONFIDENCE: f"{conf:.{TAG_CONFIDENCE_DIGITS}f}",
        TAG_MODEL: version,
    }


def _open(path: Path) -> mutagen.FileType:
    """The mutagen object of a supported file; :class:`TagError` otherwise."""
    if not path.is_file():
        raise TagError(f"{path.name}: no such file")
    try:
        audio = mutagen.File(path, options=list(_FORMATS))
    except PermissionError:
        raise TagError(f"{path.name}: permission denied") from None
    except Exception as exc:  # mutagen parses untrusted bytes: any failure means "unreadable"
        raise TagError(f"{path.name}: cannot read its tags ({exc or type(exc).__name__})") from None
    if audio is None:
        raise TagError(f"{path.name}: not a taggable audio file (supported: {_SUPPORTED})")
    return audio


def _stored_key(audio: mutagen.FileType, key: str) -> str:
    """A tag key as the file's format stores it."""
    if isinstance(audio, _ID3_TYPES):
        return f"TXXX:{key}"
    if isinstance(audio, MP4):
        return f"----:{TAG_MP4_MEAN}:{key}"
    return key


def _read(audio: mutagen.FileType) -> dict[str, str]:
    """The TurkMood tags present in an opened file (first value of each)."""
    found: dict[str, str] = {}
    tags = audio.tags
    if tags is None:
        return found
    for key in TAG_KEYS:
        stored = _stored_key(audio, key)
        if stored not in tags:
            continue
        value = tags[stored]
        if isinstance(audio, _ID3_TYPES):
            value = value.text
        if not value:
            continue
        first = value[0]
        found[key] = bytes(first).decode("utf-8", "replace") if isinstance(audio, MP4) else first
    return found


def _set(audio: mutagen.FileType, values: dict[str, str]) -> None:
    """Put the values into the opened file's tags (creating the tag block if needed)."""
    if audio.tags is None:
        audio.add_tags()
    tags = audio.tags
    for key, value in values.items():
        stored = _stored_key(audio, key)
        if isinstance(audio, _ID3_TYPES):
            tags.delall(stored)
            tags.add(TXXX(encoding=Encoding.UTF8, desc=key, text=[value]))
        elif isinstance(audio, MP4):
            tags[stored] = [MP4FreeForm(value.encode("utf-8"), dataformat=AtomDataType.UTF8)]
        else:
            tags[key] = [value]


def _save(audio: mutagen.FileType, target: Path) -> None:
    """Save the tags into ``target`` (ID3v2.3 stays 2.3)."""
    if isinstance(audio, _ID3_TYPES):
        version = 3 if audio.tags.version[:2] == (2, 3) else 4
        audio.save(target, v2_version=version)
    else:
        audio.save(target)


def _replace_atomically(path: Path, edit: Callable[[Path], None]) -> None:
    """Copy ``path`` beside itself, run ``edit`` on the copy, then move the copy over ``path``."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    tmp = Path(name)
    try:
        shutil.copy2(path, tmp)
        edit(tmp)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def read_tags(path: str | Path) -> dict[str, str]:
    """The TurkMood tags of a file (``TURKMOOD_EMOTION`` → ``"happy"``, ...); only those present.

    Raises :class:`TagError` for a missing, unsupported or unreadable file.
    """
    return _read(_open(Path(path)))


def write_tags(
    path: str | Path,
    emotion: str,
    confidence: float,
    model_version: str,
    *,
    dry_run: bool = False,
) -> TagWrite:
    """Write a verdict's emotion, confidence and model version into the file's tags.

    Other tags and the audio data are kept. With ``dry_run`` the file is only read, never
    written. Raises :class:`TagError` for a bad value or a file that cannot be tagged.
    """
    path = Path(path)
    values = tag_values(emotion, confidence, model_version)
    audio = _open(path)
    fmt, scheme = _FORMATS[type(audio)]
    unchanged = _read(audio) == values
    stored = {_stored_key(audio, k): v for k, v in values.items()}
    if dry_run or unchanged:
        return TagWrite(path, fmt, scheme, stored, False, unchanged, dry_run)
    _set(audio, values)
    try:
        _replace_atomically(path, lambda tmp: _save(audio, tmp))
    except PermissionError:
        raise TagError(f"{path.name}: permission denied (cannot write its folder)") from None
    except OSError as exc:
        raise TagError(f"{path.name}: writing tags failed ({exc.strerror or exc})") from None
    except Exception as exc:  # a mutagen failure while saving; the original file is untouched
        raise TagError(f"{path.name}: writing tags failed ({exc or type(exc).__name__})") from None
    return TagWrite(path, fmt, scheme, stored, True, False, False)


@dataclass(frozen=True)
class TagOutcome:
    """One scored file of a batch: what was (or would be) written, or why tagging failed."""

    path: Path
    write: TagWrite | None
    error: str = ""


def tag_scored_files(
    results_csv: str | Path, paths: Sequence[str | Path], *, dry_run: bool = False
) -> list[TagOutcome]:
    """Write each scored file's verdict from a results CSV into the file's own tags.

    Only ``paths`` with a successful row (no ``error``, a ``predicted`` class) are tagged, in the
    CSV's row order; the row's ``predicted``, ``confidence`` and ``model_version`` are used. A file
    that cannot be tagged gets its :class:`TagError` message in ``error``; the others go on.
    """
    header, rows = read_results_csv(Path(results_csv))
    needed = ("file", "predicted", "confidence", "error", "model_version")
    missing = [c for c in needed if c not in header]
    if missing:
        raise TagError(f"{results_csv} is not a results CSV (no {', '.join(missing)} column)")
    col = {c: header.index(c) for c in needed}
    by_name = {str(neutralise_formula(str(p))): Path(p) for p in paths}
    outcomes: list[TagOutcome] = []
    for row in rows:
        path = by_name.get(row[col["file"]])
        if path is None or row[col["error"]] or not row[col["predicted"]]:
            continue
        try:
            write = write_tags(
                path,
                row[col["predicted"]],
                row[col["confidence"]],
                row[col["model_version"]],
                dry_run=dry_run,
            )
        except TagError as exc:
            outcomes.append(TagOutcome(path, None, str(exc)))
        else:
            outcomes.append(TagOutcome(path, write))
    return outcomes
