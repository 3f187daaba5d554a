"""The prediction log: one row per prediction made by the app, batch, CLI or API.

Rows go to PREDICTION_LOG_NAME (SQLite, WAL) under TURKMOOD_HOME: time, source, clip content
hash, clip name, model version, the four probabilities, decision, OOD flag, latency, duration
and the track's 50 features (JSON, for drift monitoring and the label queue). Writing is best
effort: a log that cannot be written gives a ``RuntimeWarning`` and ``None``, never a failed
prediction. Every query is parameterised.
"""

from __future__ import annotations

import json
import sqlite3
import warnings
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
    PREDICTION_LOG_NAME,
    PREDICTION_SOURCES,
)
from turkmood.home import state_path

__all__ = [
    "LOG_COLUMNS",
    "PredictionRecord",
    "log_prediction",
    "prediction_log_path",
    "find_prediction",
    "read_predictions",
    "record_from_analysis",
]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS predictions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_utc TEXT NOT NULL,
    source TEXT NOT NULL,
    clip_hash TEXT NOT NULL,
    clip_name TEXT NOT NULL,
    model_version TEXT NOT NULL,
    predicted TEXT NOT NULL,
    decision TEXT NOT NULL,
    confidence REAL NOT NULL,
    probabilities TEXT NOT NULL,
    is_ood INTEGER NOT NULL,
    latency_s REAL NOT NULL,
    duration_s REAL,
    features TEXT,
    shadow_version TEXT,
    shadow_predicted TEXT
);
CREATE INDEX IF NOT EXISTS predictions_clip ON predictions (clip_hash);
"""
_INSERT = (
    "INSERT INTO predictions (created_utc, source, clip_hash, clip_name, model_version, "
    "predicted, decision, confidence, probabilities, is_ood, latency_s, duration_s, features, "
    "shadow_version, shadow_predicted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
#: Columns of :func:`read_predictions` before the ``p_<class>`` and feature columns.
LOG_COLUMNS = [
    "id",
    "created_utc",
    "source",
    "clip_hash",
    "clip_name",
    "model_version",
    "predicted",
    "decision",
    "confidence",
    "is_ood",
    "latency_s",
    "duration_s",
    "shadow_version",
    "shadow_predicted",
]


@dataclass(frozen=True)
class PredictionRecord:
    """One prediction as the log keeps it."""

    source: str
    clip_hash: str
    clip_name: str
    model_version: str
    predicted: str
    decision: str
    confidence: float
    probabilities: Mapping[str, float]
    is_ood: bool
    latency_s: float
    duration_s: float | None = None
    features: Mapping[str, float] | None = None
    #: The challenger's verdict in shadow mode (None without a challenger).
    shadow_version: str | None = None
    shadow_predicted: str | None = None


def prediction_log_path() -> Path:
    """The log's SQLite file under TURKMOOD_HOME."""
    return state_path(PREDICTION_LOG_NAME)


def record_from_analysis(
    analysis: object, *, source: str, clip_hash: str, clip_name: str, latency_s: float
) -> PredictionRecord:
    """The log row of a :class:`turkmood.analyze.Analysis` (track verdict + its features)."""
    from turkmood.learning.shadow import shadow_verdict

    track = analysis.track.iloc[0]
    shadow = shadow_verdict(analysis.features)
    return PredictionRecord(
        source=source,
        clip_hash=clip_hash,
        clip_name=clip_name,
        model_version=analysis.model_version,
        predicted=str(track["predicted"]),
        decision=str(track["decision"]),
        confidence=float(track["confidence"]),
        probabilities={c: float(track[c]) for c in CLASSES},
        is_ood=bool(analysis.is_ood),
        latency_s=float(latency_s),
        duration_s=float(analysis.duration_s),
        features={f: float(v) for f, v in analysis.track_features.items()},
        shadow_version=shadow[0] if shadow else None,
        shadow_predicted=shadow[1] if shadow else None,
    )


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=FEEDBACK_BUSY_TIMEOUT_S)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.executescript(_SCHEMA)
        have = {row[1] for row in connection.execute("PRAGMA table_info(predictions)")}
        for column in ("shadow_version", "shadow_predicted"):  # logs from before shadow mode
            if column not in have:
                connection.execute(f"ALTER TABLE predictions ADD COLUMN {column} TEXT")
    except sqlite3.Error:
        connection.close()
        raise
    return connection


def log_prediction(
    record: PredictionRecord, path: Path | None = None, now: datetime | None = None
) -> int | None:
    """Append ``record``; its row id, or ``None`` with a RuntimeWarning if it cannot be written."""
    path = Path(path) if path is not None else prediction_log_path()
    try:
        if record.source not in PREDICTION_SOURCES:
            raise ValueError(f"unknown source {record.source!r}")
        features = (
            None
            if record.features is None
            else json.dumps({f: float(record.features[f]) for f in FEATURE_NAMES})
        )
        values = (
            (now or datetime.now(UTC)).isoformat(timespec="milliseconds"),
            record.source,
            record.clip_hash,
            record.clip_name,
            record.model_version,
            record.predicted,
            record.decision,
            float(record.confidence),
            json.dumps({c: float(record.probabilities[c]) for c in CLASSES}),
            int(bool(record.is_ood)),
            float(record.latency_s),
            None if record.duration_s is None else float(record.duration_s),
            features,
            record.shadow_version,
            record.shadow_predicted,
        )
        with closing(_connect(path)) as connection, connection:
            return int(connection.execute(_INSERT, values).lastrowid)
    except (sqlite3.Error, OSError, ValueError, KeyError, TypeError) as exc:
        warnings.warn(
            f"the prediction was not logged ({type(exc).__name__}: {exc})",
            RuntimeWarning,
            stacklevel=2,
        )
        return None


def read_predictions(path: Path | None = None, limit: int | None = None) -> pd.DataFrame:
    """Logged predictions, oldest first (the newest ``limit`` when given): LOG_COLUMNS,
    ``p_<class>`` and the 50 feature columns (NaN where a row has no features).

    A log that does not exist yet reads as an empty table.
    """
    path = Path(path) if path is not None else prediction_log_path()
    columns = LOG_COLUMNS + [f"p_{c}" for c in CLASSES] + list(FEATURE_NAMES)
    if not path.exists():
        return pd.DataFrame(columns=columns)
    query = f"SELECT {', '.join(LOG_COLUMNS)}, probabilities, features FROM predictions"
    params: tuple = ()
    if limit is not None:
        query = f"SELECT * FROM ({query} ORDER BY id DESC LIMIT ?)"
        params = (int(limit),)
    with closing(_connect(path)) as connection:
        rows = connection.execute(query + " ORDER BY id", params).fetchall()
    records = []
    for row in rows:
        *base, probabilities, features = row
        entry = dict(zip(LOG_COLUMNS, base, strict=True))
        entry["is_ood"] = bool(entry["is_ood"])
        entry.update({f"p_{c}": v for c, v in json.loads(probabilities).items()})
        if features:
            entry.update(json.loads(features))
        records.append(entry)
    return pd.DataFrame(records, columns=columns)


def find_prediction(
    prediction_id: int | None = None, clip_hash: str | None = None, path: Path | None = None
) -> dict | None:
    """One logged prediction by row id, or the newest one of a clip hash; ``None`` if absent.

    The dict has LOG_COLUMNS plus ``probabilities`` and ``features`` (dicts; features may be
    ``None``).
    """
    path = Path(path) if path is not None else prediction_log_path()
    if not path.exists() or (prediction_id is None and not clip_hash):
        return None
    query = f"SELECT {', '.join(LOG_COLUMNS)}, probabilities, features FROM predictions"
    if prediction_id is not None:
        query, params = query + " WHERE id = ?", (int(prediction_id),)
    else:
        query, params = query + " WHERE clip_hash = ? ORDER BY id DESC LIMIT 1", (clip_hash,)
    with closing(_connect(path)) as connection:
        row = connection.execute(query, params).fetchone()
    if row is None:
        return None
    *base, probabilities, features = row
    entry = dict(zip(LOG_COLUMNS, base, strict=True))
    entry["is_ood"] = bool(entry["is_ood"])
    entry["probabilities"] = json.loads(probabilities)
    entry["features"] = json.loads(features) if features else None
    return entry
