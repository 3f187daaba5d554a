"""The model registry (MLflow): register challengers, gate and promote, roll back, load verified.

Every retrain is one MLflow run (params, metrics, the data hash, library versions, the label
lineage as ``lineage.json``) whose pipeline is logged as an MLflow sklearn model and registered
as a version of REGISTERED_MODEL_NAME. Aliases follow the seed's convention: ``challenger`` (the
candidate waiting for the gate) and ``champion`` (the model every face uses); the bundled
``models/`` are the first champion, so before any promotion there is no ``champion`` alias.

Integrity: at registration the sha256 of the logged ``model.pkl`` is recorded as the version's
``sha256`` tag; :func:`load_registered` reads the file's bytes once, checks that hash on exactly
those bytes and only then unpickles them. Models are only ever found by version or alias in the
registry, never by a path a user gave.

The gate (:func:`promote`): the challenger's run must carry METRIC_USER_MACRO_F1 above
METRIC_CHAMPION_USER_MACRO_F1 (the champion scored on the same held-out user folds) and
METRIC_UCI_MACRO_F1 no more than PROMOTION_MAX_UCI_DROP below METRIC_CHAMPION_UCI_MACRO_F1, and it
must have been compared with the current champion (run tag TAG_COMPARED_WITH); ``force`` skips
the gate and records the reason. Each promotion pushes the outgoing champion ("bundled" for the
bundled model) on a history kept as a registered-model tag, and :func:`rollback` pops it. Every
promotion and rollback is one JSON line in AUDIT_LOG_NAME under TURKMOOD_HOME, and the champion
this home serves is written to CHAMPION_POINTER_NAME so that readers need no MLflow import.
"""

from __future__ import annotations

import functools
import getpass
import hashlib
import json
import os
import pickle
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from turkmood.constants import (
    ALIAS_CHALLENGER,
    ALIAS_CHAMPION,
    AUDIT_LOG_NAME,
    CHAMPION_POINTER_NAME,
    CLASSES,
    METRIC_CHAMPION_UCI_MACRO_F1,
    METRIC_CHAMPION_USER_MACRO_F1,
    METRIC_UCI_MACRO_F1,
    METRIC_USER_MACRO_F1,
    MLFLOW_EXPERIMENT,
    PROMOTION_MAX_UCI_DROP,
    REGISTERED_MODEL_NAME,
    REGISTRY_MODEL_PREFIX,
    TAG_COMPARED_WITH,
)
from turkmood.errors import ModelError, RegistryError, TurkMoodError
from turkmood.home import state_path
from turkmood.learning.store import experiment_id, library_versions, mlflow_client, registry_exists

__all__ = [
    "BUNDLED",
    "ModelVersionInfo",
    "PromotionResult",
    "champion_info",
    "champion_pointer",
    "champion_ref",
    "champion_trained_utc",
    "list_versions",
    "load_registered",
    "promote",
    "register_model",
    "rollback",
]

#: How the history and the audit log name the bundled first champion.
BUNDLED = "bundled"
_HISTORY_TAG = "champion_history"
_PICKLE = "model.pkl"


@dataclass(frozen=True)
class ModelVersionInfo:
    """One registered version as ``models`` lists it."""

    version: str
    aliases: tuple[str, ...]
    created_utc: str
    sha256: str
    metrics: dict[str, float]
    lineage: dict
    run_id: str


@dataclass(frozen=True)
class PromotionResult:
    """What a promotion or rollback did (or why it refused)."""

    action: str
    done: bool
    from_version: str
    to_version: str
    forced: bool
    message: str


def _clear_errors(action: str):
    """Turn any failure of MLflow or its store into a RegistryError naming the store."""

    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except TurkMoodError:
                raise
            except Exception as exc:  # noqa: BLE001 - store unreachable, corrupt, locked…
                from turkmood.learning.store import tracking_uri

                raise RegistryError(
                    f"the model registry ({tracking_uri()}) failed while trying to {action}: "
                    f"{type(exc).__name__}: {str(exc)[:300]}"
                ) from exc

        return inner

    return wrap


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def champion_pointer() -> dict | None:
    """``{"version", "sha256"}`` of the registry champion this home serves; None: bundled."""
    path = state_path(CHAMPION_POINTER_NAME)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not str(data.get("version", "")).isdigit():
        return None
    return data


def _write_pointer(version: str | None, sha256: str = "") -> None:
    path = state_path(CHAMPION_POINTER_NAME)
    if version is None:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"version": version, "sha256": sha256, "since": _now()}))
    os.replace(tmp, path)


def champion_ref() -> str:
    """The current champion as a run tag value: ``v<version>`` or ``bundled``."""
    pointer = champion_pointer()
    return f"v{pointer['version']}" if pointer else BUNDLED


def _audit(action: str, from_version: str, to_version: str, forced: bool, reason: str) -> None:
    entry = {
        "time_utc": _now(),
        "action": action,
        "from": from_version,
        "to": to_version,
        "forced": forced,
        "reason": reason,
        "user": os.environ.get("USER") or _user(),
    }
    path = state_path(AUDIT_LOG_NAME)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry) + "\n")


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _pickle_path(client: Any, version: Any) -> Path:
    """Local path of a version's ``model.pkl`` (downloaded when the store is remote)."""
    import mlflow

    local = Path(mlflow.artifacts.download_artifacts(artifact_uri=version.source))
    path = local / _PICKLE
    if not path.is_file():
        raise ModelError(f"registered version {version.version} has no {_PICKLE}")
    return path


@_clear_errors("register a model")
def register_model(
    pipeline: Any,
    *,
    metrics: dict[str, float],
    params: dict[str, str | float | int],
    data_hash: str,
    lineage: dict,
    alias: str | None = ALIAS_CHALLENGER,
    run_name: str = "retrain",
) -> str:
    """Log one MLflow run with the pipeline, register it, record its sha256, set ``alias``."""
    import mlflow
    import mlflow.sklearn
    import sklearn

    client = mlflow_client()
    experiment = experiment_id(client, MLFLOW_EXPERIMENT)
    with mlflow.start_run(experiment_id=experiment, run_name=run_name) as run:
        mlflow.log_params(params)
        mlflow.log_metrics({k: float(v) for k, v in metrics.items()})
        mlflow.set_tags(
            {
                "data_hash": data_hash,
                TAG_COMPARED_WITH: champion_ref(),
                **{f"version.{k}": v for k, v in library_versions().items()},
            }
        )
        mlflow.log_dict(lineage, "lineage.json")
        info = mlflow.sklearn.log_model(
            pipeline,
            name="model",
            serialization_format="pickle",
            pip_requirements=[f"scikit-learn=={sklearn.__version__}"],
        )
    version = mlflow.register_model(info.model_uri, REGISTERED_MODEL_NAME)
    digest = hashlib.sha256(_pickle_path(client, version).read_bytes()).hexdigest()
    client.set_model_version_tag(REGISTERED_MODEL_NAME, version.version, "sha256", digest)
    client.set_model_version_tag(REGISTERED_MODEL_NAME, version.version, "run_id", run.info.run_id)
    client.set_model_version_tag(
        REGISTERED_MODEL_NAME, version.version, "lineage", json.dumps(lineage)[:4000]
    )
    if alias:
        client.set_registered_model_alias(REGISTERED_MODEL_NAME, alias, version.version)
    if alias == ALIAS_CHALLENGER:
        from turkmood.learning.shadow import mark_challenger

        mark_challenger(str(version.version))
    return str(version.version)


def _version(client: Any, ref: str) -> Any:
    """A model version by number or alias; RegistryError when there is none."""
    from mlflow.exceptions import MlflowException

    try:
        if str(ref).isdigit():
            return client.get_model_version(REGISTERED_MODEL_NAME, str(ref))
        return client.get_model_version_by_alias(REGISTERED_MODEL_NAME, ref)
    except MlflowException as exc:
        if exc.error_code not in ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE"):
            raise  # the store itself failed: _clear_errors names it
        raise RegistryError(f"no registered model version {ref!r}") from exc


@_clear_errors("load a registered model")
def load_registered(ref: str) -> Any:
    """The pipeline of a registered version (number or alias), sha256-verified on its bytes."""
    from turkmood.model import LoadedModel

    if not registry_exists():
        raise RegistryError("there is no model registry in this TURKMOOD_HOME yet")
    client = mlflow_client()
    version = _version(client, ref)
    expected = version.tags.get("sha256", "")
    data = _pickle_path(client, version).read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if not expected or actual != expected:
        raise ModelError(
            f"registered version {version.version} failed its checksum (expected "
            f"{expected[:12] or 'none'}…, found {actual[:12]}…); refusing to load it"
        )
    try:
        pipeline = pickle.loads(data)  # noqa: S301 - bytes verified against the registry's hash
    except Exception as exc:  # noqa: BLE001 - any unpickling failure becomes one clear message
        raise ModelError(
            f"registered version {version.version} could not be loaded: {exc}"
        ) from exc
    if sorted(map(str, getattr(pipeline, "classes_", []))) != sorted(CLASSES):
        raise ModelError(f"registered version {version.version} is not an emotion model")
    return LoadedModel(
        name=f"{REGISTRY_MODEL_PREFIX}{version.version}", pipeline=pipeline, sha256=actual
    )


def _run_metrics(client: Any, version: Any) -> dict[str, float]:
    run_id = version.tags.get("run_id") or version.run_id
    return dict(client.get_run(run_id).data.metrics) if run_id else {}


@_clear_errors("list the registered models")
def list_versions() -> list[ModelVersionInfo]:
    """Every registered version, newest first (empty when there is no registry)."""
    if not registry_exists():
        return []
    client = mlflow_client()
    found = client.search_model_versions(f"name='{REGISTERED_MODEL_NAME}'")
    if not found:
        return []
    aliases: dict[str, list[str]] = {}
    for alias, number in client.get_registered_model(REGISTERED_MODEL_NAME).aliases.items():
        aliases.setdefault(str(number), []).append(alias)
    out = []
    for version in sorted(found, key=lambda v: int(v.version), reverse=True):
        created = datetime.fromtimestamp(version.creation_timestamp / 1000, UTC)
        out.append(
            ModelVersionInfo(
                version=str(version.version),
                aliases=tuple(sorted(aliases.get(str(version.version), []))),
                created_utc=created.isoformat(timespec="seconds"),
                sha256=version.tags.get("sha256", ""),
                metrics=_run_metrics(client, version),
                lineage=json.loads(version.tags.get("lineage", "{}") or "{}"),
                run_id=version.tags.get("run_id", ""),
            )
        )
    return out


def champion_info() -> ModelVersionInfo | None:
    """The registered version serving as champion (its lineage and metrics); None: bundled."""
    pointer = champion_pointer()
    if pointer is None:
        return None
    return next((i for i in list_versions() if i.version == pointer["version"]), None)


def champion_trained_utc() -> str | None:
    """When the serving registry champion was registered; None for the bundled model."""
    pointer = champion_pointer()
    if pointer is None:
        return None
    for info in list_versions():
        if info.version == pointer["version"]:
            return info.created_utc
    return None


def _history(client: Any) -> list[str]:
    model = client.get_registered_model(REGISTERED_MODEL_NAME)
    return json.loads(model.tags.get(_HISTORY_TAG, "[]"))


def _gate(metrics: dict[str, float], compared_with: str) -> str | None:
    """Why the challenger may not be promoted, or None when it passes."""
    needed = (
        METRIC_USER_MACRO_F1,
        METRIC_CHAMPION_USER_MACRO_F1,
        METRIC_UCI_MACRO_F1,
        METRIC_CHAMPION_UCI_MACRO_F1,
    )
    missing = [m for m in needed if m not in metrics]
    if missing:
        return f"the challenger's run lacks {', '.join(missing)}"
    if compared_with != champion_ref():
        return (
            f"the challenger was compared with {compared_with}, but the champion is now "
            f"{champion_ref()}; retrain to compare it with the current champion"
        )
    user, champ_user = metrics[METRIC_USER_MACRO_F1], metrics[METRIC_CHAMPION_USER_MACRO_F1]
    if not user > champ_user:
        return (
            f"it is not better on your tracks: macro-F1 {user:.3f} vs the champion's "
            f"{champ_user:.3f} on the same folds"
        )
    uci, champ_uci = metrics[METRIC_UCI_MACRO_F1], metrics[METRIC_CHAMPION_UCI_MACRO_F1]
    if uci < champ_uci - PROMOTION_MAX_UCI_DROP:
        return (
            f"its UCI macro-F1 {uci:.3f} is more than {PROMOTION_MAX_UCI_DROP} below the "
            f"champion's {champ_uci:.3f}"
        )
    return None


@_clear_errors("promote the challenger")
def promote(force: bool = False, reason: str = "") -> PromotionResult:
    """Make the challenger champion if it passes the gate (or ``force``, with a reason)."""
    if not registry_exists():
        raise RegistryError("there is no challenger: run `python -m turkmood retrain` first")
    client = mlflow_client()
    challenger = _version(client, ALIAS_CHALLENGER)
    run = client.get_run(challenger.tags.get("run_id") or challenger.run_id)
    refusal = _gate(dict(run.data.metrics), run.data.tags.get(TAG_COMPARED_WITH, ""))
    before = champion_ref()
    to = f"v{challenger.version}"
    if refusal and not force:
        return PromotionResult("promote", False, before, to, False, f"Not promoted: {refusal}.")
    if force and not reason.strip():
        raise RegistryError("--force needs --reason: say why the gate is overridden")
    history = _history(client) + [before]
    client.set_registered_model_tag(REGISTERED_MODEL_NAME, _HISTORY_TAG, json.dumps(history))
    client.set_registered_model_alias(REGISTERED_MODEL_NAME, ALIAS_CHAMPION, challenger.version)
    client.delete_registered_model_alias(REGISTERED_MODEL_NAME, ALIAS_CHALLENGER)
    _write_pointer(str(challenger.version), challenger.tags.get("sha256", ""))
    from turkmood.learning.shadow import clear_challenger

    clear_challenger()
    why = reason.strip() if force else "passed the gate"
    if force and refusal:
        why = f"forced past the gate ({refusal}): {reason.strip()}"
    _audit("promote", before, to, bool(force and refusal), why)
    return PromotionResult(
        "promote", True, before, to, bool(force and refusal), f"{to} is champion ({why})."
    )


@_clear_errors("roll back")
def rollback() -> PromotionResult:
    """Restore the champion before the last promotion (possibly the bundled model)."""
    if not registry_exists():
        raise RegistryError("nothing to roll back: no model was ever promoted")
    client = mlflow_client()
    history = _history(client)
    if not history:
        raise RegistryError("nothing to roll back: no model was ever promoted")
    before, restored = champion_ref(), history.pop()
    client.set_registered_model_tag(REGISTERED_MODEL_NAME, _HISTORY_TAG, json.dumps(history))
    if restored == BUNDLED:
        client.delete_registered_model_alias(REGISTERED_MODEL_NAME, ALIAS_CHAMPION)
        _write_pointer(None)
    else:
        version = _version(client, restored.removeprefix("v"))
        client.set_registered_model_alias(REGISTERED_MODEL_NAME, ALIAS_CHAMPION, version.version)
        _write_pointer(str(version.version), version.tags.get("sha256", ""))
    _audit("rollback", before, restored, False, "rollback")
    return PromotionResult(
        "rollback", True, before, restored, False, f"{restored} is champion again."
    )
