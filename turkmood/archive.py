"""ZIP archives of audio files, read without extracting them to disk (zip-bomb guarded).

Members are listed from the archive's directory, checked against ``ZIP_MAX_MEMBERS``,
``ZIP_MAX_TOTAL_BYTES`` and ``ZIP_MAX_MEMBER_BYTES`` and read one at a time when needed, so at
most one decompressed member is in memory. Used by the Batch page and the API's batch jobs.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import PurePosixPath

from turkmood.constants import (
    AUDIO_EXTENSIONS,
    ZIP_MAX_DIRECTORY_BYTES,
    ZIP_MAX_ENTRIES,
    ZIP_MAX_MEMBER_BYTES,
    ZIP_MAX_MEMBERS,
    ZIP_MAX_TOTAL_BYTES,
)
from turkmood.errors import AudioError, TurkMoodError

__all__ = ["ZIP_TYPES", "ArchiveError", "AudioItem", "is_audio_name", "is_zip", "zip_items"]


def is_audio_name(name: str) -> bool:
    """True when the file name has one of the supported audio extensions."""
    return PurePosixPath(name).suffix.lower() in AUDIO_EXTENSIONS


ZIP_TYPES: tuple[str, ...] = ("zip",)
_MB = 1024**2


class ArchiveError(TurkMoodError):
    """A ZIP upload that cannot be used at all (unreadable, or beyond the size limits)."""


@dataclass(frozen=True)
class AudioItem:
    """One audio file to score: its display name and a loader for its bytes."""

    name: str
    load: Callable[[], bytes]


def is_zip(name: str) -> bool:
    """True when the upload name ends in .zip."""
    return PurePosixPath(name).suffix.lower().lstrip(".") in ZIP_TYPES


def _shown(names: list[str], limit: int = 5) -> str:
    return ", ".join(names[:limit]) + (" …" if len(names) > limit else "")


def _is_unsafe(member: str) -> bool:
    """A member path that is absolute or climbs out of the archive (``..``)."""
    path = PurePosixPath(member.replace("\\", "/"))
    return path.is_absolute() or ".." in path.parts


def _is_junk(member: str) -> bool:
    """macOS resource forks and hidden files that archivers add next to the real files."""
    parts = PurePosixPath(member).parts
    return any(p == "__MACOSX" or p.startswith(".") for p in parts)


_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"


def directory_size(data: bytes) -> tuple[int, int]:
    """``(entries, central directory bytes)`` announced by the archive's end record.

    Read from the last 64 KB before anything is parsed, so an archive of millions of empty
    entries is refused without building millions of ZipInfo objects. ``(0, 0)`` when no end
    record is found (zipfile then reports the archive as unreadable).
    """
    tail = data[-(65_535 + 22) :]
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        return 0, 0
    entries, size = struct.unpack_from("<HI", tail, at + 10)
    if entries == 0xFFFF or size == 0xFFFFFFFF:  # ZIP64: the real numbers are in its own record
        locator = tail.rfind(_ZIP64_LOCATOR, 0, at)
        if locator >= 0:
            (offset,) = struct.unpack_from("<Q", tail, locator + 8)
            if 0 <= offset <= len(data) - 56:
                entries, size = struct.unpack_from("<QQ", data, offset + 32)
    return int(entries), int(size)


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Decompress one member; AudioError (kept in that file's row) when it cannot be read."""
    try:
        if info.file_size > ZIP_MAX_MEMBER_BYTES:
            raise AudioError(
                f"The file is too large in the archive ({info.file_size / _MB:.0f} MB; "
                f"the limit is {ZIP_MAX_MEMBER_BYTES / _MB:.0f} MB)."
            )
        with archive.open(info) as handle:
            return handle.read()  # zipfile stops at the checked file_size
    except RuntimeError as exc:  # encrypted member
        raise AudioError(f"The file cannot be read from the archive: {exc}") from exc
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError) as exc:
        raise AudioError(f"The file is damaged in the archive: {exc}") from exc


def zip_items(name: str, data: bytes) -> tuple[list[AudioItem], list[str]]:
    """Audio members of the ZIP ``name`` as items (named ``name/member``) and notes.

    Directories, hidden files and non-audio names are skipped with a note. ArchiveError when
    the archive is unreadable or exceeds the entry-count, member-count or total-size limits.
    The items share one open ZipFile (its directory is parsed once, not once per member).
    """
    entries_announced, directory_bytes = directory_size(data)
    if entries_announced > ZIP_MAX_ENTRIES or directory_bytes > ZIP_MAX_DIRECTORY_BYTES:
        raise ArchiveError(
            f"{name} lists {entries_announced} entries ({directory_bytes / _MB:.1f} MB of "
            f"directory); at most {ZIP_MAX_ENTRIES} entries are accepted per archive."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:
        raise ArchiveError(f"{name} is not a readable ZIP archive ({exc}).") from exc
    if len(infos) > ZIP_MAX_ENTRIES:
        raise ArchiveError(
            f"{name} lists {len(infos)} entries; at most {ZIP_MAX_ENTRIES} are accepted per "
            "archive."
        )
    entries = [i for i in infos if not i.is_dir()]
    unsafe = [i.filename for i in entries if _is_unsafe(i.filename)]
    junk = [i.filename for i in entries if not _is_unsafe(i.filename) and _is_junk(i.filename)]
    files = [i for i in entries if not _is_unsafe(i.filename) and not _is_junk(i.filename)]
    audio = [i for i in files if is_audio_name(i.filename)]
    if len(audio) > ZIP_MAX_MEMBERS:
        raise ArchiveError(
            f"{name} holds {len(audio)} audio files; at most {ZIP_MAX_MEMBERS} are accepted "
            "per archive."
        )
    total = sum(i.file_size for i in audio)
    if total > ZIP_MAX_TOTAL_BYTES:
        raise ArchiveError(
            f"{name} would unpack to {total / _MB:.0f} MB of audio; the limit is "
            f"{ZIP_MAX_TOTAL_BYTES / _MB:.0f} MB."
        )
    notes = []
    if unsafe:
        notes.append(
            f"{name}: skipped {len(unsafe)} file(s) whose path leaves the archive "
            f"({_shown(unsafe)})."
        )
    if junk:
        notes.append(f"{name}: skipped {len(junk)} hidden or system file(s) ({_shown(junk)}).")
    others = [i.filename for i in files if not is_audio_name(i.filename)]
    if others:
        shown = ", ".join(others[:5]) + (" …" if len(others) > 5 else "")
        notes.append(f"{name}: ignored {len(others)} file(s) that are not audio ({shown}).")
    if not audio:
        notes.append(f"{name} contains no audio files.")
    items = [AudioItem(f"{name}/{i.filename}", partial(_read_member, archive, i)) for i in audio]
    return items, notes
