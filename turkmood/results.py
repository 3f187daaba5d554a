"""The one batch-results schema, shared by the app's downloads and the CLI."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from turkmood.constants import CLASSES, FEATURE_NAMES
from turkmood.decision import status

#: Column order of every results CSV (features appended when requested): what a person reads
#: first comes first — the file, ``status`` (accepted / review / failed: the column to filter on),
#: the decision in the app's own words and, for a failed file, why.
RESULT_COLUMNS: tuple[str, ...] = (
    "file",
    "status",
    "decision",
    "error",
    "predicted",
    "confidence",
    *(f"p_{c}" for c in CLASSES),
    "duration_s",
    "ood",
    "model_version",
)
#: ``status`` of a row whose input could not be scored.
FAILED = "failed"
#: Column added after ``model_version`` when the content hash of each input is known (audio files);
#: ``predict --resume`` uses it to skip files already scored.
HASH_COLUMN = "sha256"
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: object) -> object:
    """Prefix text cells that a spreadsheet would run as a formula with a single quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def results_frame(
    names: Sequence[str],
    predictions: pd.DataFrame | None,
    model_version: str,
    *,
    durations: Sequence[float | None] | None = None,
    ood: Sequence[bool | None] | None = None,
    errors: Sequence[str | None] | None = None,
    features: pd.DataFrame | None = None,
    hashes: Sequence[str | None] | None = None,
) -> pd.DataFrame:
    """Assemble the results table: one row per input, errors in their own rows.

    ``predictions`` is the output of :func:`turkmood.model.predict_features` aligned with
    ``names`` (rows of failed inputs may hold NaN); ``hashes`` adds the ``sha256`` content-hash
    column and ``features`` the 50 feature columns after it.
    """
    n = len(names)
    out = pd.DataFrame({"file": list(names)})
    out["duration_s"] = list(durations) if durations is not None else [None] * n
    if predictions is not None:
        preds = predictions.reset_index(drop=True)
        out["predicted"] = preds["predicted"]
        out["confidence"] = preds["confidence"].round(4)
        out["decision"] = preds["decision"]
        for c in CLASSES:
            out[f"p_{c}"] = preds[c].round(4)
    else:
        for col in ("predicted", "confidence", "decision", *(f"p_{c}" for c in CLASSES)):
            out[col] = None
    out["ood"] = list(ood) if ood is not None else [None] * n
    out["error"] = [e or "" for e in errors] if errors is not None else [""] * n
    failed = out["error"].astype(bool) | out["decision"].isna()
    out["status"] = [
        FAILED if f else status(str(d)) for f, d in zip(failed, out["decision"], strict=True)
    ]
    out.loc[failed, ["decision", "predicted"]] = ""
    out["model_version"] = model_version
    out = out[list(RESULT_COLUMNS)]
    if hashes is not None:
        out[HASH_COLUMN] = [h or "" for h in hashes]
    if features is not None:
        feats = features.reset_index(drop=True)[list(FEATURE_NAMES)]
        out = pd.concat([out, feats], axis=1)
    return out


def to_csv_bytes(df: pd.DataFrame, header: bool = True) -> bytes:
    """UTF-8 CSV bytes with formula-like text cells neutralised (``header=False``: rows only)."""
    safe = df.copy()
    for col in safe.columns:
        if safe[col].dtype == object or pd.api.types.is_string_dtype(safe[col]):
            safe[col] = safe[col].map(neutralise_formula)
    return safe.to_csv(index=False, header=header, lineterminator="\n").encode("utf-8")
