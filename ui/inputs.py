"""Turning what a user uploads into something the pages can score.

Two kinds of upload are accepted: feature tables (CSV in the UCI column format) and audio files.
:func:`is_audio` tells them apart; :func:`features_from_upload` reads a table, and audio goes
through :func:`ui.resources.analyze_audio` (``turkmood.analyze.analyze``).
"""

from __future__ import annotations

from pathlib import PurePath

from turkmood.constants import AUDIO_EXTENSIONS
from turkmood.errors import TableError
from turkmood.tables import FeatureTable, read_feature_table

#: Extensions (without the dot) of feature tables and of audio files.
TABLE_TYPES: tuple[str, ...] = ("csv",)
AUDIO_TYPES: tuple[str, ...] = tuple(sorted(e.lstrip(".") for e in AUDIO_EXTENSIONS))
#: Everything the uploaders accept.
UPLOAD_TYPES: tuple[str, ...] = TABLE_TYPES + AUDIO_TYPES


def _suffix(name: str) -> str:
    return PurePath(name).suffix.lower().lstrip(".")


def is_audio(name: str) -> bool:
    """True when the file name has one of the supported audio extensions."""
    return _suffix(name) in AUDIO_TYPES


def features_from_upload(name: str, data: bytes) -> FeatureTable:
    """Validated features of an uploaded CSV; TableError with a readable message otherwise."""
    if _suffix(name) in TABLE_TYPES:
        return read_feature_table(data)
    raise TableError(f"{name!r} is not a feature table; upload a .csv file")


def row_names(table: FeatureTable, fallback_prefix: str) -> list[str]:
    """A display name per row: the table's ``file``/``name``/``id`` column, else ``prefix N``."""
    for column in ("file", "name", "id"):
        if column in table.meta.columns:
            return [str(v) for v in table.meta[column]]
    return [f"{fallback_prefix} {i + 1}" for i in range(len(table.features))]
