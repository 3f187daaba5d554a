"""The downloadable drift report: one JSON document and one long CSV table (pure functions).

The timestamp is an argument, not read from the clock here, so identical inputs and seeds give
byte-identical reports.
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import asdict

import pandas as pd

from turkmood.constants import (
    DRIFT_FDR,
    IMPACT_GAIN,
    IMPACT_LEVELS,
    IMPACT_REFERENCE,
    IMPACT_TOP,
    PSI_BINS,
    PSI_EPSILON,
    PSI_MAJOR,
    PSI_MODERATE,
)
from turkmood.drift.audio_score import AudioDriftResult
from turkmood.drift.evaluate import TableDriftResult
from turkmood.drift.holdout import Holdout

#: Columns of the CSV report, in order.
CSV_COLUMNS = (
    "kind",
    "scenario",
    "title",
    "impact",
    "accuracy",
    "macro_f1",
    "delta_accuracy_pp",
    "feature",
    "psi",
    "psi_level",
    "ks_stat",
    "ks_p",
    "ks_p_adj",
    "drifted",
    "mean_shift_sd",
    "mean_abs_shift_sd",
)


def _clean(value):
    """JSON-safe value: NaN/inf -> None, numpy scalars -> Python numbers, rounded floats."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float):
        return round(value, 10) if math.isfinite(value) else None
    return value


def metadata(holdout: Holdout, model_name: str, created_at: str) -> dict:
    """Model version, data hash, split sizes, seeds, thresholds and the timestamp."""
    return {
        "model": model_name,
        "model_version": holdout.source_version,
        "evaluated_model": (
            f"clone of {holdout.source_version} refitted on the training part of the split"
        ),
        "data_sha256": holdout.data_sha256,
        "split": {**holdout.sizes, "held_out_share": holdout.test_share, "stratified": True},
        "seed": holdout.seed,
        "psi": {
            "bins": PSI_BINS,
            "binning": "quantiles of the training part",
            "empty_bin_floor": PSI_EPSILON,
            "moderate": PSI_MODERATE,
            "major": PSI_MAJOR,
        },
        "ks": {
            "test": "scipy.stats.ks_2samp",
            "correction": "Benjamini-Hochberg",
            "fdr": DRIFT_FDR,
        },
        "drifted_feature_rule": f"BH-adjusted KS p < {DRIFT_FDR} and PSI >= {PSI_MODERATE}",
        "impact_levels_pp": {name: upper for upper, name in IMPACT_LEVELS} | {IMPACT_TOP: None},
        "impact_rule": (
            f"losses rated by size (upper bounds above, pp of accuracy lost; {IMPACT_LEVELS[0][1]} "
            f"below {IMPACT_LEVELS[0][0]:g} pp either way); a gain of at least "
            f"{IMPACT_LEVELS[0][0]:g} pp is {IMPACT_GAIN}; the baseline is the "
            f"{IMPACT_REFERENCE}, not rated"
        ),
        "created_at": created_at,
    }


def _table_part(result: TableDriftResult) -> list[dict]:
    return [
        {
            "key": s.key,
            "title": s.title,
            "description": s.description,
            "rows": s.n_rows,
            "accuracy": s.accuracy,
            "macro_f1": s.macro_f1,
            "delta_accuracy_pp": s.delta_pp,
            "impact": s.impact,
            "drifted_features": s.n_drifted,
            "prediction_shares": s.prediction_shares,
            "predictions_changed": s.changed_share,
            "missing_share": s.missing_share,
            "confusion": {"labels_true_rows_predicted_columns": s.confusion},
            "features": s.features.reset_index().to_dict(orient="records"),
        }
        for s in result.scenarios
    ]


def _audio_part(audio: AudioDriftResult) -> dict:
    return {
        "clips": audio.clip_names,
        "labels": audio.labels,
        "excerpt_s": audio.excerpt_s,
        "original_accuracy": audio.original_accuracy,
        "config": asdict(audio.config),
        "skipped": audio.skipped,
        "scenarios": [
            {
                "key": s.key,
                "title": s.title,
                "clips": s.n_clips,
                "accuracy": s.accuracy,
                "macro_f1": s.macro_f1,
                "delta_accuracy_pp": s.delta_pp,
                "impact": s.impact,
                "predictions_changed": s.changed_share,
                "mean_probability_shift": s.mean_probability_shift,
                "mean_abs_shift_sd": s.mean_abs_shift_sd,
                "prediction_shares": s.prediction_shares,
                "per_clip": s.clips.to_dict(orient="records"),
                "features": s.features.reset_index().to_dict(orient="records"),
            }
            for s in audio.scenarios
        ],
    }


def build_report(
    table: TableDriftResult, meta: dict, audio: AudioDriftResult | None = None
) -> dict:
    """The whole report as a JSON-ready dict (metadata, table scenarios, optional audio part)."""
    config = asdict(table.config)
    config["features"] = list(config["features"])
    report = {
        "metadata": meta,
        "table_scenarios": {"config": config, "seed": table.seed, "results": _table_part(table)},
        "audio_scenarios": _audio_part(audio) if audio is not None else None,
    }
    return _clean(report)


def report_json(report: dict) -> str:
    """The report as indented JSON text (keys in a fixed order)."""
    return json.dumps(report, indent=2, ensure_ascii=False, allow_nan=False)


#: Scenario fields repeated on each of its feature rows in the CSV report.
_SCENARIO_HEAD = ("title", "impact", "accuracy", "macro_f1", "delta_accuracy_pp")


def report_frame(report: dict) -> pd.DataFrame:
    """One row per (scenario, feature), table and audio scenarios, columns ``CSV_COLUMNS``."""
    audio = report.get("audio_scenarios") or {}
    scenarios = [("table", s) for s in report["table_scenarios"]["results"]]
    scenarios += [("audio", s) for s in audio.get("scenarios", [])]
    rows = []
    for kind, s in scenarios:
        head = {"kind": kind, "scenario": s["key"], **{k: s[k] for k in _SCENARIO_HEAD}}
        rows += [{**head, **f} for f in s["features"]]
    return pd.DataFrame(rows).reindex(columns=list(CSV_COLUMNS))


def report_csv(report: dict) -> str:
    """The long CSV table of :func:`report_frame`."""
    buffer = io.StringIO()
    report_frame(report).to_csv(buffer, index=False)
    return buffer.getvalue()
