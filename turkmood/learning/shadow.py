"""Shadow mode: while a challenger exists, every prediction is also scored by it (not shown as
the answer), so its live agreement with the champion can be watched before a promotion.

The challenger is found from CHALLENGER_POINTER_NAME under TURKMOOD_HOME (written when a
challenger is registered, removed when it is promoted), so a home without one never imports
MLflow. Scoring reuses the clip's already-extracted window features: it costs one
``predict_proba``, no second extraction.
"""

from __future__ import annotations

import json
import os
import warnings
from functools import lru_cache

import pandas as pd

from turkmood.constants import CHALLENGER_POINTER_NAME, CLASSES, REGISTRY_MODEL_PREFIX
from turkmood.home import state_path

__all__ = ["clear_challenger", "mark_challenger", "shadow_agreement", "shadow_verdict"]


def mark_challenger(version: str) -> None:
    """Record that ``version`` is the challenger (called at registration)."""
    path = state_path(CHALLENGER_POINTER_NAME)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"version": str(version)}))
    os.replace(tmp, path)


def clear_challenger() -> None:
    """No challenger any more (it was promoted)."""
    state_path(CHALLENGER_POINTER_NAME).unlink(missing_ok=True)


def _challenger_version() -> str | None:
    try:
        version = str(json.loads(state_path(CHALLENGER_POINTER_NAME).read_text())["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return version if version.isdigit() else None


@lru_cache(maxsize=2)
def _challenger(version: str):
    from turkmood.model import load_model

    return load_model(f"{REGISTRY_MODEL_PREFIX}{version}")


def shadow_verdict(features: pd.DataFrame) -> tuple[str, str] | None:
    """``(challenger version, its track verdict)`` for a clip's window features, or None.

    Never raises: a challenger that cannot be loaded gives a RuntimeWarning and None.
    """
    version = _challenger_version()
    if version is None:
        return None
    try:
        from turkmood.model import predict_proba

        model = _challenger(version)
        mean = predict_proba(model, features).mean(axis=0)
    except Exception as exc:  # noqa: BLE001 - the shadow never affects the real prediction
        warnings.warn(f"shadow scoring skipped ({exc})", RuntimeWarning, stacklevel=2)
        return None
    return model.version, str(mean[list(CLASSES)].idxmax())


def shadow_agreement(log: pd.DataFrame) -> tuple[str, int, float] | None:
    """Over the log rows scored by the newest shadow version: (version, rows, share agreeing
    with the champion's verdict); None when no row has a shadow verdict."""
    if log.empty or "shadow_version" not in log or log["shadow_version"].isna().all():
        return None
    scored = log.dropna(subset=["shadow_version"])
    version = str(scored["shadow_version"].iloc[-1])
    rows = scored[scored["shadow_version"] == version]
    agree = float((rows["shadow_predicted"] == rows["predicted"]).mean())
    return version, len(rows), agree
