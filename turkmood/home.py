"""Where user state lives: the folder named by ``TURKMOOD_HOME``.

Feedback and labels, the prediction log, the MLflow store (SQLite + artifacts), trained models
and the audit log all live under one folder, so a user (or a container volume) can back it up,
move it or wipe it in one go. The bundled ``models/`` stay read-only and are never written here.

Default: ``$XDG_DATA_HOME/turkmood`` (``~/.local/share/turkmood``), outside any installed
package. Nothing under it is needed to run the app on the bundled model: every store is created
on first write and reads as empty while it does not exist.
"""

from __future__ import annotations

import os
from pathlib import Path

from turkmood.constants import HOME_ENV

__all__ = ["home_dir", "state_path"]


def home_dir() -> Path:
    """The user-state folder: ``$TURKMOOD_HOME`` if set, else the XDG data folder (not created)."""
    override = os.environ.get(HOME_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME", "").strip()
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "turkmood"


def state_path(name: str) -> Path:
    """A file or folder directly under the home (``name`` is one of the constants' file names)."""
    if not name or "/" in name or "\\" in name or name in {".", ".."}:
        raise ValueError(f"not a plain state name: {name!r}")
    return home_dir() / name
