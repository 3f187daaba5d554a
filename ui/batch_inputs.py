"""Batch uploads → a list of audio items: single files and the audio members of ZIP archives.

Nothing here draws anything (no Streamlit import), so it is tested directly. Archives are read
by :mod:`turkmood.archive` (never extracted to disk, zip-bomb guarded).
"""

from __future__ import annotations

from collections.abc import Sequence

from turkmood.archive import ZIP_TYPES, ArchiveError, AudioItem, is_zip, zip_items
from turkmood.batch import FileResult, bytes_sha256, log_result, score_source
from turkmood.errors import AudioError
from turkmood.learning.clip_store import keep_if_uncertain
from turkmood.model import LoadedModel

__all__ = [
    "ZIP_TYPES",
    "ArchiveError",
    "AudioItem",
    "collect_items",
    "is_zip",
    "score_item",
    "zip_items",
]


def collect_items(uploads: Sequence) -> tuple[list[AudioItem], list[str], list[str]]:
    """Audio items of all uploads (files with ``.name`` and ``.getvalue()``), notes and errors.

    An unusable archive becomes an error message and the other uploads still count.
    """
    items: list[AudioItem] = []
    notes: list[str] = []
    errors: list[str] = []
    for upload in uploads:
        if is_zip(upload.name):
            try:
                found, remarks = zip_items(upload.name, upload.getvalue())
            except ArchiveError as exc:
                errors.append(str(exc))
                continue
            items += found
            notes += remarks
        else:
            items.append(AudioItem(upload.name, upload.getvalue))
    return items, notes, errors


def score_item(item: AudioItem, model: LoadedModel) -> FileResult:
    """Load and score one item (logged with source ``batch``); a loading failure becomes the
    error of its row."""
    try:
        data = item.load()
    except AudioError as exc:
        return FileResult(item.name, None, str(exc))
    result = score_source(item.name, data, model, bytes_sha256(data))
    log_result(result, "batch")
    if result.analysis is not None:
        keep_if_uncertain(result.sha256, data, result.analysis.decision, result.analysis.is_ood)
    return result
