""" "Export this analysis": one song's result as JSON or CSV (pure, no Streamlit).

Both carry the track probabilities and decision, the 50 features of the explained window and
the SHAP value of each feature for the explained class, so the numbers on screen can be
reproduced or audited elsewhere.
"""

from __future__ import annotations

import json

import pandas as pd

from turkmood.analyze import Analysis
from turkmood.constants import CLASSES, FEATURE_NAMES
from turkmood.decision import status
from turkmood.explain import Explanation
from turkmood.glossary import feature_info
from turkmood.results import to_csv_bytes

#: Version of the export layout (bump when keys or columns change).
EXPORT_FORMAT = 1


def _window_rows(analysis: Analysis) -> list[dict[str, object]]:
    rows = []
    for _, row in analysis.timeline.iterrows():
        entry: dict[str, object] = {
            "start_s": round(float(row["start_s"]), 3),
            "end_s": round(float(row["end_s"]), 3),
        }
        entry.update({c: float(row[c]) for c in CLASSES})
        entry["decision"] = str(row["decision"])
        rows.append(entry)
    return rows


def analysis_dict(
    name: str, analysis: Analysis, explanation: Explanation | None
) -> dict[str, object]:
    """Everything exported, as plain JSON-ready Python values."""
    track = analysis.track.iloc[0]
    window = analysis.representative_window
    ood = analysis.ood[window]
    out: dict[str, object] = {
        "format": EXPORT_FORMAT,
        "clip": name,
        "model_version": analysis.model_version,
        "duration_s": round(float(analysis.duration_s), 3),
        "decision": str(track["decision"]),
        "status": status(str(track["decision"])),
        "predicted": str(track["predicted"]),
        "confidence": float(track["confidence"]),
        "probabilities": {c: float(track[c]) for c in CLASSES},
        "windows": _window_rows(analysis),
        "explained_window": window,
        "features": {f: float(analysis.features.iloc[window][f]) for f in FEATURE_NAMES},
        "imputed_features": list(analysis.imputed[window]),
        "out_of_distribution": {
            "flag": bool(analysis.is_ood),
            "distance": float(ood.distance),
            "threshold": float(ood.threshold),
            "out_of_range": list(ood.out_of_range),
            "most_off": [{"feature": f, "robust_z": float(z)} for f, z in ood.most_off],
        },
        "notes": list(analysis.notes),
        "explanation": None,
    }
    if explanation is not None:
        values = explanation.table.set_index("feature")["shap"]
        out["explanation"] = {
            "target": explanation.target,
            "method": explanation.kind,
            "units": explanation.units,
            "base_value": explanation.base_value,
            "shap": {f: float(values[f]) for f in FEATURE_NAMES},
        }
    return out


def analysis_json(name: str, analysis: Analysis, explanation: Explanation | None) -> bytes:
    """UTF-8 JSON of :func:`analysis_dict` (indented, keys in a stable order)."""
    return json.dumps(analysis_dict(name, analysis, explanation), indent=2).encode("utf-8")


def analysis_table(name: str, analysis: Analysis, explanation: Explanation | None) -> pd.DataFrame:
    """One row per feature: value, plain name, unit and SHAP, with the verdict repeated."""
    data = analysis_dict(name, analysis, explanation)
    shap_values = data["explanation"]["shap"] if data["explanation"] else {}
    rows = []
    for feature in FEATURE_NAMES:
        info = feature_info(feature)
        row = {
            "clip": name,
            "model_version": data["model_version"],
            "decision": data["decision"],
        }
        row.update({f"p_{c}": data["probabilities"][c] for c in CLASSES})
        row.update(
            {
                "feature": feature,
                "plain_name": info.label,
                "unit": info.unit,
                "value": data["features"][feature],
                "shap_target": explanation.target if explanation else "",
                "shap": shap_values.get(feature, float("nan")),
            }
        )
        rows.append(row)
    return pd.DataFrame(rows)


def analysis_csv(name: str, analysis: Analysis, explanation: Explanation | None) -> bytes:
    """CSV bytes of :func:`analysis_table` (formula-safe)."""
    return to_csv_bytes(analysis_table(name, analysis, explanation))
