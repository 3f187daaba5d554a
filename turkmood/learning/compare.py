"""Champion vs challenger on the same folds: UCI repeated stratified CV and the user's tracks.

(i) UCI: repeated stratified k-fold on the de-duplicated rows (the protocol and metrics of
:mod:`turkmood.train` / :mod:`turkmood.evaluation`). Champion and challenger are fitted on the
same training folds — the challenger with the user's windows added to the training side only —
and scored on the same test folds.

(ii) The user's labels: repeated grouped k-fold over tracks (:mod:`turkmood.learning.folds`).
The challenger of a fold is trained on the UCI rows + the windows of the other folds' tracks;
the champion (the current model, never trained on user labels) is scored on the same held-out
tracks. Each track is scored by its verdict, the mean of its window probabilities (as
:func:`turkmood.analyze.analyze` gives it). Metrics are computed on each repeat's pooled
out-of-fold verdicts (every track once), then mean and std over repeats; per-fold accuracy and
arousal agreement give a second spread. Arousal agreement: the verdict and the label are on the
same side of the arousal axis (happy/angry high, sad/relax low). Confident wrong: wrong arousal
with confidence at or above the decision threshold.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from joblib import Parallel, delayed, parallel_config
from sklearn.base import BaseEstimator
from sklearn.model_selection import RepeatedStratifiedKFold

from turkmood.constants import (
    CIRCUMPLEX_POSITIONS,
    CLASSES,
    DECISION_THRESHOLD,
    ECE_BINS,
    FEATURE_NAMES,
    RETRAIN_JOBS,
)
from turkmood.evaluation import fold_metrics, summarise, summarise_folds
from turkmood.learning.trainset import fit_with_user_rows
from turkmood.train import encode_labels, proba_in_class_order

__all__ = [
    "HIGH_AROUSAL",
    "format_table",
    "track_metrics",
    "track_probabilities",
    "tracks_of",
    "uci_cv",
    "user_cv",
]

#: Emotions on the high-arousal half of the circumplex.
HIGH_AROUSAL: frozenset[str] = frozenset(c for c, (_, a) in CIRCUMPLEX_POSITIONS.items() if a > 0)
_SCALARS = ("accuracy", "macro_f1", "ece", "arousal_agreement", "confident_wrong")


def tracks_of(windows: pd.DataFrame) -> pd.DataFrame:
    """One row per track (first-seen order): clip_hash, clip_name, emotion, n_windows."""
    grouped = windows.groupby("clip_hash", sort=False)
    return pd.DataFrame(
        {
            "clip_hash": list(grouped.groups),
            "clip_name": grouped["clip_name"].first().to_numpy(),
            "emotion": grouped["emotion"].first().to_numpy(),
            "n_windows": grouped.size().to_numpy(),
        }
    )


def track_probabilities(
    model: BaseEstimator, windows: pd.DataFrame, clip_hashes: Sequence[str]
) -> np.ndarray:
    """``(n_tracks, k)`` verdict probabilities (mean over each track's windows), CLASSES order."""
    probs = proba_in_class_order(model, windows[list(FEATURE_NAMES)].astype(float))
    frame = pd.DataFrame(probs, columns=list(CLASSES))
    frame["clip_hash"] = windows["clip_hash"].to_numpy()
    return frame.groupby("clip_hash").mean().loc[list(clip_hashes), list(CLASSES)].to_numpy()


def track_metrics(probs: np.ndarray, emotions: Sequence[str], n_bins: int = ECE_BINS) -> dict:
    """Track-level accuracy, macro-F1, per-class F1, ECE, arousal agreement, confident wrong."""
    y_idx = encode_labels(pd.Series(list(emotions)))
    out = fold_metrics(probs, y_idx, CLASSES, n_bins)
    predicted = np.asarray(CLASSES)[probs.argmax(axis=1)]
    confidence = probs.max(axis=1)
    high_pred = np.isin(predicted, list(HIGH_AROUSAL))
    high_true = np.isin(np.asarray(list(emotions)), list(HIGH_AROUSAL))
    agree = high_pred == high_true
    out["arousal_agreement"] = float(agree.mean())
    out["n_arousal_agree"] = int(agree.sum())
    out["confident_wrong"] = int((~agree & (confidence >= DECISION_THRESHOLD)).sum())
    out["n_tracks"] = len(agree)
    return out


def _parallel(tasks) -> list:
    """Run fold fits on RETRAIN_JOBS processes (one BLAS thread each); results in order."""
    with parallel_config(backend="loky", inner_max_num_threads=1):
        return Parallel(n_jobs=RETRAIN_JOBS)(tasks)


def _fit_predict(estimator, X_train, y_train, windows, weight, X_test) -> np.ndarray:
    """One UCI fold: fit with the user rows, class probabilities of the held-out rows."""
    model = fit_with_user_rows(estimator, X_train, y_train, windows, weight)
    return proba_in_class_order(model, X_test)


def _fit_predict_tracks(estimator, X, y, train_windows, weight, test_windows, test_hashes):
    """One user fold: fit on UCI + the training tracks, verdicts of the held-out tracks."""
    fitted = fit_with_user_rows(estimator, X, y, train_windows, weight)
    return track_probabilities(fitted, test_windows, test_hashes)


def uci_cv(
    estimator: BaseEstimator,
    X: pd.DataFrame,
    y: pd.Series,
    windows: pd.DataFrame | None,
    weight: int,
    folds: int,
    repeats: int,
    seed: int,
    n_bins: int = ECE_BINS,
) -> dict:
    """Repeated stratified CV on the UCI rows; user windows (x ``weight``) join every training
    side only (weight 0: the champion's recipe). Same seed, same folds for every model."""
    y = pd.Series(y, dtype=str).reset_index(drop=True)
    X = X.reset_index(drop=True)
    y_idx = encode_labels(y)
    splitter = RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats, random_state=seed)
    splits = list(splitter.split(X, y_idx))
    fold_probs = _parallel(
        delayed(_fit_predict)(estimator, X.iloc[tr], y.iloc[tr], windows, weight, X.iloc[te])
        for tr, te in splits
    )
    results = [
        fold_metrics(probs, y_idx[te], CLASSES, n_bins)
        for probs, (_, te) in zip(fold_probs, splits, strict=True)
    ]
    summary = summarise_folds(results, CLASSES)
    summary.pop("confusion_matrix")
    return {"folds": folds, "repeats": repeats, "weight": weight, **summary}


def _summarise_user(per_repeat: list[dict], per_fold: list[dict], first: list[dict]) -> dict:
    out = {key: summarise([r[key] for r in per_repeat]) for key in _SCALARS}
    out["per_class_f1"] = {
        c: summarise([r["per_class_f1"][c] for r in per_repeat])["mean"] for c in CLASSES
    }
    out["per_fold_accuracy"] = summarise([f["accuracy"] for f in per_fold])
    out["per_fold_arousal_agreement"] = summarise([f["arousal_agreement"] for f in per_fold])
    out["n_tracks"] = per_repeat[0]["n_tracks"]
    out["tracks_first_repeat"] = first
    return out


def user_cv(
    estimator: BaseEstimator,
    X: pd.DataFrame,
    y: pd.Series,
    windows: pd.DataFrame,
    splits: list[tuple[int, np.ndarray, np.ndarray]],
    weight: int,
    champion: BaseEstimator | None = None,
    n_bins: int = ECE_BINS,
) -> dict[str, dict]:
    """Grouped CV over the user's tracks (``splits`` from :func:`~turkmood.learning.folds.
    user_folds`, indices into :func:`tracks_of`). Returns ``{"challenger": …}`` and, when a
    fitted ``champion`` is given, ``{"champion": …}`` scored on the same held-out tracks."""
    tracks = tracks_of(windows)
    hashes = tracks["clip_hash"].to_numpy()
    emotions = tracks["emotion"].to_numpy()
    n_repeats = max(r for r, _, _ in splits) + 1
    models: dict[str, BaseEstimator | None] = {"challenger": None}
    fixed = None
    if champion is not None:
        models["champion"] = champion
        fixed = track_probabilities(champion, windows, hashes)
    oof = {name: np.full((n_repeats, len(tracks), len(CLASSES)), np.nan) for name in models}
    per_fold: dict[str, list[dict]] = {name: [] for name in models}
    challenger_probs = _parallel(
        delayed(_fit_predict_tracks)(
            estimator,
            X,
            y,
            windows[windows["clip_hash"].isin(hashes[train])],
            weight,
            windows[windows["clip_hash"].isin(hashes[test])],
            hashes[test],
        )
        for _, train, test in splits
    )
    for (repeat, _train, test), probs in zip(splits, challenger_probs, strict=True):
        fold_probs = {"challenger": probs}
        if fixed is not None:
            fold_probs["champion"] = fixed[test]
        for name, probs in fold_probs.items():
            oof[name][repeat, test] = probs
            per_fold[name].append(track_metrics(probs, emotions[test], n_bins))
    out = {}
    for name in models:
        per_repeat = [track_metrics(oof[name][r], emotions, n_bins) for r in range(n_repeats)]
        first = [
            {
                "clip_name": str(tracks["clip_name"].iloc[i]),
                "emotion": str(emotions[i]),
                "predicted": CLASSES[int(oof[name][0, i].argmax())],
                "confidence": float(oof[name][0, i].max()),
            }
            for i in range(len(tracks))
        ]
        out[name] = _summarise_user(per_repeat, per_fold[name], first)
    return out


def _pm(stat: dict, digits: int = 3) -> str:
    return f"{stat['mean']:.{digits}f} ± {stat['std']:.{digits}f}"


def format_table(report: dict) -> str:
    """The comparison as a plain-text table (mean ± std)."""
    user, uci = report["user"], report["uci"]
    champ, chall = user["champion"], user["challenger"]
    n = champ["n_tracks"]
    rows = [
        ("metric", "champion", "challenger"),
        (
            f"user tracks: accuracy ({n} tracks)",
            _pm(champ["accuracy"]),
            _pm(chall["accuracy"]),
        ),
        ("user tracks: macro-F1", _pm(champ["macro_f1"]), _pm(chall["macro_f1"])),
        (
            "user tracks: arousal agreement",
            _pm(champ["arousal_agreement"]),
            _pm(chall["arousal_agreement"]),
        ),
        (
            f"user tracks: confident wrong (of {n})",
            _pm(champ["confident_wrong"], 1),
            _pm(chall["confident_wrong"], 1),
        ),
        ("user tracks: ECE", _pm(champ["ece"]), _pm(chall["ece"])),
    ]
    rows += [
        (
            f"user tracks: F1 {c}",
            f"{champ['per_class_f1'][c]:.3f}",
            f"{chall['per_class_f1'][c]:.3f}",
        )
        for c in CLASSES
    ]
    rows += [
        ("UCI CV: accuracy", _pm(uci["champion"]["accuracy"]), _pm(uci["challenger"]["accuracy"])),
        ("UCI CV: macro-F1", _pm(uci["champion"]["macro_f1"]), _pm(uci["challenger"]["macro_f1"])),
        ("UCI CV: ECE", _pm(uci["champion"]["ece"]), _pm(uci["challenger"]["ece"])),
    ]
    width = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = ["  ".join(cell.ljust(width[i]) for i, cell in enumerate(row)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in width))
    proto = report["protocol"]
    choice = report["weight_choice"]
    lines += [
        "",
        f"user folds: {proto['user_folds']} grouped folds x {proto['user_repeats']} repeat(s) over "
        f"{proto['user_groups']} groups; UCI: {proto['uci_folds']} folds x "
        f"{proto['uci_repeats']} repeat(s); mean ± std over repeats (UCI: over folds)",
        f"user weight: {choice['chosen']} ({choice['reason']})",
    ]
    return "\n".join(lines)
