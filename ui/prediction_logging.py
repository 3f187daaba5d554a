"""Append the app's predictions to the prediction log, once per clip and model per session."""

from __future__ import annotations

import hashlib
import warnings

import streamlit as st

from turkmood.analyze import Analysis
from turkmood.learning.clip_store import keep_if_uncertain
from turkmood.telemetry.prediction_log import log_prediction, record_from_analysis

#: Session-state key: (clip hash, model version) pairs already logged in this session.
LOGGED_KEY = "prediction-log-seen"


def log_app_prediction(name: str, data: bytes, analysis: Analysis, latency_s: float) -> None:
    """Log the verdict shown for ``data`` (reruns of the same page are not new predictions)."""
    clip_hash = hashlib.sha256(data).hexdigest()
    seen: set = st.session_state.setdefault(LOGGED_KEY, set())
    key = (clip_hash, analysis.model_version)
    if key in seen:
        return
    seen.add(key)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        log_prediction(
            record_from_analysis(
                analysis, source="app", clip_hash=clip_hash, clip_name=name, latency_s=latency_s
            )
        )
    keep_if_uncertain(clip_hash, data, analysis.decision, analysis.is_ood)  # label queue player
    for warning in caught:  # the prediction stands; the log write is best effort
        print(f"turkmood: {warning.message}")
