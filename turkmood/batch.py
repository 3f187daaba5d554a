"""Scoring many audio files: one per-file function, errors kept in their rows.

Used by the Batch page and ``python -m turkmood predict`` (through :mod:`turkmood.batch_run`);
both write the CSV through :func:`turkmood.results.results_frame`.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from turkmood.analyze import Analysis, analyze
from turkmood.constants import BATCH_FEATURE_DIGITS, CLASSES, FEATURE_NAMES
from turkmood.data import file_sha256
from turkmood.errors import TurkMoodError
from turkmood.model import LoadedModel, cached_model
from turkmood.results import HASH_COLUMN, RESULT_COLUMNS, results_frame


@dataclass(frozen=True)
class FileResult:
    """Outcome for one file: an analysis, or a human-readable error (plus its content hash)."""

    name: str
    analysis: Analysis | None
    error: str | None
    sha256: str = ""
    #: Seconds spent decoding and analysing the file.
    latency_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.analysis is not None


def bytes_sha256(data: bytes) -> str:
    """Hex sha256 of in-memory file content (same value as :func:`file_sha256` on disk)."""
    return hashlib.sha256(data).hexdigest()


def score_source(name: str, source: object, model: LoadedModel, sha256: str = "") -> FileResult:
    """Analyse one file; any failure is captured in the result instead of being raised.

    TurkMood errors (unreadable, too short, silent audio…) keep their message; anything else is
    reported as an unexpected error so that one odd file never stops a batch.
    """
    start = time.perf_counter()
    try:
        analysis = analyze(source, model)
        return FileResult(name, analysis, None, sha256, time.perf_counter() - start)
    except TurkMoodError as exc:
        return FileResult(name, None, str(exc), sha256)
    except Exception as exc:  # noqa: BLE001 - a batch must survive any single bad file
        return FileResult(name, None, f"unexpected error ({type(exc).__name__}): {exc}", sha256)


def log_result(result: FileResult, source: str) -> int | None:
    """Append a scored file to the prediction log (never raises; failures only warn)."""
    if result.analysis is None:
        return None
    from turkmood.telemetry.prediction_log import log_prediction, record_from_analysis

    record = record_from_analysis(
        result.analysis,
        source=source,
        clip_hash=result.sha256,
        clip_name=result.name,
        latency_s=result.latency_s,
    )
    return log_prediction(record)


def score_path(path: str, model_name: str | None = None, sha256: str = "") -> FileResult:
    """The per-file task of every scheduler: analyse ``path`` with the process-cached model.

    Module-level (picklable by reference) so process pools and dask workers can run it; the
    model is loaded once per worker process by :func:`turkmood.model.cached_model`.
    """
    return score_source(path, Path(path), cached_model(model_name), sha256)


def hash_path(path: str | Path) -> tuple[str, str | None]:
    """``(sha256, None)`` for a readable file, ``("", message)`` when it cannot be read."""
    try:
        return file_sha256(path), None
    except OSError as exc:
        return "", f"cannot read the file: {exc.strerror or exc}"


def expand_paths(items: Iterable[str | Path]) -> list[Path]:
    """Files, folders (recursive) and glob patterns → sorted file list.

    Every file counts, whatever its extension: a folder's cover art or notes get an error row
    saying they are not audio, so nothing in a folder is skipped silently and audio with an
    unusual ending is still scored. Globs only contribute files.
    """
    found: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            found += [p for p in path.rglob("*") if p.is_file()]
        elif path.exists():
            found.append(path)
        elif path.is_absolute():
            anchor = Path(path.anchor)
            found += [p for p in anchor.glob(str(path.relative_to(anchor))) if p.is_file()]
        else:
            found += [p for p in Path().glob(str(item)) if p.is_file()]
    return sorted(dict.fromkeys(found))


def check_model(result: FileResult, model_version: str) -> FileResult:
    """Turn a result computed with another model version (e.g. a stale worker) into an error."""
    if result.analysis is None or result.analysis.model_version == model_version:
        return result
    message = (
        f"scored with model {result.analysis.model_version}, expected {model_version}; "
        "the worker has different model files"
    )
    return replace(result, analysis=None, error=message)


def _significant(value: float, digits: int = BATCH_FEATURE_DIGITS) -> float:
    """``value`` rounded to ``digits`` significant digits (NaN stays NaN)."""
    return float(f"{value:.{digits}g}")


def batch_columns(include_features: bool = False, with_hash: bool = True) -> list[str]:
    """Column order of a batch results CSV (what :func:`results_table` produces)."""
    columns = list(RESULT_COLUMNS)
    if with_hash:
        columns.append(HASH_COLUMN)
    if include_features:
        columns += list(FEATURE_NAMES)
    return columns


def results_table(
    results: Sequence[FileResult],
    model_version: str,
    include_features: bool = False,
    with_hash: bool | None = None,
) -> pd.DataFrame:
    """The batch CSV table for file results (failed files keep their row with the error).

    The file column holds each result's name as given (a path or an upload name). The
    ``sha256`` column is added when ``with_hash`` is true (default: when any result carries a
    content hash). With
    ``include_features`` the 50 features are the mean over the song's analysis windows, rounded
    to ``BATCH_FEATURE_DIGITS`` significant digits.
    """
    empty = {c: float("nan") for c in CLASSES}
    track_rows, feature_rows = [], []
    for r in results:
        if r.analysis is None:
            track_rows.append(
                {**empty, "predicted": "", "confidence": float("nan"), "decision": ""}
            )
            feature_rows.append({f: float("nan") for f in FEATURE_NAMES})
        else:
            track_rows.append(r.analysis.track.iloc[0].to_dict())
            means = r.analysis.features.mean(axis=0)
            feature_rows.append({f: _significant(v) for f, v in means.items()})
    if with_hash is None:
        with_hash = any(r.sha256 for r in results)
    return results_frame(
        [r.name for r in results],
        pd.DataFrame(track_rows, columns=[*CLASSES, "predicted", "confidence", "decision"]),
        model_version,
        durations=[round(r.analysis.duration_s, 3) if r.analysis else None for r in results],
        ood=[r.analysis.is_ood if r.analysis else None for r in results],
        errors=[r.error for r in results],
        features=pd.DataFrame(feature_rows, columns=list(FEATURE_NAMES))
        if include_features
        else None,
        hashes=[r.sha256 for r in results] if with_hash else None,
    )
