"""Pure metric functions for honest model evaluation.

Everything here works on plain arrays: ``probs`` is an ``(n, k)`` array of class probabilities
whose columns follow ``classes``; ``y`` holds integer class indices into those columns. Nothing
in this module fits a model or touches files.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

from turkmood.constants import ECE_BINS


def _check(probs: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Validate shapes and return float probs and int labels."""
    probs = np.asarray(probs, dtype=float)
    y = np.asarray(y, dtype=int)
    if probs.ndim != 2 or y.ndim != 1 or len(probs) != len(y):
        raise ValueError(f"expected probs (n, k) and y (n,), got {probs.shape} and {y.shape}")
    if len(y) == 0:
        raise ValueError("cannot evaluate an empty set of predictions")
    if y.min() < 0 or y.max() >= probs.shape[1]:
        raise ValueError("labels must be column indices into probs")
    return probs, y


def bin_index(confidence: np.ndarray, n_bins: int = ECE_BINS) -> np.ndarray:
    """Equal-width bin of each confidence: bin ``b`` covers ``(b/n, (b+1)/n]``; 0 goes to bin 0."""
    if n_bins < 1:
        raise ValueError("n_bins must be at least 1")
    conf = np.clip(np.asarray(confidence, dtype=float), 0.0, 1.0)
    return np.clip(np.ceil(conf * n_bins).astype(int) - 1, 0, n_bins - 1)


def reliability_bins(probs: np.ndarray, y: np.ndarray, n_bins: int = ECE_BINS) -> list[dict]:
    """Top-label reliability table: per bin its edges, mean confidence, accuracy and count.

    Empty bins are kept (count 0, confidence/accuracy ``None``) so plots keep a fixed grid.
    """
    probs, y = _check(probs, y)
    top = probs.argmax(axis=1)
    conf = probs[np.arange(len(y)), top]
    correct = (top == y).astype(float)
    bins = bin_index(conf, n_bins)
    table = []
    for b in range(n_bins):
        mask = bins == b
        count = int(mask.sum())
        table.append(
            {
                "lower": b / n_bins,
                "upper": (b + 1) / n_bins,
                "count": count,
                "confidence": float(conf[mask].mean()) if count else None,
                "accuracy": float(correct[mask].mean()) if count else None,
            }
        )
    return table


def ece_top_label(probs: np.ndarray, y: np.ndarray, n_bins: int = ECE_BINS) -> float:
    """Expected calibration error of the top label: sum over bins of |acc - conf| * share."""
    probs, y = _check(probs, y)
    n = len(y)
    return float(
        sum(
            row["count"] / n * abs(row["accuracy"] - row["confidence"])
            for row in reliability_bins(probs, y, n_bins)
            if row["count"]
        )
    )


def selective_accuracy(probs: np.ndarray, y: np.ndarray, threshold: float) -> dict:
    """Share of predictions whose top probability reaches ``threshold`` and their accuracy."""
    probs, y = _check(probs, y)
    top = probs.argmax(axis=1)
    accepted = probs[np.arange(len(y)), top] >= threshold
    n_acc = int(accepted.sum())
    return {
        "threshold": float(threshold),
        "coverage": n_acc / len(y),
        "n_accepted": n_acc,
        "accuracy_accepted": float((top[accepted] == y[accepted]).mean()) if n_acc else None,
        "accuracy_rejected": float((top[~accepted] == y[~accepted]).mean())
        if n_acc < len(y)
        else None,
    }


def fold_metrics(
    probs: np.ndarray, y: np.ndarray, classes: Sequence[str], n_bins: int = ECE_BINS
) -> dict:
    """Accuracy, macro-F1, per-class F1, confusion matrix (counts) and ECE for one test fold."""
    probs, y = _check(probs, y)
    labels = list(range(len(classes)))
    pred = probs.argmax(axis=1)
    per_class = f1_score(y, pred, labels=labels, average=None, zero_division=0)
    return {
        "accuracy": float(accuracy_score(y, pred)),
        "macro_f1": float(f1_score(y, pred, labels=labels, average="macro", zero_division=0)),
        "per_class_f1": {c: float(f) for c, f in zip(classes, per_class, strict=True)},
        "confusion_matrix": confusion_matrix(y, pred, labels=labels).tolist(),
        "ece": ece_top_label(probs, y, n_bins),
    }


def summarise(values: Sequence[float]) -> dict:
    """Mean and (population, ddof=0) standard deviation of per-fold values, plus their count."""
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        raise ValueError("nothing to summarise")
    return {"mean": float(arr.mean()), "std": float(arr.std()), "n": int(arr.size)}


def summarise_folds(folds: Sequence[dict], classes: Sequence[str]) -> dict:
    """Combine :func:`fold_metrics` results: mean/std of scalars, summed + row-normalised matrix."""
    if not folds:
        raise ValueError("no folds to summarise")
    summed = np.sum([np.asarray(f["confusion_matrix"]) for f in folds], axis=0)
    row_totals = summed.sum(axis=1, keepdims=True)
    normalised = np.divide(summed, row_totals, out=np.zeros(summed.shape), where=row_totals > 0)
    return {
        "accuracy": summarise([f["accuracy"] for f in folds]),
        "macro_f1": summarise([f["macro_f1"] for f in folds]),
        "ece": summarise([f["ece"] for f in folds]),
        "per_class_f1": {
            c: summarise([f["per_class_f1"][c] for f in folds])["mean"] for c in classes
        },
        "per_class_f1_std": {
            c: summarise([f["per_class_f1"][c] for f in folds])["std"] for c in classes
        },
        "confusion_matrix": {
            "labels": list(classes),
            "rows": "true class",
            "columns": "predicted class",
            "counts_summed_over_folds": summed.astype(int).tolist(),
            "row_normalised": np.round(normalised, 6).tolist(),
        },
    }
