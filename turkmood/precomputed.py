"""Deterministic Classroom artefacts computed at train time and shipped beside the models.

The Classroom page ranks the 50 features of a model by mean |SHAP| over ``IMPORTANCE_ROWS``
training songs (Kernel SHAP: ~10 s on a small machine) and draws a t-SNE map of the training
songs (~1.5 s). Both are fixed functions of the model file and the training table, so
``python -m turkmood train`` (or ``python -m turkmood precompute`` for an existing models folder)
computes them once and writes ``classroom.json``, listed in ``manifest.json`` under
``artifacts`` with its sha256.

At run time the file is read only through the manifest, its checksum verified on the bytes read,
and each entry used only for what it was computed from: a ranking only for the model whose
sha256 it names, the map only for the training table whose sha256 it names. Anything else (a
registry model, a tampered or missing file) is computed live, as before. The file is JSON, never
unpickled.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.manifold import TSNE
from sklearn.preprocessing import StandardScaler

from turkmood.constants import FEATURE_NAMES, MANIFEST_PATH, SEED
from turkmood.data import TrainingData
from turkmood.explain import build_explainer
from turkmood.model import LoadedModel, load_model, read_manifest
from turkmood.whatif import IMPORTANCE_ROWS, global_importance

#: File name of the artefacts inside a models folder, and its key under the manifest's
#: ``artifacts``.
CLASSROOM_FILE = "classroom.json"
CLASSROOM_KEY = "classroom"
#: Bumped when the layout of ``classroom.json`` changes (an older file is then ignored).
CLASSROOM_FORMAT = 1
TSNE_PERPLEXITY = 30.0


def tsne_points(X: pd.DataFrame, seed: int = SEED) -> np.ndarray:
    """2-D t-SNE (fixed seed, PCA start) of the standardised 50-feature training table."""
    z = StandardScaler().fit_transform(X[list(FEATURE_NAMES)].astype(float))
    return TSNE(
        n_components=2, perplexity=TSNE_PERPLEXITY, init="pca", random_state=seed
    ).fit_transform(z)


def feature_ranking(model: LoadedModel, X: pd.DataFrame) -> pd.Series:
    """Mean |SHAP| per feature of ``model`` over the fixed training subset, largest first."""
    return global_importance(build_explainer(model, X), X)


def classroom_payload(models: list[LoadedModel], data: TrainingData) -> dict:
    """The JSON-ready artefacts of ``models`` on ``data``: rankings keyed by model sha256."""
    rankings = {}
    for model in models:
        ranking = feature_ranking(model, data.X)
        rankings[model.sha256] = {
            "model": model.name,
            "rows": min(IMPORTANCE_ROWS, len(data.X)),
            "seed": SEED,
            "mean_abs_shap": {str(k): float(v) for k, v in ranking.items()},
        }
    points = tsne_points(data.X)
    return {
        "format": CLASSROOM_FORMAT,
        "data_sha256": data.sha256,
        "importance": rankings,
        "tsne": {
            "perplexity": TSNE_PERPLEXITY,
            "seed": SEED,
            "points": [[float(x), float(y)] for x, y in points],
        },
    }


def write_classroom(out_dir: Path, data: TrainingData) -> dict:
    """Compute the artefacts of every model in ``out_dir``'s manifest, write ``classroom.json``
    and record its sha256 in the manifest (other manifest entries untouched); return the entry.
    """
    manifest_path = Path(out_dir) / "manifest.json"
    manifest = read_manifest(manifest_path)
    models = [load_model(name, manifest_path) for name in manifest["models"]]
    body = json.dumps(classroom_payload(models, data), indent=1) + "\n"
    (Path(out_dir) / CLASSROOM_FILE).write_text(body)
    entry = {"file": CLASSROOM_FILE, "sha256": hashlib.sha256(body.encode()).hexdigest()}
    manifest.setdefault("artifacts", {})[CLASSROOM_KEY] = entry
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return entry


def _ignored(reason: str) -> None:
    """Warn that the shipped artefacts are not used (the page computes live instead)."""
    warnings.warn(f"{reason}; the Classroom computes live instead", RuntimeWarning, stacklevel=3)


def read_classroom(manifest_path: Path = MANIFEST_PATH) -> dict | None:
    """The verified artefacts named by the manifest, or None (with a RuntimeWarning when a file
    is listed but missing, modified or unreadable; the page then computes live)."""
    try:
        entry = (read_manifest(manifest_path).get("artifacts") or {}).get(CLASSROOM_KEY)
    except Exception:  # noqa: BLE001 - no manifest: nothing precomputed
        return None
    if not entry:
        return None
    file_name = str(entry.get("file", ""))
    if not file_name or Path(file_name).name != file_name or file_name in (".", ".."):
        _ignored("the manifest's classroom entry names a file outside models/")
        return None
    try:
        data = (Path(manifest_path).parent / file_name).read_bytes()
    except OSError as exc:
        _ignored(f"precomputed {file_name} is unreadable ({exc})")
        return None
    if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
        _ignored(f"precomputed {file_name} failed its checksum")
        return None
    try:
        payload = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        _ignored(f"precomputed {file_name} is not JSON ({exc})")
        return None
    if not isinstance(payload, dict) or payload.get("format") != CLASSROOM_FORMAT:
        return None  # an older layout: not an error, just not usable
    return payload


def precomputed_ranking(payload: dict | None, model: LoadedModel) -> pd.Series | None:
    """The shipped ranking of exactly this model file (matched by sha256), else None."""
    entry = ((payload or {}).get("importance") or {}).get(model.sha256)
    if not entry or set(entry.get("mean_abs_shap", {})) != set(FEATURE_NAMES):
        return None
    values = pd.Series(entry["mean_abs_shap"], name="mean_abs_shap", dtype=float)
    return values.sort_values(ascending=False, kind="stable")


def precomputed_tsne(payload: dict | None, data: TrainingData) -> np.ndarray | None:
    """The shipped t-SNE points of exactly this training table (matched by sha256), else None."""
    if not payload or payload.get("data_sha256") != data.sha256:
        return None
    points = np.asarray((payload.get("tsne") or {}).get("points", []), dtype=float)
    return points if points.shape == (len(data.X), 2) else None
