"""Loading the bundled, checksum-verified models and predicting from feature tables.

Only files listed in ``models/manifest.json`` are ever unpickled, and only after their sha256
matches the recorded value. Nothing a user uploads is loaded as a model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from turkmood.constants import CLASSES, FEATURE_NAMES, MANIFEST_PATH
from turkmood.data import file_sha256
from turkmood.decision import decide
from turkmood.errors import ModelError


@dataclass(frozen=True)
class LoadedModel:
    """A verified pipeline with its name and version string (name + short sha256)."""

    name: str
    pipeline: Pipeline
    sha256: str

    @property
    def version(self) -> str:
        return f"{self.name}@{self.sha256[:12]}"


def read_manifest(manifest_path: Path = MANIFEST_PATH) -> dict:
    """The manifest written by training: default model name and per-model file + sha256."""
    try:
        return json.loads(Path(manifest_path).read_text())
    except FileNotFoundError as exc:
        raise ModelError(
            f"model manifest {manifest_path} not found; run `python -m turkmood train`"
        ) from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"model manifest {manifest_path} is unreadable: {exc}") from exc


def available_models(manifest_path: Path = MANIFEST_PATH) -> list[str]:
    """Names of the shipped models, default first."""
    manifest = read_manifest(manifest_path)
    default = manifest["default_model"]
    return [default, *sorted(n for n in manifest["models"] if n != default)]


def default_model_name(manifest_path: Path = MANIFEST_PATH) -> str:
    """Name of the model the app preselects."""
    return read_manifest(manifest_path)["default_model"]


def load_model(name: str | None = None, manifest_path: Path = MANIFEST_PATH) -> LoadedModel:
    """Load a shipped model after verifying its sha256; raise :class:`ModelError` otherwise."""
    manifest = read_manifest(manifest_path)
    name = name or manifest["default_model"]
    entry = manifest["models"].get(name)
    if entry is None:
        raise ModelError(f"unknown model {name!r}; shipped models: {sorted(manifest['models'])}")
    path = Path(manifest_path).parent / entry["file"]
    if not path.is_file():
        raise ModelError(f"model file {path} is missing")
    actual = file_sha256(path)
    if actual != entry["sha256"]:
        raise ModelError(
            f"model file {path.name} failed its checksum (expected {entry['sha256'][:12]}…, "
            f"found {actual[:12]}…); refusing to load a modified or corrupted model"
        )
    try:
        pipeline = joblib.load(path)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure becomes one clear message
        raise ModelError(f"model file {path.name} could not be loaded: {exc}") from exc
    if list(pipeline.classes_) != sorted(CLASSES):
        raise ModelError(f"model file {path.name} predicts unexpected classes {pipeline.classes_}")
    return LoadedModel(name=name, pipeline=pipeline, sha256=actual)


@lru_cache(maxsize=8)
def cached_model(name: str | None = None) -> LoadedModel:
    """Process-wide cache of :func:`load_model` for the CLI and library callers."""
    return load_model(name)


def predict_proba(model: LoadedModel, features: pd.DataFrame) -> pd.DataFrame:
    """Per-class probabilities (columns in ``CLASSES`` order) for a validated 50-column table."""
    X = features[list(FEATURE_NAMES)].astype(float)
    raw = model.pipeline.predict_proba(X)
    idx = [list(model.pipeline.classes_).index(c) for c in CLASSES]
    return pd.DataFrame(np.asarray(raw)[:, idx], columns=list(CLASSES), index=features.index)


def predict_features(df: pd.DataFrame, model: LoadedModel | str | None = None) -> pd.DataFrame:
    """Probabilities per class plus ``predicted``, ``confidence`` and ``decision`` for each row.

    ``df`` must hold the 50 feature columns (see :mod:`turkmood.tables` for validation).
    """
    if not isinstance(model, LoadedModel):
        model = cached_model(model)
    return decide(predict_proba(model, df))
