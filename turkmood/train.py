"""Training and honest evaluation: ``python -m turkmood train``.

Every candidate of :mod:`turkmood.candidates` is evaluated with repeated stratified k-fold CV on
the de-duplicated training rows (all preprocessing and any search inside the pipeline, so inside
the folds), then fitted on all rows and saved to ``models/`` with a checksum manifest,
``metrics.json`` and a generated ``MODEL_CARD.md``. Same seed and config give identical
``metrics.json`` bytes; wall-clock timings go to ``run_info.json`` instead.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import scipy
import sklearn
from sklearn.base import BaseEstimator, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.model_selection import RepeatedStratifiedKFold, StratifiedKFold
from threadpoolctl import threadpool_limits

from turkmood.candidates import CANDIDATES, DEFAULT_MODEL, Candidate
from turkmood.constants import (
    CLASSES,
    CRITERION_LABELS,
    CV_FOLDS,
    CV_REPEATS,
    DECISION_THRESHOLD,
    DEPLOY_MAX_F1_GAP,
    DEPLOY_MIN_ACCURACY,
    DEPLOY_MIN_MACRO_F1,
    ECE_BINS,
    ECE_PER_FOLD_LABEL,
    ECE_POOLED_LABEL,
    MODELS_DIR,
    SEED,
    TARGET_SCORE,
)
from turkmood.data import TrainingData, file_sha256, load_training_data
from turkmood.evaluation import (
    ece_top_label,
    fold_metrics,
    reliability_bins,
    selective_accuracy,
    summarise,
    summarise_folds,
)
from turkmood.precomputed import write_classroom

CALIBRATED_SUFFIX = "_calibrated"
CALIBRATION_METHOD = "sigmoid"
CALIBRATION_CV = 5
QUICK_FOLDS = 5
QUICK_REPEATS = 1


@dataclass(frozen=True)
class TrainConfig:
    """Evaluation settings; the defaults are the full protocol of the project."""

    seed: int = SEED
    folds: int = CV_FOLDS
    repeats: int = CV_REPEATS
    permutation_folds: int = CV_FOLDS
    permutation_repeats: int = 1
    models: tuple[str, ...] = tuple(CANDIDATES)
    default_model: str = DEFAULT_MODEL
    calibrate_default: bool = True
    n_bins: int = ECE_BINS

    @classmethod
    def quick(cls, seed: int = SEED, **kwargs) -> TrainConfig:
        """Fewer folds and repeats, for smoke tests and CI."""
        return cls(
            seed=seed,
            folds=QUICK_FOLDS,
            repeats=QUICK_REPEATS,
            permutation_folds=QUICK_FOLDS,
            permutation_repeats=1,
            **kwargs,
        )


@dataclass
class CVResult:
    """Per-fold metrics and out-of-fold probabilities (one ``(n, k)`` block per repeat)."""

    folds: list[dict]
    oof: np.ndarray


def encode_labels(y: pd.Series) -> np.ndarray:
    """Class names -> indices in ``CLASSES`` order."""
    lookup = {c: i for i, c in enumerate(CLASSES)}
    return np.array([lookup[v] for v in y], dtype=int)


def proba_in_class_order(estimator: BaseEstimator, X: pd.DataFrame) -> np.ndarray:
    """``predict_proba`` with columns rearranged to ``CLASSES`` order."""
    raw = np.asarray(estimator.predict_proba(X))
    cols = [list(estimator.classes_).index(c) for c in CLASSES]
    return raw[:, cols]


def cross_validate(
    estimator: BaseEstimator,
    X: pd.DataFrame,
    y: pd.Series,
    folds: int,
    repeats: int,
    seed: int,
    n_bins: int = ECE_BINS,
) -> CVResult:
    """Repeated stratified k-fold CV: a fresh clone is fitted on each training split."""
    y_idx = encode_labels(y)
    splitter = RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats, random_state=seed)
    oof = np.full((repeats, len(X), len(CLASSES)), np.nan)
    results = []
    for i, (train, test) in enumerate(splitter.split(X, y_idx)):
        model = clone(estimator).fit(X.iloc[train], y.iloc[train])
        probs = proba_in_class_order(model, X.iloc[test])
        oof[i // folds, test] = probs
        results.append(fold_metrics(probs, y_idx[test], CLASSES, n_bins))
    return CVResult(folds=results, oof=oof)


def summarise_cv(result: CVResult, y: pd.Series, n_bins: int = ECE_BINS) -> dict:
    """Fold summary plus ECE of the pooled out-of-fold predictions of each repeat."""
    y_idx = encode_labels(y)
    summary = summarise_folds(result.folds, CLASSES)
    summary["ece_pooled_oof"] = summarise([ece_top_label(p, y_idx, n_bins) for p in result.oof])
    gap = max(summary["per_class_f1"].values()) - min(summary["per_class_f1"].values())
    summary["per_class_f1_gap"] = gap
    return summary


def calibrated(estimator: BaseEstimator) -> CalibratedClassifierCV:
    """Wrap a model in sigmoid calibration learnt from inner-fold predictions of its training data.

    ``ensemble=False``: the inner folds only provide out-of-fold scores for the sigmoid; one copy
    of the model, refitted on all training rows, is kept (lighter to ship and to explain).
    """
    return CalibratedClassifierCV(
        estimator,
        method=CALIBRATION_METHOD,
        cv=StratifiedKFold(CALIBRATION_CV),
        ensemble=False,
    )


def permutation_control(estimator: BaseEstimator, data: TrainingData, config: TrainConfig) -> dict:
    """Same CV with labels shuffled once (seeded): scores must fall to chance."""
    rng = np.random.default_rng(config.seed)
    shuffled = pd.Series(rng.permutation(data.y.to_numpy()), index=data.y.index)
    result = cross_validate(
        estimator,
        data.X,
        shuffled,
        config.permutation_folds,
        config.permutation_repeats,
        config.seed,
        config.n_bins,
    )
    summary = summarise_folds(result.folds, CLASSES)
    chance = float(data.y.value_counts(normalize=True).max())
    return {
        "folds": config.permutation_folds,
        "repeats": config.permutation_repeats,
        "accuracy": summary["accuracy"],
        "macro_f1": summary["macro_f1"],
        "chance_accuracy_majority_class": chance,
        "chance_accuracy_uniform": 1.0 / len(CLASSES),
    }


def deployment_criteria(summary: dict) -> dict:
    """The canvas criteria for the shipped default, each with its value and met/not met."""
    checks = {
        "macro_f1": (summary["macro_f1"]["mean"], ">=", DEPLOY_MIN_MACRO_F1),
        "accuracy": (summary["accuracy"]["mean"], ">=", DEPLOY_MIN_ACCURACY),
        "per_class_f1_gap": (summary["per_class_f1_gap"], "<=", DEPLOY_MAX_F1_GAP),
    }
    out = {}
    for key, (value, op, bound) in checks.items():
        met = value >= bound if op == ">=" else value <= bound
        out[key] = {"value": value, "rule": f"{op} {bound}", "met": bool(met)}
    out["all_met"] = all(v["met"] for v in out.values())
    return out


def library_versions() -> dict:
    """Versions that influence the numbers and the pickles."""
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "pandas": pd.__version__,
        "scikit-learn": sklearn.__version__,
        "joblib": joblib.__version__,
    }


def evaluation_plan(config: TrainConfig) -> dict[str, tuple[str, BaseEstimator]]:
    """Name -> (description, estimator) for everything to evaluate, calibrated default included."""
    unknown = [m for m in config.models if m not in CANDIDATES]
    if unknown:
        raise ValueError(f"unknown candidate(s) {unknown}; known: {sorted(CANDIDATES)}")
    if config.default_model not in config.models:
        raise ValueError(f"default model {config.default_model!r} is not among {config.models}")
    plan: dict[str, tuple[str, BaseEstimator]] = {}
    for name in config.models:
        cand: Candidate = CANDIDATES[name]
        plan[name] = (cand.description.strip(), cand.build(config.seed))
    if config.calibrate_default:
        _, est = plan[config.default_model]
        plan[config.default_model + CALIBRATED_SUFFIX] = (
            f"`{config.default_model}` wrapped in {CALIBRATION_METHOD} calibration fitted on "
            f"{CALIBRATION_CV} inner folds of the training data.",
            calibrated(est),
        )
    return plan


def choose_default(config: TrainConfig, summaries: dict[str, dict]) -> str:
    """The declared default, or its calibrated twin when that lowers the (per-fold) ECE."""
    name = config.default_model
    twin = name + CALIBRATED_SUFFIX
    if twin in summaries and summaries[twin]["ece"]["mean"] < summaries[name]["ece"]["mean"]:
        return twin
    return name


def save_models(out_dir: Path, fitted: dict[str, BaseEstimator], default: str) -> dict:
    """Dump each fitted pipeline with joblib and write ``manifest.json`` with sha256 checksums."""
    out_dir.mkdir(parents=True, exist_ok=True)
    entries = {}
    for name, model in fitted.items():
        path = out_dir / f"{name}.joblib"
        joblib.dump(model, path, compress=3)
        entries[name] = {"file": path.name, "sha256": file_sha256(path)}
    manifest = {"default_model": default, "models": entries}
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _log(msg: str) -> None:
    print(f"[train] {msg}", file=sys.stderr, flush=True)


def train_and_save(
    out_dir: str | Path = MODELS_DIR,
    config: TrainConfig | None = None,
    data: TrainingData | None = None,
    precompute: bool = True,
) -> dict:
    """Evaluate every candidate, fit all on every row, write artifacts; return the metrics dict.

    ``precompute``: also write the Classroom's feature rankings and t-SNE map
    (:mod:`turkmood.precomputed`); off only where a test needs no Classroom.
    """
    config = config or TrainConfig()
    data = data or load_training_data()
    with threadpool_limits(1):  # shared 2-core machine: no hidden BLAS/OpenMP threads
        return _train_and_save(Path(out_dir), config, data, precompute)


def _train_and_save(
    out_dir: Path, config: TrainConfig, data: TrainingData, precompute: bool
) -> dict:
    """Body of :func:`train_and_save` (single-threaded numerics)."""
    plan = evaluation_plan(config)
    summaries: dict[str, dict] = {}
    oofs: dict[str, np.ndarray] = {}
    timings: dict[str, float] = {}
    for name, (_, estimator) in plan.items():
        start = time.perf_counter()
        result = cross_validate(
            estimator, data.X, data.y, config.folds, config.repeats, config.seed, config.n_bins
        )
        timings[f"cv:{name}"] = time.perf_counter() - start
        summaries[name] = summarise_cv(result, data.y, config.n_bins)
        oofs[name] = result.oof
        s = summaries[name]
        _log(
            f"{name}: acc {s['accuracy']['mean']:.4f}±{s['accuracy']['std']:.4f} "
            f"macro-F1 {s['macro_f1']['mean']:.4f} ECE {s['ece']['mean']:.4f} "
            f"({timings[f'cv:{name}']:.1f}s)"
        )
    default = choose_default(config, summaries)
    start = time.perf_counter()
    perm = permutation_control(plan[default][1], data, config)
    timings["permutation_control"] = time.perf_counter() - start
    _log(f"permutation control: acc {perm['accuracy']['mean']:.4f}")

    fitted = {}
    for name, (_, estimator) in plan.items():
        start = time.perf_counter()
        fitted[name] = clone(estimator).fit(data.X, data.y)
        timings[f"fit:{name}"] = time.perf_counter() - start
    save_models(out_dir, fitted, default)
    if precompute:  # feature rankings + t-SNE map for the Classroom page
        start = time.perf_counter()
        write_classroom(out_dir, data)
        timings["classroom_precompute"] = time.perf_counter() - start

    y_idx = encode_labels(data.y)
    pooled = np.concatenate(list(oofs[default]))
    metrics = {
        "default_model": default,
        "declared_default_candidate": config.default_model,
        "models": {name: {"description": plan[name][0], **summaries[name]} for name in plan},
        "calibration": {
            "method": CALIBRATION_METHOD,
            "inner_folds": CALIBRATION_CV,
            "uncalibrated": config.default_model,
            "calibrated": config.default_model + CALIBRATED_SUFFIX
            if config.calibrate_default
            else None,
            "chosen": default,
            "rule": "ship the calibrated twin only if its mean per-fold ECE is lower",
        },
        "reliability_diagram": {
            "model": default,
            "n_bins": config.n_bins,
            "source": "out-of-fold predictions of all CV repeats pooled "
            f"({config.repeats} x {len(data.y)} predictions)",
            "bins": reliability_bins(pooled, np.tile(y_idx, config.repeats), config.n_bins),
        },
        "decision_threshold": {
            "model": default,
            "source": "same pooled out-of-fold predictions as the reliability diagram",
            **selective_accuracy(pooled, np.tile(y_idx, config.repeats), DECISION_THRESHOLD),
        },
        "classes": list(CLASSES),
        "data_sha256": data.sha256,
        "n_rows_raw": data.n_raw_rows,
        "n_duplicates_removed": data.n_duplicates_removed,
        "n_rows_used": len(data.y),
        "class_counts": {c: int((data.y == c).sum()) for c in CLASSES},
        "seed": config.seed,
        "cv": {
            "scheme": "RepeatedStratifiedKFold",
            "folds": config.folds,
            "repeats": config.repeats,
            "n_evaluations": config.folds * config.repeats,
            "random_state": config.seed,
            "std": "population std (ddof=0) over all folds of all repeats",
            "ece_bins": config.n_bins,
            "ece": "top-label, equal-width bins; 'ece' is per test fold, "
            "'ece_pooled_oof' is over each repeat's pooled out-of-fold predictions",
        },
        "permutation_control": perm,
        "deployment_criteria": deployment_criteria(summaries[default]),
        "target": {
            "accuracy_and_macro_f1": TARGET_SCORE,
            "met": bool(
                summaries[default]["accuracy"]["mean"] >= TARGET_SCORE
                and summaries[default]["macro_f1"]["mean"] >= TARGET_SCORE
            ),
        },
        "library_versions": library_versions(),
        "config": asdict(config),
    }
    # pickle checksums may differ between runs: they live in manifest.json only, so that
    # metrics.json stays byte-reproducible for a given seed and config
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    (out_dir / "MODEL_CARD.md").write_text(model_card(metrics))
    run_info = {"timings_s": timings, "finished_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ")}
    (out_dir / "run_info.json").write_text(json.dumps(run_info, indent=2) + "\n")
    return metrics


def _pm(stat: dict) -> str:
    return f"{stat['mean']:.3f} ± {stat['std']:.3f}"


def model_card(metrics: dict) -> str:
    """Markdown model card generated from a metrics dict (intended use, data, metrics, limits)."""
    default = metrics["default_model"]
    cv = metrics["cv"]
    rows = []
    # best macro F1 first (ties: accuracy, then name), as on the Model card page
    ranked = sorted(
        metrics["models"].items(),
        key=lambda item: (-item[1]["macro_f1"]["mean"], -item[1]["accuracy"]["mean"], item[0]),
    )
    for name, m in ranked:
        f1s = " / ".join(f"{m['per_class_f1'][c]:.2f}" for c in CLASSES)
        mark = " **(default)**" if name == default else ""
        rows.append(
            f"| `{name}`{mark} | {_pm(m['accuracy'])} | {_pm(m['macro_f1'])} | {f1s} "
            f"| {_pm(m['ece'])} | {_pm(m['ece_pooled_oof'])} |"
        )
    crit = metrics["deployment_criteria"]
    crit_rows = [
        f"| {label} | {crit[key]['value']:.3f} | "
        f"{crit[key]['rule'].replace('>=', '≥').replace('<=', '≤')} | "
        f"{'met' if crit[key]['met'] else 'NOT met'} |"
        for key, label in CRITERION_LABELS.items()
    ]
    perm = metrics["permutation_control"]
    descriptions = "\n".join(f"- `{n}`: {m['description']}" for n, m in metrics["models"].items())
    cal = metrics["calibration"]
    cal_line = ""
    if cal["calibrated"]:
        e0 = metrics["models"][cal["uncalibrated"]]["ece"]
        e1 = metrics["models"][cal["calibrated"]]["ece"]
        cal_line = (
            f"Calibration ({cal['method']}, {cal['inner_folds']} inner folds, evaluated inside the "
            f"outer CV): {ECE_PER_FOLD_LABEL} {_pm(e0)} uncalibrated vs {_pm(e1)} calibrated; "
            f"shipped: `{cal['chosen']}` ({cal['rule']})."
        )
    counts = ", ".join(f"{c} {n}" for c, n in metrics["class_counts"].items())
    target = "met" if metrics["target"]["met"] else "not met"
    per_fold = metrics["n_rows_used"] // cv["folds"]
    thr = metrics["decision_threshold"]
    f1_head = " / ".join(CLASSES)
    header = f"| model | accuracy | macro-F1 | F1 {f1_head} | {ECE_PER_FOLD_LABEL} "
    header += f"| {ECE_POOLED_LABEL} |"
    return f"""# TurkMood model card

*Generated by `python -m turkmood train` — do not edit by hand; re-run training instead.*

## Intended use

Classifies a music excerpt into one of four emotions ({", ".join(CLASSES)}) from the 50
MIRtoolbox feature columns of the UCI "Turkish Music Emotion" table. Intended for exploration,
teaching and as a decision aid with human review (the app accepts the top class only when its
probability reaches the decision threshold, otherwise it asks for review). Not intended for
decisions about people, for non-Turkish or very different music without re-validation, or as a
ground truth of how a listener feels.

## Data

UCI Machine Learning Repository dataset 862, "Turkish Music Emotion", by Mehmet Bilal Er and
Ibrahim Berkan Aydilek (Int. J. Computational Intelligence Systems, 2019), licensed
**CC BY 4.0** (attribution above; see `turkmood/data/README.md`).
{metrics["n_rows_raw"]} rows, {metrics["n_duplicates_removed"]} exact duplicates removed ->
{metrics["n_rows_used"]} rows used ({counts}).
Data sha256 `{metrics["data_sha256"]}`.

## Evaluation protocol

{cv["scheme"]}: {cv["folds"]} folds x {cv["repeats"]} repeats = {cv["n_evaluations"]} test folds,
seed {metrics["seed"]}. Imputation, scaling, any hyper-parameter search and calibration are part of
each pipeline, so they are fitted on the training folds only. Values are mean ± std over the test
folds. ECE (expected calibration error): top-label, {cv["ece_bins"]} equal-width bins, in
two figures: "{ECE_PER_FOLD_LABEL}" (each test fold on its own, then
averaged; the small folds inflate it) and "{ECE_POOLED_LABEL}" (all
out-of-fold predictions of a repeat at once, mean ± std over the repeats; the better estimate of
the shipped probabilities).

## Models

{descriptions}

Sorted by macro F1, best first.

{header}
|---|---|---|---|---|---|
{chr(10).join(rows)}

{cal_line}

At the app's decision threshold ({thr["threshold"]}) the default accepts {thr["coverage"]:.0%} of
the out-of-fold predictions, with accuracy {thr["accuracy_accepted"]:.3f} on those (the rest go to
review; accuracy there {thr["accuracy_rejected"]:.3f}).

Label-permutation control (default pipeline, labels shuffled once, {perm["folds"]} folds x
{perm["repeats"]} repeat): accuracy {_pm(perm["accuracy"])}, macro-F1 {_pm(perm["macro_f1"])}
(chance: {perm["chance_accuracy_uniform"]:.2f} uniform, {perm["chance_accuracy_majority_class"]:.3f}
majority class).

## Deployment criteria (canvas) for `{default}`

| criterion | value | rule | status |
|---|---|---|---|
{chr(10).join(crit_rows)}

All criteria met: **{"yes" if crit["all_met"] else "no"}**. Issue target (accuracy and macro-F1
>= {metrics["target"]["accuracy_and_macro_f1"]}): **{target}**.

## Limits

- The model only sees the 50 summary features. Features computed from new audio must come from a
  MIRtoolbox-faithful extractor (MIRtoolbox 1.7.1 conventions: frame sizes, normalisations,
  units); features from other tools (librosa defaults, Essentia, ...) have different scales and
  silently produce wrong predictions.
- {metrics["n_rows_used"]} songs from one source of Turkish music, labelled by the dataset authors;
  the CV numbers estimate performance on songs like these, not on other cultures, genres, live
  recordings or long mixed tracks. 30-second excerpts were analysed.
- The std across folds is large with ~{per_fold} songs per fold: differences of about one
  point between models are not meaningful.
- Hyper-parameters are fixed (library defaults or textbook values) and calibration is fitted
  inside the training folds, but the design of the default ensemble (members, log transform,
  C=0.3) was picked after comparing about 25 variants on the same data and CV
  (`bench/train.py`), so its score is slightly optimistic; the variants spanned about
  0.78-0.82 accuracy, a range comparable to the noise of the estimate.
- Probabilities are calibrated on this data only; on unfamiliar music they are likely
  overconfident (not measured).

## Reproduce

`python -m turkmood train --seed {metrics["seed"]}` with the library versions
{", ".join(f"{k} {v}" for k, v in metrics["library_versions"].items())}. Same seed and versions
give an identical `metrics.json`; model checksums are in `manifest.json`.
"""


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options of ``python -m turkmood train``."""
    parser = argparse.ArgumentParser(
        prog="python -m turkmood train", description="Evaluate, train and save TurkMood models."
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=MODELS_DIR,
        help=f"output directory (default: the shipped models, {MODELS_DIR}; needs --force)",
    )
    parser.add_argument(
        "--force", action="store_true", help="allow overwriting the shipped models in models/"
    )
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_FOLDS} folds x 1 repeat")
    parser.add_argument("--seed", type=int, default=SEED, help="random seed")
    parser.add_argument(
        "--models",
        default=",".join(CANDIDATES),
        help="comma-separated candidates to evaluate (default: all)",
    )
    parser.add_argument(
        "--no-mlflow",
        action="store_true",
        help="do not log an MLflow run (also: TURKMOOD_TRAIN_MLFLOW=0)",
    )
    return parser.parse_args(argv)


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """Build the :class:`TrainConfig` for parsed command-line options."""
    models = tuple(m.strip() for m in args.models.split(",") if m.strip())
    unknown = [m for m in models if m not in CANDIDATES]
    if not models or unknown:
        raise ValueError(f"unknown candidate(s) {unknown}; choose from {sorted(CANDIDATES)}")
    default = DEFAULT_MODEL if DEFAULT_MODEL in models else models[0]
    options = {"models": models, "default_model": default}
    if args.quick:
        return TrainConfig.quick(seed=args.seed, **options)
    return TrainConfig(seed=args.seed, **options)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point; returns a process exit code."""
    args = parse_args(argv)
    try:
        config = config_from_args(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    shipped = Path(args.out).resolve() == MODELS_DIR.resolve()
    if shipped and (MODELS_DIR / "manifest.json").exists() and not args.force:
        print(
            f"error: {MODELS_DIR} holds the shipped models (the app's first champion); "
            "write elsewhere with --out DIR, or add --force to overwrite them",
            file=sys.stderr,
        )
        return 2
    print(f"training into {Path(args.out).resolve()}", file=sys.stderr, flush=True)
    start = time.perf_counter()
    metrics = train_and_save(args.out, config)
    default = metrics["default_model"]
    m = metrics["models"][default]
    print(
        f"default {default}: accuracy {_pm(m['accuracy'])}, macro-F1 {_pm(m['macro_f1'])}, "
        f"ECE {_pm(m['ece'])}; deployment criteria met: "
        f"{metrics['deployment_criteria']['all_met']}; wrote {args.out} "
        f"in {time.perf_counter() - start:.0f}s"
    )
    _track(metrics, args)
    return 0


def _track(metrics: dict, args: argparse.Namespace) -> None:
    """Log the MLflow run of this training unless opted out; a failure only warns."""
    from turkmood.learning import tracking

    if args.no_mlflow or not tracking.tracking_enabled():
        return
    try:
        run_id = tracking.log_training_run(metrics, args.out)
    except Exception as exc:  # noqa: BLE001 - the models are written; tracking is a bonus
        _log(f"MLflow run not logged: {exc}")
        return
    _log(f"MLflow run {run_id} (python -m turkmood models; mlflow ui, see README)")


if __name__ == "__main__":
    raise SystemExit(main())
