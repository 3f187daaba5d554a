"""The bundled training table: load, validate, de-duplicate, hash.

The table is the UCI "Turkish Music Emotion" dataset (CC BY 4.0, see ``data/README.md``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from turkmood.constants import CLASSES, DATA_PATH, FEATURE_NAMES, LABEL_COLUMN
from turkmood.errors import TableError


@dataclass(frozen=True)
class TrainingData:
    """De-duplicated features ``X`` (50 columns), labels ``y`` and provenance."""

    X: pd.DataFrame
    y: pd.Series
    n_raw_rows: int
    n_duplicates_removed: int
    sha256: str


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def validate_training_frame(df: pd.DataFrame) -> None:
    """Raise :class:`TableError` unless ``df`` has the label and the 50 numeric feature columns."""
    expected = [LABEL_COLUMN, *FEATURE_NAMES]
    missing = [c for c in expected if c not in df.columns]
    extra = [c for c in df.columns if c not in expected]
    if missing or extra:
        raise TableError(f"training table columns differ: missing {missing}, unexpected {extra}")
    bad_labels = sorted(set(df[LABEL_COLUMN].astype(str)) - set(CLASSES))
    if bad_labels:
        raise TableError(f"unknown class labels {bad_labels}; expected {list(CLASSES)}")
    numeric = df[list(FEATURE_NAMES)].apply(pd.to_numeric, errors="coerce")
    if numeric.isna().any().any():
        cols = numeric.columns[numeric.isna().any()].tolist()
        raise TableError(f"non-numeric or missing values in {cols}")


def _deduplicated(raw: pd.DataFrame) -> pd.DataFrame:
    """The rows kept for training: exact duplicates (features + label) dropped, first kept."""
    return raw.drop_duplicates()


def training_row_numbers(path: str | Path = DATA_PATH) -> list[int]:
    """For each row of :func:`load_training_data` (in order), its 1-based data-row number in
    the CSV file — the numbering the Analyze page uses ("row 1" is the first song)."""
    return [int(i) + 1 for i in _deduplicated(pd.read_csv(path)).index]


def load_training_data(path: str | Path = DATA_PATH) -> TrainingData:
    """Load the training table, validate it and drop exact duplicate rows (features + label)."""
    raw = pd.read_csv(path)
    validate_training_frame(raw)
    deduped = _deduplicated(raw).reset_index(drop=True)
    X = deduped[list(FEATURE_NAMES)].astype(float)
    y = deduped[LABEL_COLUMN].astype(str)
    return TrainingData(
        X=X,
        y=y,
        n_raw_rows=len(raw),
        n_duplicates_removed=len(raw) - len(deduped),
        sha256=file_sha256(path),
    )
