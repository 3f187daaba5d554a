"""The user's labels: one SQLite table (LABELS_DB_NAME under TURKMOOD_HOME), one row per clip.

A row is keyed by the clip's content hash (sha256 of the file bytes, the hash the batch scorer
and the prediction log use) and holds the emotion, where the label came from (LABEL_SOURCES),
when it was given, the clip's name and its window features (JSON list of 50-value rows in
FEATURE_NAMES order, as :func:`turkmood.analyze.analyze` gives them — one row per 30 s window).
The same clip labelled twice counts once: the label with the latest time wins (a tie goes to
the later write). Labels come from the app's feedback (:func:`labels_from_feedback`), a CSV of
``path,emotion`` (:func:`import_labels_csv`) or the label queue (:func:`add_label`).
"""

from __future__ import annotations

import hashlib
import json
import math
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from turkmood.constants import (
    CLASSES,
    FEATURE_NAMES,
    FEEDBACK_BUSY_TIMEOUT_S,
    LABEL_IMPORT_JOBS,
    LABEL_SOURCES,
    LABELS_DB_NAME,
)
from turkmood.data import file_sha256
from turkmood.errors import TurkMoodError
from turkmood.home import state_path

__all__ = [
    "ImportReport",
    "LabelError",
    "add_label",
    "import_labels_csv",
    "label_windows",
    "labels_db_path",
    "labels_from_feedback",
    "read_labels",
]

#: Columns of :func:`read_labels` (``features`` holds a list of 50-value rows per clip).
LABEL_COLUMNS = [
    "clip_hash",
    "emotion",
    "source",
    "created_utc",
    "clip_name",
    "n_windows",
    "features",
]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS labels (
    clip_hash TEXT PRIMARY KEY,
    emotion TEXT NOT NULL,
    source TEXT NOT NULL,
    created_utc TEXT NOT NULL,
    clip_name TEXT NOT NULL,
    features TEXT NOT NULL
)
"""
# latest wins: an older label (by its time) never overwrites a newer one
_UPSERT = """
INSERT INTO labels (clip_hash, emotion, source, created_utc, clip_name, features)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT(clip_hash) DO UPDATE SET
    emotion = excluded.emotion, source = excluded.source, created_utc = excluded.created_utc,
    clip_name = excluded.clip_name, features = excluded.features
WHERE excluded.created_utc >= labels.created_utc
"""


class LabelError(TurkMoodError):
    """A label is invalid, or the labels store / a label CSV cannot be read or written."""


@dataclass
class ImportReport:
    """Outcome of a CSV import: rows labelled and rows refused, each with its reason."""

    n_rows: int = 0
    added: list[tuple[int, str, str]] = field(default_factory=list)  # (line, name, emotion)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (line, path, reason)

    def summary(self) -> str:
        """One line for a person: how many rows were labelled and refused."""
        return f"{len(self.added)} of {self.n_rows} row(s) labelled, {len(self.errors)} refused"


def labels_db_path() -> Path:
    """The labels database file under TURKMOOD_HOME."""
    return state_path(LABELS_DB_NAME)


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=FEEDBACK_BUSY_TIMEOUT_S)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(_SCHEMA)
        connection.commit()
    except sqlite3.Error:
        connection.close()
        raise
    return connection


def _window_rows(features: pd.DataFrame | Sequence[Sequence[float]]) -> list[list[float | None]]:
    """Validated window rows in FEATURE_NAMES order (NaN stored as null)."""
    if isinstance(features, pd.DataFrame):
        missing = [f for f in FEATURE_NAMES if f not in features.columns]
        if missing:
            raise LabelError(f"the features lack {len(missing)} column(s), e.g. {missing[0]}")
        rows = features[list(FEATURE_NAMES)].astype(float).to_numpy().tolist()
    else:
        rows = [[float(v) for v in row] for row in features]
    if not rows or any(len(r) != len(FEATURE_NAMES) for r in rows):
        raise LabelError(f"expected at least one window of {len(FEATURE_NAMES)} features")
    return [[None if math.isnan(v) else v for v in row] for row in rows]


def add_label(
    clip_hash: str,
    emotion: str,
    features: pd.DataFrame | Sequence[Sequence[float]],
    *,
    source: str,
    clip_name: str,
    created: datetime | None = None,
    path: Path | None = None,
) -> None:
    """Store (or replace, if not older) the label of one clip; LabelError when invalid."""
    emotion = str(emotion).strip().lower()
    if emotion not in CLASSES:
        raise LabelError(f"unknown emotion {emotion!r}; expected one of {', '.join(CLASSES)}")
    if source not in LABEL_SOURCES:
        raise LabelError(f"unknown label source {source!r}; expected one of {LABEL_SOURCES}")
    if not clip_hash:
        raise LabelError("a label needs the clip's content hash")
    rows = _window_rows(features)
    when = (created or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="milliseconds")
    values = (clip_hash, emotion, source, when, str(clip_name), json.dumps(rows))
    path = Path(path) if path is not None else labels_db_path()
    try:
        with closing(_connect(path)) as connection, connection:
            connection.execute(_UPSERT, values)
    except (sqlite3.Error, OSError) as exc:
        raise LabelError(f"the label could not be saved: {exc}") from exc


def read_labels(path: Path | None = None) -> pd.DataFrame:
    """Every label (one row per clip, oldest first); an absent store reads as empty."""
    path = Path(path) if path is not None else labels_db_path()
    if not path.exists():
        return pd.DataFrame(columns=LABEL_COLUMNS)
    query = (
        "SELECT clip_hash, emotion, source, created_utc, clip_name, features FROM labels "
        "ORDER BY created_utc, rowid"
    )
    try:
        with closing(_connect(path)) as connection:
            rows = connection.execute(query).fetchall()
    except (sqlite3.Error, OSError) as exc:
        raise LabelError(f"the labels could not be read: {exc}") from exc
    records = []
    for clip_hash, emotion, source, created, name, features in rows:
        windows = [[math.nan if v is None else float(v) for v in r] for r in json.loads(features)]
        records.append(
            {
                "clip_hash": clip_hash,
                "emotion": emotion,
                "source": source,
                "created_utc": created,
                "clip_name": name,
                "n_windows": len(windows),
                "features": windows,
            }
        )
    return pd.DataFrame(records, columns=LABEL_COLUMNS)


def label_windows(labels: pd.DataFrame) -> pd.DataFrame:
    """One row per labelled window: clip_hash, clip_name, emotion, window and the 50 features."""
    meta, feats = [], []
    for row in labels.itertuples(index=False):
        for i, window in enumerate(row.features):
            meta.append((row.clip_hash, row.clip_name, row.emotion, i))
            feats.append(window)
    frame = pd.DataFrame(meta, columns=["clip_hash", "clip_name", "emotion", "window"])
    values = pd.DataFrame(feats, columns=list(FEATURE_NAMES), dtype=float)
    return pd.concat([frame, values], axis=1)


# --- CSV import ---------------------------------------------------------------------------------


def _resolve(raw: str, folder: Path) -> Path:
    """The audio file of a CSV cell: absolute, or relative to (and inside) the CSV's folder."""
    text = raw.strip()
    if not text:
        raise LabelError("empty path")
    if "\x00" in text:
        raise LabelError("the path contains a NUL character")
    candidate = Path(text).expanduser()
    if candidate.is_absolute():
        resolved = candidate.resolve()
    else:
        resolved = (folder / candidate).resolve()
        if not resolved.is_relative_to(folder.resolve()):
            raise LabelError("relative path leaves the CSV's folder (path traversal)")
    if not resolved.exists():
        raise LabelError("file not found")
    if not resolved.is_file():
        raise LabelError("not a file")
    return resolved


def import_labels_csv(csv_path: str | Path, path: Path | None = None) -> ImportReport:
    """Label the audio files listed in a ``path,emotion`` CSV (other columns are ignored).

    Each row is hashed, decoded and featurised; a bad row (empty path, path traversal, missing
    file, unknown emotion, undecodable audio…) is reported with its reason and the rest go on.
    Only an unreadable CSV or one without the two columns raises LabelError.
    """
    csv_path = Path(csv_path)
    try:
        table = pd.read_csv(csv_path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError as exc:
        raise LabelError(f"label CSV {csv_path.name} not found") from exc
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise LabelError(f"label CSV {csv_path.name} is unreadable: {exc}") from exc
    table.columns = [str(c).strip().lower() for c in table.columns]
    missing = [c for c in ("path", "emotion") if c not in table.columns]
    if missing:
        raise LabelError(f"label CSV {csv_path.name} lacks the column(s) {', '.join(missing)}")
    folder = csv_path.resolve().parent
    report = ImportReport(n_rows=len(table))
    todo: list[tuple[int, str, Path, str, str]] = []  # line, raw path, file, emotion, sha256
    for offset, (raw_path, raw_emotion) in enumerate(
        zip(table["path"], table["emotion"], strict=True)
    ):
        line = offset + 2  # line 1 is the header
        emotion = raw_emotion.strip().lower()
        try:
            if emotion not in CLASSES:
                raise LabelError(
                    f"unknown emotion {raw_emotion!r}; expected one of {', '.join(CLASSES)}"
                )
            audio = _resolve(raw_path, folder)
            try:
                sha = file_sha256(audio)
            except OSError as exc:
                raise LabelError(f"cannot read the file: {exc.strerror or exc}") from exc
        except TurkMoodError as exc:
            report.errors.append((line, raw_path, str(exc)))
        else:
            todo.append((line, raw_path, audio, emotion, sha))
    results = _featurise([(audio, sha) for _, _, audio, _, sha in todo])
    for line, raw_path, audio, emotion, sha in todo:
        result = results[str(audio)]
        try:
            if result.analysis is None:
                raise LabelError(result.error or "the file could not be analysed")
            features = result.analysis.features
            add_label(sha, emotion, features, source="csv", clip_name=audio.name, path=path)
        except TurkMoodError as exc:
            report.errors.append((line, raw_path, str(exc)))
        else:
            report.added.append((line, audio.name, emotion))
    report.errors.sort()
    return report


def _featurise(files: list[tuple[Path, str]]) -> dict[str, object]:
    """``{str(path): FileResult}`` by the one analysis path, on LABEL_IMPORT_JOBS processes
    when there are several files (errors stay in their results, never raised)."""
    from turkmood.batch_run import Task, run_processes, run_serial
    from turkmood.model import cached_model

    model = cached_model()
    tasks = list({str(p): Task(str(p), sha) for p, sha in files}.values())
    if len(tasks) > 1 and LABEL_IMPORT_JOBS > 1:
        results = run_processes(tasks, model.name, min(LABEL_IMPORT_JOBS, len(tasks)))
    else:
        results = run_serial(tasks, model)
    return {r.name: r for r in results}


# --- feedback -----------------------------------------------------------------------------------


def _features_key(features: Sequence[float]) -> str:
    return json.dumps([round(float(v), 9) for v in features])


def labels_from_feedback(
    feedback: pd.DataFrame | None = None,
    predictions: pd.DataFrame | None = None,
    path: Path | None = None,
) -> int:
    """Copy the app's "Was this right?" answers into the labels table; the number copied.

    The feedback store keeps no clip hash, so each answer is keyed by: the sha256 of its audio
    when the user shared it (and then every window is featurised again from those bytes); else
    the hash of the prediction-log row with the same clip name and features (the log keeps the
    same representative window); else a hash of its features (``feedback:`` prefix), so the same
    answer imported twice still counts once. Without audio only the one representative window
    the app kept is available. Answers keep their own time, so "latest wins" holds across sources.
    """
    from turkmood.feedback import read_audio, read_feedback
    from turkmood.telemetry.prediction_log import read_predictions

    feedback = read_feedback() if feedback is None else feedback
    if feedback.empty:
        return 0
    predictions = read_predictions() if predictions is None else predictions
    logged: dict[tuple[str, str], str] = {}
    if not predictions.empty:
        feats = predictions[list(FEATURE_NAMES)].to_numpy(dtype=float)
        for name, clip_hash, vec in zip(
            predictions["clip_name"], predictions["clip_hash"], feats, strict=True
        ):
            if not any(math.isnan(v) for v in vec):
                logged[(str(name), _features_key(vec))] = str(clip_hash)
    count = 0
    for _, row in feedback.iterrows():
        vector = [float(row[f]) for f in FEATURE_NAMES]
        windows: pd.DataFrame | list[list[float]] = [vector]
        audio = read_audio(int(row["id"])) if bool(row.get("has_audio", False)) else None
        if audio:
            from turkmood.analyze import analyze

            clip_hash = hashlib.sha256(audio).hexdigest()
            try:
                windows = analyze(audio).features
            except TurkMoodError:
                windows = [vector]
        else:
            key = (str(row["clip_name"]), _features_key(vector))
            clip_hash = logged.get(key) or (
                "feedback:" + hashlib.sha256(key[1].encode()).hexdigest()
            )
        created = datetime.fromisoformat(str(row["created_utc"]))
        if created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        add_label(
            clip_hash,
            str(row["true_emotion"]),
            windows,
            source="feedback",
            clip_name=str(row["clip_name"]),
            created=created,
            path=path,
        )
        count += 1
    return count
