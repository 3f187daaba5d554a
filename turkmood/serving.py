"""What the REST API (``api/``) computes, as JSON-ready values; no web framework in here.

Each function is the whole work of one endpoint, so the routes only validate, call one function
and serialise. :func:`score_clip` runs in the API's worker processes: it is module-level and its
inputs and result are picklable. The numbers are the library's own: a clip's payload is built
from :func:`turkmood.analyze.analyze` and :func:`turkmood.analysis_export.analysis_dict`, the
same values the app shows and exports.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from turkmood.analysis_export import analysis_dict
from turkmood.analyze import Analysis, analyze
from turkmood.batch import bytes_sha256
from turkmood.constants import (
    CLASSES,
    FEATURE_NAMES,
    METRICS_PATH,
    MODEL_MAX_ABS_VALUE,
    REGISTRY_MODEL_PREFIX,
    SHAP_TOP_FEATURES,
)
from turkmood.decision import status
from turkmood.errors import NotFoundError, TableError, UnknownModelError
from turkmood.model import available_models, cached_model, default_model_name, predict_features
from turkmood.ood import check_features

__all__ = [
    "ScoredClip",
    "champion_version",
    "check_model_name",
    "save_label",
    "feature_frame",
    "model_listing",
    "prediction_payload",
    "score_clip",
    "score_feature_rows",
    "warm_up",
]


@dataclass(frozen=True)
class ScoredClip:
    """A clip's API payload with what the prediction log needs."""

    payload: dict
    analysis: Analysis
    clip_hash: str
    #: Seconds spent decoding, extracting and predicting (and explaining, when asked).
    compute_s: float


def check_model_name(name: str | None) -> str | None:
    """``name`` if it is a bundled or registered model; ``None`` (the champion) when empty."""
    if name is None or name == "":
        return None
    names = available_models()
    if name not in names and not re.fullmatch(re.escape(REGISTRY_MODEL_PREFIX) + r"\d{1,9}", name):
        raise UnknownModelError(f"unknown model {name!r}; available: {', '.join(names)}")
    return name


@lru_cache(maxsize=4)
def _explainer(model_name: str):
    """The SHAP explainer of a bundled model, built once per process."""
    from turkmood.data import load_training_data
    from turkmood.explain import build_explainer

    return build_explainer(cached_model(model_name), load_training_data().X)


def champion_version() -> str:
    """Version string of the model answering requests without ``model`` (the champion)."""
    return cached_model().version


def warm_up(model_name: str | None = None) -> str:
    """Load the model and the OOD detector and run the extractor once (compiles its kernels).

    Returns the model version. Called once in every API worker process at start.
    """
    import numpy as np

    from turkmood.analyze import analyze_signal
    from turkmood.constants import ANALYSIS_SR
    from turkmood.ood import training_detector

    model = cached_model(check_model_name(model_name))
    training_detector()
    t = np.arange(int(2 * ANALYSIS_SR)) / ANALYSIS_SR
    analyze_signal(0.3 * np.sin(2 * np.pi * 440.0 * t) * (1 + np.sin(3 * t)), ANALYSIS_SR, model)
    return model.version


def prediction_payload(name: str, analysis: Analysis, explanation: object | None) -> dict:
    """The API's answer for one clip, built from the export dict (one schema for both)."""
    from turkmood.explain import reason_lines, summary_sentence

    full = analysis_dict(name, analysis, explanation)
    ood = full["out_of_distribution"]
    payload = {
        key: full[key]
        for key in (
            "clip",
            "model_version",
            "duration_s",
            "predicted",
            "confidence",
            "decision",
            "status",
            "probabilities",
            "notes",
        )
    }
    payload["ood"] = {
        "flag": ood["flag"],
        "distance": ood["distance"],
        "threshold": ood["threshold"],
        "most_unusual": ood["most_off"],
        "out_of_range": ood["out_of_range"],
    }
    payload["timeline"] = full["windows"]
    payload["features"] = full["features"]
    payload["explanation"] = None
    if explanation is not None:
        payload["explanation"] = {
            "target": explanation.target,
            "method": explanation.kind,
            "summary": summary_sentence(explanation),
            "reasons": reason_lines(explanation, SHAP_TOP_FEATURES),
        }
    return payload


def score_clip(
    data: bytes, name: str, model_name: str | None = None, explain: bool = False
) -> ScoredClip:
    """Analyse uploaded bytes (AudioError on bad audio) and build the payload."""
    start = time.perf_counter()
    model = cached_model(check_model_name(model_name))
    analysis = analyze(data, model)
    explanation = None
    if explain:
        from turkmood.explain import explain as explain_row

        explanation = explain_row(
            _explainer(model.name), analysis.track_features, analysis.predicted
        )
    payload = prediction_payload(name, analysis, explanation)
    return ScoredClip(payload, analysis, bytes_sha256(data), time.perf_counter() - start)


def _short(names: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" … ({len(names)} in all)" if len(names) > limit else "")


def _number(value: object) -> float:
    """``value`` as a float the model can take, or NaN (reported by the caller)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return math.nan
    number = float(value)
    return number if math.isfinite(number) and abs(number) <= MODEL_MAX_ABS_VALUE else math.nan


def feature_frame(rows: Sequence[Mapping[str, object]]) -> pd.DataFrame:
    """Feature rows (dicts of the 50 names) as a table; TableError naming every problem.

    Missing, extra and non-numeric/non-finite columns (including values beyond float32, which
    the models cannot take) are refused with their names and row numbers (1-based).
    """
    if not rows:
        raise TableError("no feature rows given")
    problems: list[str] = []
    values = []
    expected = set(FEATURE_NAMES)
    for i, row in enumerate(rows, start=1):
        missing = [f for f in FEATURE_NAMES if f not in row]
        extra = sorted(str(k) for k in row if k not in expected)
        if missing:
            problems.append(f"row {i}: {len(missing)} missing column(s): {_short(missing)}")
        if extra:
            problems.append(f"row {i}: unknown column(s): {_short(extra)}")
        numbers = {f: _number(row.get(f)) for f in FEATURE_NAMES}
        bad = [f for f in FEATURE_NAMES if f in row and math.isnan(numbers[f])]
        if bad:
            problems.append(
                f"row {i}: non-numeric or non-finite value(s) in column(s): {_short(bad)}"
            )
        values.append(numbers)
    if problems:
        raise TableError("; ".join(problems[:10]) + (" …" if len(problems) > 10 else ""))
    return pd.DataFrame(values, columns=list(FEATURE_NAMES))


def score_feature_rows(rows: Sequence[Mapping[str, object]], model_name: str | None = None) -> dict:
    """Predictions for feature rows: per row probabilities, decision and OOD verdict."""
    model = cached_model(check_model_name(model_name))
    features = feature_frame(rows)
    verdicts = check_features(features)
    predictions = predict_features(features, model, verdicts)
    out = []
    for (_, pred), ood in zip(predictions.iterrows(), verdicts, strict=True):
        out.append(
            {
                "predicted": str(pred["predicted"]),
                "confidence": float(pred["confidence"]),
                "decision": str(pred["decision"]),
                "status": status(str(pred["decision"])),
                "probabilities": {c: float(pred[c]) for c in CLASSES},
                "ood": {
                    "flag": bool(ood.is_ood),
                    "distance": float(ood.distance),
                    "threshold": float(ood.threshold),
                    "most_unusual": [{"feature": f, "robust_z": float(z)} for f, z in ood.most_off],
                    "out_of_range": list(ood.out_of_range),
                },
            }
        )
    return {"model_version": model.version, "rows": out}


def _metrics() -> dict:
    import json

    try:
        return json.loads(METRICS_PATH.read_text()).get("models", {})
    except (OSError, ValueError):
        return {}


def model_listing() -> dict:
    """Bundled models (repeated-CV metrics) and registered versions (their comparison
    metrics and aliases); the champion marked."""
    from turkmood.learning.store import registry_exists

    champion = default_model_name()
    metrics = _metrics()
    models = []
    for name in available_models():
        if name.startswith(REGISTRY_MODEL_PREFIX):
            continue
        entry = metrics.get(name, {})
        models.append(
            {
                "name": name,
                "source": "bundled",
                "version": cached_model(name).version if name == champion else None,
                "champion": name == champion,
                "aliases": [],
                "description": entry.get("description", ""),
                "cv": {
                    key: entry[key]["mean"]
                    for key in ("accuracy", "macro_f1", "ece")
                    if isinstance(entry.get(key), dict) and "mean" in entry[key]
                },
            }
        )
    if registry_exists():
        from turkmood.learning.registry import list_versions

        for info in list_versions():
            name = f"{REGISTRY_MODEL_PREFIX}{info.version}"
            per_class = info.lineage.get("per_class", {})
            models.append(
                {
                    "name": name,
                    "source": "registry",
                    "version": f"{name}@{info.sha256[:12]}",
                    "champion": name == champion,
                    "aliases": list(info.aliases),
                    "description": f"retrained on {info.lineage.get('n_tracks', 0)} labelled "
                    f"track(s) {per_class}",
                    "cv": {
                        "macro_f1": info.metrics.get("uci_macro_f1"),
                        "user_macro_f1": info.metrics.get("user_macro_f1"),
                        "champion_user_macro_f1": info.metrics.get("champion_user_macro_f1"),
                    },
                    "created_utc": info.created_utc,
                }
            )
    for m in models:
        m["cv"] = {k: v for k, v in m["cv"].items() if v is not None}
    return {"champion": champion, "models": models}


def save_label(
    emotion: str, prediction_id: int | None = None, clip_hash: str | None = None
) -> dict:
    """Store a person's label for a logged prediction in the app's feedback store.

    The prediction (by id, else the newest of the clip hash) supplies the clip name, model
    version, probabilities and features; NotFoundError when it is not in the log.
    """
    from turkmood.feedback import FeedbackRecord, save_feedback
    from turkmood.telemetry.prediction_log import find_prediction

    if prediction_id is None and not clip_hash:
        raise TableError("give the prediction_id or the clip_hash of a scored clip")
    entry = find_prediction(prediction_id=prediction_id, clip_hash=clip_hash)
    if entry is None or entry["features"] is None:
        raise NotFoundError("no logged prediction with that id or clip hash")
    record = FeedbackRecord(
        clip_name=entry["clip_name"],
        model_version=entry["model_version"],
        predicted=entry["predicted"],
        decision=entry["decision"],
        confidence=float(entry["confidence"]),
        true_emotion=emotion,
        probabilities=entry["probabilities"],
        features=entry["features"],
    )
    return {"feedback_id": save_feedback(record), "clip_name": record.clip_name, "emotion": emotion}


def admin_action(action: str, force: bool = False, reason: str = "") -> dict:
    """Retrain (quick protocol, registers a challenger), promote or roll back; a JSON answer."""
    from turkmood.learning import registry

    if action == "train":
        from turkmood.learning.challenger import register_challenger
        from turkmood.learning.retrain import RetrainConfig, retrain, write_report

        result = retrain(config=RetrainConfig.quick())
        write_report(result.report)
        version = register_challenger(result)
        return {"action": "train", "done": True, "challenger": version, "report": result.report}
    outcome = registry.promote(force, reason) if action == "promote" else registry.rollback()
    return {
        "action": outcome.action,
        "done": outcome.done,
        "from": outcome.from_version,
        "to": outcome.to_version,
        "forced": outcome.forced,
        "message": outcome.message,
    }
