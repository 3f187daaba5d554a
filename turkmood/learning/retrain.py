"""Retrain a challenger on the UCI rows + the user's labels and compare it with the champion.

The challenger is the shipped default's recipe (:func:`~turkmood.learning.trainset.
default_pipeline`) fitted on the de-duplicated UCI rows plus every labelled window (one row per
window, grouped by track). The user rows' weight is chosen from USER_WEIGHT_GRID by the
comparison of :mod:`turkmood.learning.compare`: the weight with the best user grouped-CV
macro-F1 (ties: better arousal agreement, then the smaller weight) among those whose UCI CV
macro-F1 stays within MAX_UCI_MACRO_F1_DROP of the champion's. The weight is chosen on the same
folds that report it, so the challenger's user score is optimistic by that choice among
len(USER_WEIGHT_GRID) values; the report says so.

The champion is the serving model. The bundled one never saw user labels and is scored as it
is; a promoted registry version did (maybe the very tracks held out), so its recipe — the same
base with its own user weight — is refitted on the same folds instead of being scored on
tracks it was trained on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from sklearn.base import BaseEstimator
from threadpoolctl import threadpool_limits

from turkmood.constants import (
    CLASSES,
    ECE_BINS,
    LABEL_SOURCES,
    MAX_UCI_MACRO_F1_DROP,
    QUICK_UCI_FOLDS,
    QUICK_UCI_REPEATS,
    QUICK_USER_REPEATS,
    RETRAIN_REPORT_NAME,
    RETRAIN_UCI_FOLDS,
    RETRAIN_UCI_REPEATS,
    SEED,
    THOROUGH_UCI_REPEATS,
    THOROUGH_USER_REPEATS,
    USER_FOLDS,
    USER_REPEATS,
    USER_WEIGHT_GRID,
)
from turkmood.data import TrainingData, load_training_data
from turkmood.errors import TurkMoodError
from turkmood.home import state_path
from turkmood.learning.compare import tracks_of, uci_cv, user_cv
from turkmood.learning.folds import track_groups, user_folds
from turkmood.learning.labels import label_windows, read_labels
from turkmood.learning.trainset import default_pipeline, default_pipeline_name, fit_with_user_rows

__all__ = [
    "RetrainConfig",
    "RetrainError",
    "RetrainResult",
    "champion_user_weight",
    "choose_weight",
    "label_lineage",
    "labels_hash",
    "retrain",
    "write_report",
]


class RetrainError(TurkMoodError):
    """Nothing to retrain on (no labels, too few tracks…)."""


@dataclass(frozen=True)
class RetrainConfig:
    """Folds, repeats and weights of a retrain; the defaults are the full protocol."""

    seed: int = SEED
    uci_folds: int = RETRAIN_UCI_FOLDS
    uci_repeats: int = RETRAIN_UCI_REPEATS
    user_folds: int = USER_FOLDS
    user_repeats: int = USER_REPEATS
    weights: tuple[int, ...] = USER_WEIGHT_GRID
    max_uci_drop: float = MAX_UCI_MACRO_F1_DROP
    n_bins: int = ECE_BINS

    @classmethod
    def thorough(cls, seed: int = SEED, **kwargs) -> RetrainConfig:
        """More repeats of both CVs (less spread, about twice the time)."""
        options = {"uci_repeats": THOROUGH_UCI_REPEATS, "user_repeats": THOROUGH_USER_REPEATS}
        options.update(kwargs)
        return cls(seed=seed, **options)

    @classmethod
    def quick(cls, seed: int = SEED, **kwargs) -> RetrainConfig:
        """Fewer UCI folds and one user repeat (smoke runs)."""
        options = {
            "uci_folds": QUICK_UCI_FOLDS,
            "uci_repeats": QUICK_UCI_REPEATS,
            "user_repeats": QUICK_USER_REPEATS,
        }
        options.update(kwargs)
        return cls(seed=seed, **options)


@dataclass
class RetrainResult:
    """The fitted challenger, its user weight and the comparison report (JSON-ready)."""

    pipeline: BaseEstimator
    weight: int
    report: dict = field(default_factory=dict)


def label_lineage(labels: pd.DataFrame) -> dict:
    """Label counts per class and per source, plus tracks and windows."""
    return {
        "n_tracks": len(labels),
        "n_windows": int(labels["n_windows"].sum()) if len(labels) else 0,
        "per_class": {c: int((labels["emotion"] == c).sum()) for c in CLASSES},
        "per_source": {s: int((labels["source"] == s).sum()) for s in LABEL_SOURCES},
    }


def labels_hash(data: TrainingData, labels: pd.DataFrame) -> str:
    """sha256 over the UCI table's hash and the (clip hash, emotion) pairs, sorted."""
    digest = hashlib.sha256(data.sha256.encode())
    for clip_hash, emotion in sorted(zip(labels["clip_hash"], labels["emotion"], strict=True)):
        digest.update(f"\n{clip_hash},{emotion}".encode())
    return digest.hexdigest()


def choose_weight(
    candidates: dict[int, dict], champion_uci_macro_f1: float, max_drop: float
) -> tuple[int, bool, str]:
    """``(weight, eligible, reason)`` from ``{weight: {"user_macro_f1", "user_arousal",
    "uci_macro_f1"}}``: best user macro-F1 (then arousal agreement, then smaller weight) among
    weights whose UCI macro-F1 is within ``max_drop`` of the champion's; the smallest weight,
    not eligible, when none is."""
    floor = champion_uci_macro_f1 - max_drop
    eligible = [
        w
        for w, c in candidates.items()
        if c["uci_macro_f1"] >= floor and c.get("user_macro_f1") is not None
    ]
    if not eligible:
        w = min(candidates)
        return (
            w,
            False,
            f"no weight kept UCI macro-F1 within {max_drop} of the champion's "
            f"{champion_uci_macro_f1:.3f}; smallest weight kept, do not promote",
        )
    best = max(
        eligible,
        key=lambda w: (candidates[w]["user_macro_f1"], candidates[w]["user_arousal"], -w),
    )
    c = candidates[best]
    return (
        best,
        True,
        f"best user grouped-CV macro-F1 {c['user_macro_f1']:.3f} (arousal agreement "
        f"{c['user_arousal']:.3f}) among weights {sorted(eligible)} whose UCI macro-F1 stays "
        f">= {floor:.3f}; UCI macro-F1 {c['uci_macro_f1']:.3f}",
    )


def _champion() -> BaseEstimator:
    from turkmood.model import load_model

    return load_model().pipeline


def champion_user_weight() -> int | None:
    """User weight of the serving champion's recipe: 0 for the bundled model (it never saw user
    labels), the registered champion's ``user_weight`` run parameter otherwise; None when that
    is unknown (a version registered without it)."""
    from turkmood.learning.registry import champion_pointer

    pointer = champion_pointer()
    if pointer is None:
        return 0
    try:
        from turkmood.constants import REGISTERED_MODEL_NAME
        from turkmood.learning.store import mlflow_client

        client = mlflow_client()
        version = client.get_model_version(REGISTERED_MODEL_NAME, str(pointer["version"]))
        run_id = version.tags.get("run_id") or version.run_id
        return int(client.get_run(run_id).data.params["user_weight"]) if run_id else None
    except Exception:  # noqa: BLE001 - an unreadable run only means "recipe unknown"
        return None


def retrain(
    labels: pd.DataFrame | None = None,
    data: TrainingData | None = None,
    config: RetrainConfig | None = None,
    estimator: BaseEstimator | None = None,
    champion: BaseEstimator | None = None,
    progress: Callable[[str], None] | None = None,
    champion_weight: int | None = None,
) -> RetrainResult:
    """Choose the user weight, compare champion and challenger, fit the challenger on all rows.

    ``labels`` default to :func:`~turkmood.learning.labels.read_labels`, ``data`` to the
    bundled UCI table, ``estimator`` to the shipped default's recipe and ``champion`` to the
    serving champion. A champion that never saw the user's labels (the bundled model,
    ``champion_weight`` 0) is scored as it is on the held-out tracks. A registered champion was
    trained on user labels — maybe on the very tracks held out — so it is not scored as it is:
    its recipe (the same base with its user weight, :func:`champion_user_weight`) is refitted on
    the same folds as the challenger. ``champion_weight`` defaults to 0 when ``champion`` is
    given, else to :func:`champion_user_weight`.
    """
    config = config or RetrainConfig()
    say = progress or (lambda _msg: None)
    labels = read_labels() if labels is None else labels
    if labels.empty:
        raise RetrainError(
            "no labels yet: import a CSV (--labels) or answer 'Was this right?' in the app"
        )
    data = data or load_training_data()
    estimator = estimator if estimator is not None else default_pipeline(config.seed)
    if champion_weight is None:
        champion_weight = 0 if champion is not None else champion_user_weight()
    champion = champion if champion is not None else _champion()
    windows = label_windows(labels)
    tracks = tracks_of(windows)
    groups = track_groups(tracks["clip_hash"], tracks["clip_name"])
    splits = user_folds(
        tracks["emotion"], groups, config.user_folds, config.user_repeats, config.seed
    )
    n_folds = len(splits) // config.user_repeats
    with threadpool_limits(1):  # shared machine: no hidden BLAS/OpenMP threads
        return _retrain(
            config,
            data,
            labels,
            windows,
            groups,
            splits,
            n_folds,
            estimator,
            champion,
            champion_weight,
            say,
        )


def _retrain(
    config, data, labels, windows, groups, splits, n_folds, estimator, champion, champion_w, say
):
    """Body of :func:`retrain` (single-threaded numerics)."""
    say(
        f"{len(labels)} labelled track(s), {len(windows)} window(s), "
        f"{len(set(groups))} group(s), {n_folds} user fold(s) x {config.user_repeats}"
    )
    uci_args = (config.uci_folds, config.uci_repeats, config.seed, config.n_bins)
    refit = bool(champion_w)  # the champion saw user labels: refit its recipe fold by fold
    candidates, uci_by_w, user_by_w = {}, {}, {}
    # the champion's UCI CV first: it sets the floor that stops the weight grid early
    if refit:
        say(f"UCI CV of the champion's recipe (user weight {champion_w}) on the same folds")
        champion_uci = uci_cv(estimator, data.X, data.y, windows, champion_w, *uci_args)
        uci_by_w[champion_w] = champion_uci
    else:
        say(f"UCI CV of the champion ({config.uci_folds} x {config.uci_repeats})")
        champion_uci = uci_cv(estimator, data.X, data.y, None, 0, *uci_args)
    floor = champion_uci["macro_f1"]["mean"] - config.max_uci_drop
    champion_user = None
    for i, w in enumerate(sorted(config.weights)):
        if w not in uci_by_w:
            say(f"weight {w}: UCI CV with user rows")
            uci_by_w[w] = uci_cv(estimator, data.X, data.y, windows, w, *uci_args)
        uci_f1 = uci_by_w[w]["macro_f1"]["mean"]
        if i > 0 and uci_f1 < floor:
            # more weight pulls the model further from the UCI table: stop the grid here
            candidates[w] = {"user_macro_f1": None, "user_arousal": None, "uci_macro_f1": uci_f1}
            say(
                f"weight {w}: UCI macro-F1 {uci_f1:.3f} is below the floor {floor:.3f}; "
                "larger weights are not tried"
            )
            break
        say(f"weight {w}: grouped CV on the user's tracks")
        user = user_cv(
            estimator,
            data.X,
            data.y,
            windows,
            splits,
            w,
            champion=champion if champion_user is None and not refit else None,
            n_bins=config.n_bins,
        )
        champion_user = champion_user or user.get("champion")
        user_by_w[w] = user["challenger"]
        candidates[w] = {
            "user_macro_f1": user["challenger"]["macro_f1"]["mean"],
            "user_arousal": user["challenger"]["arousal_agreement"]["mean"],
            "uci_macro_f1": uci_f1,
        }
        say(
            f"weight {w}: user macro-F1 {candidates[w]['user_macro_f1']:.3f}, "
            f"UCI macro-F1 {uci_f1:.3f}"
        )
    if refit:
        say(f"champion's recipe (user weight {champion_w}) on the same user folds")
        champion_user = (
            user_by_w.get(champion_w)
            or user_cv(
                estimator, data.X, data.y, windows, splits, champion_w, n_bins=config.n_bins
            )["challenger"]
        )
        champion_note = (
            f"registered champion: its recipe (user weight {champion_w}) refitted on the same "
            "folds as the challenger, because it was trained on user labels"
        )
    else:
        champion_note = "the serving champion scored as it is on the held-out tracks" + (
            " (it never saw user labels); in the UCI CV its recipe fitted on the same folds"
            if champion_w == 0
            else " — WARNING: a registered champion whose user weight is unknown; it may "
            "have been trained on these tracks, so its user scores may be optimistic"
        )
    chosen, eligible, reason = choose_weight(
        candidates, champion_uci["macro_f1"]["mean"], config.max_uci_drop
    )
    say(f"chosen weight {chosen}: {reason}")
    say("fitting the challenger on every UCI row and every labelled window")
    pipeline = fit_with_user_rows(estimator, data.X, data.y, windows, chosen)
    report = {
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "base_model": default_pipeline_name(),
        "seed": config.seed,
        "labels": label_lineage(labels),
        "data_hash": labels_hash(data, labels),
        "uci_rows": len(data.y),
        "protocol": {
            "uci_folds": config.uci_folds,
            "uci_repeats": config.uci_repeats,
            "user_folds": n_folds,
            "user_repeats": config.user_repeats,
            "user_groups": len(set(groups)),
            "grouping": "clip content hash; tracks whose name ends in _s<seed> share a group",
            "user_scoring": "track verdict = mean of its window probabilities; metrics on each "
            "repeat's pooled out-of-fold verdicts, mean and population std over repeats",
            "champion": champion_note,
            "champion_user_weight": champion_w,
            "weighting": "user windows repeated `weight` times (the default pipeline takes no "
            "sample_weight)",
            "config": asdict(config),
        },
        "weight_choice": {
            "grid": list(config.weights),
            "rule": f"best user macro-F1 (then arousal agreement, then smaller weight) among "
            f"weights with UCI macro-F1 >= champion - {config.max_uci_drop}; the grid is tried "
            "in increasing order and stops at the first weight below that floor",
            "candidates": {str(w): c for w, c in candidates.items()},
            "chosen": chosen,
            "eligible": eligible,
            "reason": reason,
            "caveat": "chosen on the same folds that report it: the challenger's user scores "
            f"are optimistic by a choice among {len(config.weights)} weights",
        },
        "uci": {"champion": champion_uci, "challenger": uci_by_w[chosen]},
        "user": {"champion": champion_user, "challenger": user_by_w[chosen]},
    }
    return RetrainResult(pipeline=pipeline, weight=chosen, report=report)


def write_report(report: dict, path: Path | None = None) -> Path:
    """Write the comparison report as JSON (default: RETRAIN_REPORT_NAME under TURKMOOD_HOME)."""
    path = Path(path) if path is not None else state_path(RETRAIN_REPORT_NAME)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    return path
