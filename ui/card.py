"""Reading ``models/metrics.json`` into tables for the Model card (pure, no Streamlit).

The file is read defensively: keys may be missing or added by newer training runs.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from turkmood.constants import CLASSES, CRITERION_LABELS, ECE_PER_FOLD_LABEL, ECE_POOLED_LABEL

#: (metrics.json key, column title) of the summary table, in display order.
SUMMARY_METRICS: tuple[tuple[str, str], ...] = (
    ("accuracy", "accuracy"),
    ("macro_f1", "macro F1"),
    ("ece", ECE_PER_FOLD_LABEL),
    ("ece_pooled_oof", ECE_POOLED_LABEL),
)
#: What ECE is and how the two figures differ (shown under the summary table).
ECE_HELP = (
    "ECE (expected calibration error, lower is better): the gap between the confidence the "
    "model states and how often it is right, averaged over 15 confidence bins. "
    f"**{ECE_PER_FOLD_LABEL}** is computed on each test fold of about 39 songs and averaged; the "
    "few songs per bin inflate it. "
    f"**{ECE_POOLED_LABEL}** is computed once on all out-of-fold predictions of a CV repeat "
    "(every song predicted once by a model that never saw it), averaged over the repeats: the "
    "better estimate of the probabilities the app shows. The README quotes both."
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


def _sort_key(name: str, entry: Mapping) -> tuple[float, float, str]:
    f1, _ = mean_std(entry.get("macro_f1"))
    accuracy, _ = mean_std(entry.get("accuracy"))
    return (-(f1 if f1 is not None else -1.0), -(accuracy or 0.0), name)


def summary_table(metrics: Mapping) -> pd.DataFrame:
    """One row per model with ``mean ± std`` of accuracy, macro F1 and both ECE figures.

    Sorted by macro F1, best first (ties: accuracy, then name); the default is marked.
    """
    models = metrics.get("models") or {}
    default = metrics.get("default_model")
    names = sorted(models, key=lambda n: _sort_key(n, models[n]))
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


def format_rule(rule: object) -> str:
    """``>= 0.8`` -> ``≥ 0.80``; anything else unchanged."""
    parts = str(rule or "").split()
    symbols = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}
    if len(parts) == 2 and parts[0] in symbols:
        try:
            return f"{symbols[parts[0]]} {float(parts[1]):.2f}"
        except ValueError:
            pass
    return str(rule or "")


def criterion_label(key: str) -> str:
    """Human name of a deployment criterion (its metrics.json key if unknown)."""
    return CRITERION_LABELS.get(key, key.replace("_", " "))


def _criteria(metrics: Mapping) -> list[tuple[str, Mapping]]:
    """``(key, check)`` of the recorded criteria: known ones in display order, then the rest."""
    criteria = metrics.get("deployment_criteria")
    if not isinstance(criteria, Mapping):
        return []
    order = list(CRITERION_LABELS)
    keys = [k for k, v in criteria.items() if isinstance(v, Mapping)]
    keys.sort(key=lambda k: (order.index(k) if k in order else len(order), k))
    return [(k, criteria[k]) for k in keys]


def deployment_table(metrics: Mapping) -> pd.DataFrame | None:
    """The deployment criteria recorded by training for the default model, or None if absent.

    Human names, in a fixed order (accuracy, macro F1, F1 gap, then any others by key).
    """
    if not isinstance(metrics.get("deployment_criteria"), Mapping):
        return None
    rows = []
    for name, check in _criteria(metrics):
        value = check.get("value")
        rows.append(
            {
                "criterion": criterion_label(name),
                "rule": format_rule(check.get("rule")),
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


def _most_confused(model_metrics: Mapping, cls: str) -> tuple[str, float] | None:
    """The class ``cls`` is most often mistaken for, and the share of ``cls`` songs it gets."""
    cm = confusion(model_metrics, normalised=True)
    if cm is None or cls not in cm[1]:
        return None
    matrix, labels = cm
    i = labels.index(cls)
    others = [(matrix[i][j], labels[j]) for j in range(len(labels)) if j != i]
    if not others:
        return None
    share, other = max(others)
    return other, share


def deployment_consequence(metrics: Mapping) -> str | None:
    """What unmet deployment criteria mean for a user's result, in plain words (Markdown).

    None when every criterion is met or none is recorded.
    """
    failed = [(k, c) for k, c in _criteria(metrics) if not c.get("met")]
    if not failed:
        return None
    default = metrics.get("default_model")
    entry = (metrics.get("models") or {}).get(default) or {}
    f1 = per_class_f1(entry)
    sentences = []
    weak: list[str] = []
    for key, check in failed:
        value = check.get("value")
        rule = format_rule(check.get("rule"))
        if key == "per_class_f1_gap" and len(f1) >= 2:
            best = max(f1, key=f1.get)
            worst = min(f1, key=f1.get)
            weak.append(worst)
            text = (
                f"The model recognises **{best}** songs much better than **{worst}** ones "
                f"(F1 {f1[best]:.2f} vs {f1[worst]:.2f}; the rule asks for a gap {rule})."
            )
            confused = _most_confused(entry, worst)
            if confused is not None:
                weak.append(confused[0])
                text += (
                    f" In cross-validation {confused[1]:.0%} of the {worst} songs were called "
                    f"{confused[0]}."
                )
            sentences.append(text)
        elif key == "accuracy" and isinstance(value, (int, float)):
            sentences.append(
                f"About {1 - float(value):.0%} of songs like the training ones get the wrong "
                f"emotion (accuracy {float(value):.2f}; the rule asks for {rule})."
            )
        elif isinstance(value, (int, float)):
            sentences.append(f"{criterion_label(key)} is {float(value):.3f} (rule {rule}).")
        else:
            sentences.append(f"{criterion_label(key)} is not met (rule {rule}).")
    which = " or ".join(f"*{c}*" for c in dict.fromkeys(weak))
    meaning = (
        "**What this means for your result:** the app still analyses every song and shows its "
        "result, but read it as a suggestion to check, not a verdict"
        + (f" — above all a {which} result" if which else "")
        + "."
    )
    threshold = metrics.get("decision_threshold") or {}
    if {"threshold", "coverage", "accuracy_accepted", "accuracy_rejected"} <= set(threshold):
        meaning += (
            f" A result is marked *accepted* only when its top probability reaches "
            f"{float(threshold['threshold']):.2f}: in cross-validation "
            f"{float(threshold['coverage']):.0%} of songs were accepted and "
            f"{float(threshold['accuracy_accepted']):.0%} of those were right, against "
            f"{float(threshold['accuracy_rejected']):.0%} of the songs sent to review."
        )
    return " ".join(sentences) + "\n\n" + meaning
