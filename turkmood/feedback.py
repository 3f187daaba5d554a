"""User feedback ("Was this right?") in a small SQLite store, exportable for retraining.

One row per answer: when, which clip, the model version, its prediction and probabilities, the
clip's 50 features (JSON), the emotion the user says is right and, only if the user asked for
it, a reference to the audio: the bytes go to the clip store (turkmood.learning.clip_store) once
per content hash, within its quota, so sending the same song five times keeps one copy. The
database is FEEDBACK_DB_NAME under TURKMOOD_HOME unless the FEEDBACK_DB_ENV environment variable
names another file; it is created on first use, runs in WAL mode (readers
never block the writer) and every query is parameterised. Several app sessions may write at the
same time: each write is one short transaction, and a writer waits up to
FEEDBACK_BUSY_TIMEOUT_S for another's lock before a FeedbackError is raised.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from turkmood.constants import (
    CLASSES,
    FEATURE_NAMES,
    FEEDBACK_BUSY_TIMEOUT_S,
    FEEDBACK_DB_ENV,
    FEEDBACK_DB_NAME,
    LABEL_COLUMN,
)
from turkmood.errors import TurkMoodError
from turkmood.home import state_path
from turkmood.results import to_csv_bytes


class FeedbackError(TurkMoodError):
    """The feedback store cannot be opened or written (locked, read-only, missing folder…)."""


_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_utc TEXT NOT NULL,
    clip_name TEXT NOT NULL,
    model_version TEXT NOT NULL,
    predicted TEXT NOT NULL,
    decision TEXT NOT NULL,
    confidence REAL NOT NULL,
    true_emotion TEXT NOT NULL,
    probabilities TEXT NOT NULL,
    features TEXT NOT NULL,
    audio BLOB,
    audio_sha256 TEXT
)
"""
#: Shared audio is kept once per content hash in the clip store (turkmood.learning.clip_store,
#: with its quota) and referenced by ``audio_sha256``; ``audio`` holds blobs of older stores only.
_MIGRATE = "ALTER TABLE feedback ADD COLUMN audio_sha256 TEXT"
_INSERT = (
    "INSERT INTO feedback (created_utc, clip_name, model_version, predicted, decision, "
    "confidence, true_emotion, probabilities, features, audio_sha256) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_SELECT = (
    "SELECT id, created_utc, clip_name, model_version, predicted, decision, confidence, "
    "true_emotion, probabilities, features, "
    "(audio IS NOT NULL OR audio_sha256 IS NOT NULL) AS has_audio "
    "FROM feedback ORDER BY id"
)
#: Columns of :func:`read_feedback` before the per-class and per-feature columns.
BASE_COLUMNS = [
    "id",
    "created_utc",
    "clip_name",
    "model_version",
    "predicted",
    "decision",
    "confidence",
    "true_emotion",
    "has_audio",
]


@dataclass(frozen=True)
class FeedbackRecord:
    """One answer to "Was this right?"."""

    clip_name: str
    model_version: str
    predicted: str
    decision: str
    confidence: float
    true_emotion: str
    probabilities: Mapping[str, float]
    features: Mapping[str, float]
    audio: bytes | None = None


def feedback_db_path() -> Path:
    """The database file: ``$TURKMOOD_FEEDBACK_DB`` when set, else FEEDBACK_DB_NAME in the home."""
    override = os.environ.get(FEEDBACK_DB_ENV, "").strip()
    return Path(override) if override else state_path(FEEDBACK_DB_NAME)


def _ensure_wal(connection: sqlite3.Connection) -> None:
    """Switch the file to WAL once (the mode persists in the file).

    Changing the journal mode needs an exclusive lock and SQLite does not wait on its busy
    handler for it, so two processes creating the store at once could get "database is
    locked"; the switch is retried until FEEDBACK_BUSY_TIMEOUT_S has passed.
    """
    deadline = time.monotonic() + FEEDBACK_BUSY_TIMEOUT_S
    while True:
        mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() == "wal":
            return
        try:
            connection.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _connect(path: Path) -> sqlite3.Connection:
    """Open (creating folder, file and table if needed) in WAL mode with a busy timeout."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=FEEDBACK_BUSY_TIMEOUT_S)
    try:
        _ensure_wal(connection)
        connection.execute(_SCHEMA)
        columns = {row[1] for row in connection.execute("PRAGMA table_info(feedback)")}
        if "audio_sha256" not in columns:
            connection.execute(_MIGRATE)
        connection.commit()
    except sqlite3.Error:
        connection.close()
        raise
    return connection


def _validate(record: FeedbackRecord) -> None:
    if record.true_emotion not in CLASSES:
        raise FeedbackError(f"unknown emotion {record.true_emotion!r}; expected one of {CLASSES}")
    missing = [f for f in FEATURE_NAMES if f not in record.features]
    if missing:
        raise FeedbackError(f"the record lacks {len(missing)} feature(s), e.g. {missing[0]}")


def save_feedback(
    record: FeedbackRecord, path: Path | None = None, now: datetime | None = None
) -> int:
    """Append one answer and return its row id; FeedbackError when it cannot be stored."""
    _validate(record)
    path = Path(path) if path is not None else feedback_db_path()
    created = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    audio_hash = None
    if record.audio:
        from turkmood.batch import bytes_sha256
        from turkmood.learning.clip_store import keep_clip

        digest = bytes_sha256(record.audio)
        audio_hash = digest if keep_clip(digest, record.audio) else None
    values = (
        created,
        record.clip_name,
        record.model_version,
        record.predicted,
        record.decision,
        float(record.confidence),
        record.true_emotion,
        json.dumps({c: float(record.probabilities[c]) for c in CLASSES}),
        json.dumps({f: float(record.features[f]) for f in FEATURE_NAMES}),
        audio_hash,
    )
    try:
        with closing(_connect(path)) as connection, connection:
            cursor = connection.execute(_INSERT, values)
            return int(cursor.lastrowid)
    except (sqlite3.Error, OSError) as exc:
        raise FeedbackError(f"feedback could not be saved: {exc}") from exc


def read_feedback(path: Path | None = None) -> pd.DataFrame:
    """Every stored answer (oldest first): BASE_COLUMNS, ``p_<class>`` and the 50 features.

    A store that does not exist yet reads as an empty table; an unreadable one raises
    FeedbackError.
    """
    path = Path(path) if path is not None else feedback_db_path()
    columns = BASE_COLUMNS + [f"p_{c}" for c in CLASSES] + list(FEATURE_NAMES)
    if not path.exists():
        return pd.DataFrame(columns=columns)
    try:
        with closing(_connect(path)) as connection:
            rows = connection.execute(_SELECT).fetchall()
    except (sqlite3.Error, OSError) as exc:
        raise FeedbackError(f"feedback could not be read: {exc}") from exc
    records = []
    for row in rows:
        *base, probabilities, features, has_audio = row
        entry = dict(zip(BASE_COLUMNS[:-1], base, strict=True))
        entry["has_audio"] = bool(has_audio)
        entry.update({f"p_{c}": v for c, v in json.loads(probabilities).items()})
        entry.update(json.loads(features))
        records.append(entry)
    return pd.DataFrame(records, columns=columns)


def read_audio(row_id: int, path: Path | None = None) -> bytes | None:
    """The audio stored with answer ``row_id`` (None when not shared, or evicted by the quota)."""
    path = Path(path) if path is not None else feedback_db_path()
    try:
        with closing(_connect(path)) as connection:
            row = connection.execute(
                "SELECT audio, audio_sha256 FROM feedback WHERE id = ?", (row_id,)
            ).fetchone()
    except (sqlite3.Error, OSError) as exc:
        raise FeedbackError(f"feedback could not be read: {exc}") from exc
    if row is None:
        return None
    blob, digest = row
    if blob is not None:
        return blob
    from turkmood.learning.clip_store import clip_bytes

    return clip_bytes(digest) if digest else None


def feedback_csv(feedback: pd.DataFrame) -> bytes:
    """CSV for retraining: the 50 feature columns (UCI order), ``Class`` = the user's emotion,
    then the bookkeeping columns (formula-safe, see :func:`turkmood.results.to_csv_bytes`)."""
    table = feedback[list(FEATURE_NAMES)].copy()
    table.insert(0, LABEL_COLUMN, feedback["true_emotion"].to_numpy())
    extra = [c for c in feedback.columns if c not in FEATURE_NAMES and c != "true_emotion"]
    return to_csv_bytes(pd.concat([table, feedback[extra]], axis=1))
