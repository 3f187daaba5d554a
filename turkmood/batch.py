"""Scoring many audio files: one per-file function, errors kept in their rows.

Used by the Batch page and ``python -m turkmood predict``; both write the CSV through
:func:`turkmood.results.results_frame`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from turkmood.analyze import Analysis, analyze
from turkmood.constants import AUDIO_EXTENSIONS, CLASSES, FEATURE_NAMES
from turkmood.errors import TurkMoodError
from turkmood.model import LoadedModel, cached_model
from turkmood.results import results_frame


@dataclass(frozen=True)
class FileResult:
    """Outcome for one file: an analysis, or a human-readable error."""

    name: str
    analysis: Analysis | None
    error: str | None


def score_source(name: str, source: object, model: LoadedModel) -> FileResult:
    """Analyse one file; any TurkMood error (bad audio etc.) is captured in the result."""
    try:
        return FileResult(name=name, analysis=analyze(source, model), error=None)
    except TurkMoodError as exc:
        return FileResult(name=name, analysis=None, error=str(exc))


def expand_paths(items: Iterable[str | Path]) -> list[Path]:
    """Files, folders (recursive, audio extensions only) and glob patterns → sorted file list."""
    found: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            found += [
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_EXTENSIONS
            ]
        elif path.exists():
            found.append(path)
        else:
            found += [p for p in Path().glob(str(item)) if p.is_file()]
    return sorted(dict.fromkeys(found))


def score_files(
    paths: Sequence[Path],
    model: LoadedModel | str | None = None,
    on_result: Callable[[int, FileResult], None] | None = None,
) -> list[FileResult]:
    """Score files in order; ``on_result(i, result)`` is called as each one finishes."""
    if not isinstance(model, LoadedModel):
        model = cached_model(model)
    results = []
    for i, path in enumerate(paths):
        result = score_source(str(path), path, model)
        results.append(result)
        if on_result is not None:
            on_result(i, result)
    return results


def results_table(
    results: Sequence[FileResult], model_version: str, include_features: bool = False
) -> pd.DataFrame:
    """The batch CSV table for file results (failed files keep their row with the error)."""
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
            feature_rows.append(r.analysis.features.mean(axis=0).to_dict())
    return results_frame(
        [Path(r.name).name for r in results],
        pd.DataFrame(track_rows),
        model_version,
        durations=[round(r.analysis.duration_s, 3) if r.analysis else None for r in results],
        ood=[r.analysis.is_ood if r.analysis else None for r in results],
        errors=[r.error for r in results],
        features=pd.DataFrame(feature_rows, columns=list(FEATURE_NAMES))
        if include_features
        else None,
    )
