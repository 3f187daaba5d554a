"""Reading ``models/metrics.json`` into tables for the Model card (pure, no Streamlit).

The file is read defensively: keys may be missing or added by newer training runs.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from turkmood.constants import CLASSES

#: (metrics.json key, column title) of the summary table, in display order.
SUMMARY_METRICS: tuple[tuple[str, str], ...] = (
    ("accuracy", "accuracy"),
    ("macro_f1", "macro F1"),
    ("ece", "ECE (lower is better)"),
)


def mean_std(entry: object) -> tuple[float | None, float | None]:
    """``(mean, std)`` of a ``{"mean", "std"}`` entry; a bare number has no std."""
    if isinstance(entry, Mapping):
        mean, std = entry.get("mean"), entry.get("std")
        return (
            float(mean) if mean is not None else None,
            float(std) if std is not None else None,
        )
    if isinstance(entry, (int, float)):
        return float(entry), None
    return None, None


def format_mean_std(entry: object) -> str:
    """``0.812 ± 0.031`` (three decimals), ``0.812`` without std, ``—`` when absent."""
    mean, std = mean_std(entry)
    if mean is None:
        return "—"
    return f"{mean:.3f}" if std is None else f"{mean:.3f} ± {std:.3f}"


def summary_table(metrics: Mapping) -> pd.DataFrame:
    """One row per model with ``mean ± std`` of accuracy, macro F1 and ECE; default first."""
    models = metrics.get("models") or {}
    default = metrics.get("default_model")
    names = sorted(models, key=lambda n: (n != default, n))
    rows = []
    for name in names:
        row = {"model": f"{name} (default)" if name == default else name}
        for key, title in SUMMARY_METRICS:
            row[title] = format_mean_std(models[name].get(key))
        rows.append(row)
    return pd.DataFrame(rows, columns=["model", *(t for _, t in SUMMARY_METRICS)])


#: Keys under which a matrix may be stored, per requested kind (first found wins).
_MATRIX_KEYS = {
    True: ("row_normalised", "normalized", "normalised"),
    False: ("counts_summed_over_folds", "counts", "matrix"),
}


def confusion(
    model_metrics: Mapping, normalised: bool = True
) -> tuple[list[list[float]], list[str]] | None:
    """``(matrix, labels)`` of a model's confusion matrix, or None when it is not recorded.

    Accepts a mapping with ``labels`` and ``row_normalised`` / ``counts_summed_over_folds``
    (as written by training) or a plain square list in ``CLASSES`` order.
    """
    entry = model_metrics.get("confusion_matrix")
    labels: list[str] = list(CLASSES)
    if isinstance(entry, Mapping):
        labels = [str(c) for c in entry.get("labels", CLASSES)]
        entry = next((entry[k] for k in _MATRIX_KEYS[normalised] if k in entry), None)
    if not isinstance(entry, list) or len(entry) != len(labels):
        return None
    if any(not isinstance(r, list) or len(r) != len(labels) for r in entry):
        return None
    return [[float(v) for v in r] for r in entry], labels


def deployment_table(metrics: Mapping) -> pd.DataFrame | None:
    """The deployment criteria recorded by training for the default model, or None if absent."""
    criteria = metrics.get("deployment_criteria")
    if not isinstance(criteria, Mapping):
        return None
    rows = []
    for name, check in criteria.items():
        if not isinstance(check, Mapping):
            continue
        value = check.get("value")
        rows.append(
            {
                "criterion": name,
                "rule": str(check.get("rule", "")),
                "measured": f"{float(value):.3f}" if isinstance(value, (int, float)) else "—",
                "met": "yes" if check.get("met") else "no",
            }
        )
    return pd.DataFrame(rows, columns=["criterion", "rule", "measured", "met"])


def per_class_f1(model_metrics: Mapping) -> dict[str, float]:
    """Per-class F1 means as plain floats (entries may be numbers or ``{"mean", "std"}``)."""
    raw = model_metrics.get("per_class_f1") or {}
    if not isinstance(raw, Mapping):
        return {}
    out = {}
    for cls, entry in raw.items():
        mean, _ = mean_std(entry)
        if mean is not None:
            out[str(cls)] = mean
    return out
