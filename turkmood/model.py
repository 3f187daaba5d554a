"""Loading the checksum-verified models and predicting from feature tables.

Bundled models: only files listed in ``models/manifest.json`` are ever unpickled, only after
their sha256 matches the recorded value, and only from ``models/`` (a manifest entry naming any
other folder is refused). Registry models (``registry-v<N>``) are loaded by
:func:`turkmood.learning.registry.load_registered`, verified the same way. Nothing a user
uploads or names as a path is loaded as a model.

The default model is the **champion**: the registry's promoted version when this home has one
(read from its champion pointer, without importing MLflow), else the manifest's default.
"""

from __future__ import annotations

import hashlib
import io
import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import joblib
import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from turkmood.constants import CLASSES, FEATURE_NAMES, MANIFEST_PATH, REGISTRY_MODEL_PREFIX
from turkmood.decision import decide, review_unusual
from turkmood.errors import ModelError, TurkMoodError

if TYPE_CHECKING:
    from turkmood.ood import OODResult


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


def _registry_champion() -> str | None:
    """``registry-v<N>`` when this home serves a promoted registry version, else None."""
    from turkmood.learning.registry import champion_pointer

    pointer = champion_pointer()
    return f"{REGISTRY_MODEL_PREFIX}{pointer['version']}" if pointer else None


def available_models(manifest_path: Path = MANIFEST_PATH) -> list[str]:
    """Selectable model names: the champion first, then the bundled models."""
    manifest = read_manifest(manifest_path)
    default = manifest["default_model"]
    bundled = [default, *sorted(n for n in manifest["models"] if n != default)]
    champion = _registry_champion() if manifest_path == MANIFEST_PATH else None
    return [champion, *bundled] if champion else bundled


def default_model_name(manifest_path: Path = MANIFEST_PATH) -> str:
    """Name of the champion: the promoted registry version, else the manifest's default."""
    champion = _registry_champion() if manifest_path == MANIFEST_PATH else None
    return champion or read_manifest(manifest_path)["default_model"]


def load_model(name: str | None = None, manifest_path: Path = MANIFEST_PATH) -> LoadedModel:
    """Load a model after verifying its sha256 (default: the champion); ModelError otherwise.

    When the default is a registry champion that cannot be loaded (registry deleted, corrupted
    or unreachable), a RuntimeWarning says so and the bundled default serves instead.
    """
    if name is None:
        champion = default_model_name(manifest_path)
        if champion.startswith(REGISTRY_MODEL_PREFIX):
            try:
                return load_model(champion, manifest_path)
            except TurkMoodError as exc:
                warnings.warn(
                    f"the registry champion {champion} cannot be loaded ({exc}); the bundled "
                    "model serves instead",
                    RuntimeWarning,
                    stacklevel=2,
                )
                return load_model(read_manifest(manifest_path)["default_model"], manifest_path)
        name = champion
    if name.startswith(REGISTRY_MODEL_PREFIX) and manifest_path == MANIFEST_PATH:
        from turkmood.learning.registry import load_registered

        version = name.removeprefix(REGISTRY_MODEL_PREFIX)
        if not version.isdigit():
            raise ModelError(f"unknown model {name!r}")
        return load_registered(version)
    manifest = read_manifest(manifest_path)
    entry = manifest["models"].get(name)
    if entry is None:
        raise ModelError(f"unknown model {name!r}; shipped models: {sorted(manifest['models'])}")
    file_name = str(entry.get("file", ""))
    if not file_name or Path(file_name).name != file_name or file_name in (".", ".."):
        raise ModelError(f"the manifest entry of {name!r} names a file outside models/")
    path = Path(manifest_path).parent / file_name
    if not path.is_file():
        raise ModelError(f"model file {path} is missing")
    data = path.read_bytes()  # hashed and unpickled from the same bytes: no check-then-reopen
    actual = hashlib.sha256(data).hexdigest()
    if actual != entry["sha256"]:
        raise ModelError(
            f"model file {path.name} failed its checksum (expected {entry['sha256'][:12]}…, "
            f"found {actual[:12]}…); refusing to load a modified or corrupted model"
        )
    try:
        pipeline = joblib.load(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - any unpickling failure becomes one clear message
        raise ModelError(f"model file {path.name} could not be loaded: {exc}") from exc
    if list(getattr(pipeline, "classes_", [])) != sorted(CLASSES):
        raise ModelError(f"model file {path.name} predicts unexpected classes {pipeline.classes_}")
    return LoadedModel(name=name, pipeline=pipeline, sha256=actual)


@lru_cache(maxsize=8)
def _cached(name: str) -> LoadedModel:
    return load_model(name)


@lru_cache(maxsize=4)
def _cached_champion(champion_name: str) -> LoadedModel:
    return load_model(None)


def cached_model(name: str | None = None) -> LoadedModel:
    """Process-wide cache of :func:`load_model`; ``None`` is the champion at the time of the
    call (a promotion or rollback is seen by the next call, in every process), falling back to
    the bundled default with a warning when the registry champion cannot be loaded."""
    return _cached(name) if name else _cached_champion(default_model_name())


def predict_proba(model: LoadedModel, features: pd.DataFrame) -> pd.DataFrame:
    """Per-class probabilities (columns in ``CLASSES`` order) for a validated 50-column table."""
    X = features[list(FEATURE_NAMES)].astype(float)
    raw = model.pipeline.predict_proba(X)
    idx = [list(model.pipeline.classes_).index(c) for c in CLASSES]
    return pd.DataFrame(np.asarray(raw)[:, idx], columns=list(CLASSES), index=features.index)


def predict_features(
    df: pd.DataFrame,
    model: LoadedModel | str | None = None,
    verdicts: Sequence[OODResult] | None = None,
) -> pd.DataFrame:
    """Probabilities per class plus ``predicted``, ``confidence`` and ``decision`` for each row.

    ``df`` must hold the 50 feature columns (see :mod:`turkmood.tables` for validation). A row
    unlike the training music (:mod:`turkmood.ood`) is sent to review whatever its confidence.
    ``verdicts``: the rows' :func:`turkmood.ood.check_features`, when the caller has them already
    (computed here otherwise).
    """
    from turkmood.ood import check_features

    if not isinstance(model, LoadedModel):
        model = cached_model(model)
    if verdicts is None:
        verdicts = check_features(df)
    return review_unusual(decide(predict_proba(model, df)), verdicts)
