"""Where the MLflow tracking and registry store lives, and a client on it (MLflow imported lazily).

Embedded default (no server): tracking and registry in ``sqlite:///<TURKMOOD_HOME>/mlflow/mlflow.db``,
artifacts under ``<TURKMOOD_HOME>/mlflow/artifacts``. A ``MLFLOW_TRACKING_URI`` in the environment
(a team server) replaces both; the server then decides where artifacts go.

Nothing is created until something is written: :func:`registry_exists` only looks for the file.
"""

from __future__ import annotations

import logging
import os
import platform
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

from turkmood.constants import (
    MLFLOW_ARTIFACTS_NAME,
    MLFLOW_DB_NAME,
    MLFLOW_DIR_NAME,
    MLFLOW_TRACKING_URI_ENV,
    PROJECT_DIR,
)
from turkmood.home import state_path

__all__ = [
    "artifacts_dir",
    "embedded_db_path",
    "experiment_id",
    "library_versions",
    "mlflow_client",
    "registry_exists",
    "tracking_uri",
    "uses_embedded_store",
]


def embedded_db_path() -> Path:
    """The SQLite file of the embedded store (it may not exist)."""
    return state_path(MLFLOW_DIR_NAME) / MLFLOW_DB_NAME


def artifacts_dir() -> Path:
    """The artifact folder of the embedded store (it may not exist)."""
    return state_path(MLFLOW_DIR_NAME) / MLFLOW_ARTIFACTS_NAME


def _override_uri() -> str:
    return os.environ.get(MLFLOW_TRACKING_URI_ENV, "").strip()


def uses_embedded_store() -> bool:
    """True unless ``MLFLOW_TRACKING_URI`` names another store."""
    return not _override_uri()


def tracking_uri() -> str:
    """``MLFLOW_TRACKING_URI`` if set, else the embedded SQLite store's URI."""
    return _override_uri() or f"sqlite:///{embedded_db_path()}"


def registry_exists() -> bool:
    """Whether there may be a registry to ask: a team server is set, or the embedded DB exists.

    Cheap (no MLflow import, nothing created) so the app can call it at start-up.
    """
    return not uses_embedded_store() or embedded_db_path().is_file()


def mlflow_client() -> Any:
    """An ``MlflowClient`` on the store (created on first use); the fluent API points there too."""
    if uses_embedded_store():
        embedded_db_path().parent.mkdir(parents=True, exist_ok=True)
        artifacts_dir().mkdir(parents=True, exist_ok=True)
    # an unreachable team server must fail within seconds, not after minutes of retries
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "10")
    for noisy in ("alembic", "mlflow.store.db.utils", "mlflow.models.model"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    import mlflow
    from mlflow import MlflowClient

    uri = tracking_uri()
    saved = {k: os.environ.get(k) for k in (MLFLOW_TRACKING_URI_ENV, "MLFLOW_REGISTRY_URI")}
    mlflow.set_tracking_uri(uri)  # the fluent API's store; MLflow also exports it to the
    mlflow.set_registry_uri(uri)  # environment, which would then read as a team server: undo
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def experiment_id(client: Any, name: str) -> str:
    """Id of experiment ``name``, created (artifacts in the embedded folder) when missing."""
    found = client.get_experiment_by_name(name)
    if found is not None:
        return found.experiment_id
    location = artifacts_dir().resolve().as_uri() if uses_embedded_store() else None
    try:
        return client.create_experiment(name, artifact_location=location)
    except Exception:  # noqa: BLE001 - another process may have created it meanwhile
        found = client.get_experiment_by_name(name)
        if found is None:
            raise
        return found.experiment_id


def turkmood_version() -> str:
    """The installed turkmood version, else the one in pyproject.toml, else ``unknown``."""
    try:
        return metadata.version("turkmood")
    except metadata.PackageNotFoundError:
        pass
    try:
        data = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())
        return str(data["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def library_versions() -> dict[str, str]:
    """Versions that shape a model's numbers and its pickle (logged on every run)."""
    import numpy
    import sklearn

    return {
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scikit-learn": sklearn.__version__,
        "turkmood": turkmood_version(),
    }
