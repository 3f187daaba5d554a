"""The audio of uncertain clips, kept once per content hash for the label queue's player.

Only clips the model was unsure about (a "review" decision or out of distribution) are kept,
each once whatever how often it is analysed, under ``TURKMOOD_HOME/clips/<sha256>``; past
CLIP_STORE_MAX_BYTES the oldest are removed. ``TURKMOOD_KEEP_AUDIO=0`` keeps nothing. A file is
found only by a 64-hex-digit hash, never by a name or path a user gave.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from turkmood.constants import CLIP_STORE_MAX_BYTES, CLIPS_DIR_NAME, KEEP_AUDIO_ENV
from turkmood.home import state_path

__all__ = ["clip_bytes", "keep_clip", "keep_if_uncertain", "keeping_audio"]

_HASH = re.compile(r"^[0-9a-f]{64}$")


def keeping_audio() -> bool:
    """False when ``TURKMOOD_KEEP_AUDIO`` is 0/false/no/off."""
    return os.environ.get(KEEP_AUDIO_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def _folder() -> Path:
    return state_path(CLIPS_DIR_NAME)


def _evict(folder: Path, limit: int) -> None:
    """Remove the oldest kept clips until the folder holds at most ``limit`` bytes."""
    files = sorted(
        (p for p in folder.iterdir() if _HASH.match(p.name)), key=lambda p: p.stat().st_mtime
    )
    total = sum(p.stat().st_size for p in files)
    for path in files:
        if total <= limit:
            break
        total -= path.stat().st_size
        path.unlink(missing_ok=True)


def keep_clip(clip_hash: str, data: bytes, limit: int = CLIP_STORE_MAX_BYTES) -> bool:
    """Keep ``data`` under its hash (once); True when it is (now) kept. Never raises on I/O."""
    if not keeping_audio() or not _HASH.match(clip_hash or "") or len(data) > limit:
        return False
    folder = _folder()
    path = folder / clip_hash
    try:
        if path.is_file():
            os.utime(path)  # recently seen: evicted last
            return True
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{clip_hash}.{os.getpid()}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, path)
        _evict(folder, limit)
        return path.is_file()
    except OSError:
        return False


def clip_bytes(clip_hash: str) -> bytes | None:
    """The kept audio of a clip, or None."""
    if not _HASH.match(clip_hash or ""):
        return None
    path = _folder() / clip_hash
    try:
        return path.read_bytes()
    except OSError:
        return None


def keep_if_uncertain(clip_hash: str, data: bytes, decision: str, is_ood: bool) -> bool:
    """Keep the clip when the model was unsure (a "review" decision) or it is unlike training."""
    from turkmood.decision import is_uncertain

    if not (is_uncertain(decision) or is_ood):
        return False
    return keep_clip(clip_hash, data)
