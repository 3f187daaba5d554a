"""Tests of turkmood.train: permutation control, reproducibility, artifacts, CLI options."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from turkmood.candidates import CANDIDATES
from turkmood.constants import CLASSES, CRITERION_LABELS, ECE_PER_FOLD_LABEL, ECE_POOLED_LABEL
from turkmood.data import load_training_data
from turkmood.model import available_models, load_model, predict_features
from turkmood.train import (
    TrainConfig,
    config_from_args,
    cross_validate,
    deployment_criteria,
    main,
    model_card,
    parse_args,
    train_and_save,
)

#: Tiny, fast settings: one cheap model, 3 folds, 1 repeat.
TINY = TrainConfig(
    folds=3,
    repeats=1,
    permutation_folds=3,
    permutation_repeats=1,
    models=("logreg",),
    default_model="logreg",
)


@pytest.fixture(scope="module")
def data():
    return load_training_data()


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory, data) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("models_a")
    return out, train_and_save(out, TINY, data)


def test_permutation_control_falls_to_chance_while_real_labels_do_not(data) -> None:
    model = CANDIDATES["logreg"].build(0)
    real = cross_validate(model, data.X, data.y, folds=5, repeats=1, seed=1)
    rng = np.random.default_rng(1)
    shuffled = pd.Series(rng.permutation(data.y.to_numpy()), index=data.y.index)
    perm = cross_validate(model, data.X, shuffled, folds=5, repeats=1, seed=1)
    real_acc = np.mean([f["accuracy"] for f in real.folds])
    perm_acc = np.mean([f["accuracy"] for f in perm.folds])
    assert real_acc > 0.65
    assert 0.10 < perm_acc < 0.40  # chance is 0.25 (4 balanced classes)


def test_permutation_control_is_recorded(tiny_run) -> None:
    _, metrics = tiny_run
    perm = metrics["permutation_control"]
    assert perm["accuracy"]["mean"] < 0.40
    assert perm["chance_accuracy_uniform"] == pytest.approx(0.25)


def test_out_of_fold_probabilities_cover_every_row_once_per_repeat(data) -> None:
    result = cross_validate(CANDIDATES["logreg"].build(0), data.X, data.y, 3, 2, seed=3)
    assert result.oof.shape == (2, len(data.y), len(CLASSES))
    assert not np.isnan(result.oof).any()
    np.testing.assert_allclose(result.oof.sum(axis=2), 1.0)
    assert len(result.folds) == 6


def test_same_seed_gives_identical_metrics(tmp_path, tiny_run, data) -> None:
    out_a, _ = tiny_run
    train_and_save(tmp_path, TINY, data, precompute=False)
    assert (tmp_path / "metrics.json").read_bytes() == (out_a / "metrics.json").read_bytes()
    assert (tmp_path / "MODEL_CARD.md").read_bytes() == (out_a / "MODEL_CARD.md").read_bytes()


def test_other_seed_changes_the_folds(tmp_path, tiny_run, data) -> None:
    _, metrics_a = tiny_run
    other = TrainConfig(**{**TINY.__dict__, "seed": TINY.seed + 1})
    metrics_b = train_and_save(tmp_path, other, data, precompute=False)
    assert metrics_b["seed"] != metrics_a["seed"]
    assert metrics_b["models"]["logreg"]["accuracy"] != metrics_a["models"]["logreg"]["accuracy"]


def test_artifacts_load_through_the_manifest(tiny_run, data) -> None:
    out, metrics = tiny_run
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest) == {"default_model", "models", "artifacts"}
    assert manifest["artifacts"]["classroom"]["file"] == "classroom.json"
    assert manifest["default_model"] == metrics["default_model"]
    assert set(manifest["models"]) == {"logreg", "logreg_calibrated"}
    for name, entry in manifest["models"].items():
        assert set(entry) == {"file", "sha256"}
        assert entry["file"] == f"{name}.joblib"
    assert available_models(out / "manifest.json")[0] == manifest["default_model"]
    model = load_model(manifest_path=out / "manifest.json")
    table = data.X.head(5).copy()
    table.iloc[0, 3] = np.nan  # a missing cell is imputed inside the pipeline
    result = predict_features(table, model)
    np.testing.assert_allclose(result[list(CLASSES)].sum(axis=1), 1.0)
    assert result["predicted"].isin(CLASSES).all()


def test_metrics_json_has_the_required_fields(tiny_run) -> None:
    _, metrics = tiny_run
    for key in (
        "default_model",
        "models",
        "data_sha256",
        "n_rows_raw",
        "n_duplicates_removed",
        "seed",
        "cv",
        "library_versions",
        "permutation_control",
        "deployment_criteria",
        "reliability_diagram",
        "decision_threshold",
    ):
        assert key in metrics
    m = metrics["models"]["logreg"]
    assert m["accuracy"]["n"] == TINY.folds * TINY.repeats
    assert set(m["per_class_f1"]) == set(CLASSES)
    counts = np.array(m["confusion_matrix"]["counts_summed_over_folds"])
    assert counts.sum() == metrics["n_rows_used"] * TINY.repeats
    assert metrics["n_rows_used"] == metrics["n_rows_raw"] - metrics["n_duplicates_removed"]
    bins = metrics["reliability_diagram"]["bins"]
    assert len(bins) == metrics["cv"]["ece_bins"]
    assert sum(b["count"] for b in bins) == metrics["n_rows_used"] * TINY.repeats
    assert 0.0 <= metrics["decision_threshold"]["coverage"] <= 1.0


def test_model_card_is_generated_with_attribution_and_criteria(tiny_run) -> None:
    out, metrics = tiny_run
    card = (out / "MODEL_CARD.md").read_text()
    assert "CC BY 4.0" in card
    assert "MIRtoolbox-faithful" in card
    for name in metrics["models"]:
        assert f"`{name}`" in card
    for label in CRITERION_LABELS.values():
        assert f"| {label} |" in card


def test_model_card_text_names_both_eces_sorts_models_and_uses_human_criteria() -> None:
    """The generator on the shipped metrics.json (no training): the page's names and order."""
    from turkmood.constants import METRICS_PATH

    metrics = json.loads(METRICS_PATH.read_text())
    card = model_card(metrics)
    assert f"| {ECE_PER_FOLD_LABEL} | {ECE_POOLED_LABEL} |" in card
    assert "ECE (per fold)" not in card and "ECE (pooled)" not in card
    rows = [line for line in card.splitlines() if line.startswith("| `")]
    names = [line.split("`")[1] for line in rows]
    f1s = [metrics["models"][n]["macro_f1"]["mean"] for n in names]
    assert len(names) == len(metrics["models"]) and f1s == sorted(f1s, reverse=True)
    pooled = metrics["models"][metrics["default_model"]]["ece_pooled_oof"]
    assert (
        f"{pooled['mean']:.3f} ± {pooled['std']:.3f} |"
        in rows[names.index(metrics["default_model"])]
    )
    for key in ("macro_f1", "per_class_f1_gap"):
        assert f"| {key} |" not in card


def test_deployment_criteria_thresholds() -> None:
    def summary(acc: float, f1: float, gap: float) -> dict:
        return {"accuracy": {"mean": acc}, "macro_f1": {"mean": f1}, "per_class_f1_gap": gap}

    assert deployment_criteria(summary(0.80, 0.78, 0.10))["all_met"]
    crit = deployment_criteria(summary(0.79, 0.80, 0.05))
    assert not crit["accuracy"]["met"] and crit["macro_f1"]["met"] and not crit["all_met"]
    assert not deployment_criteria(summary(0.9, 0.9, 0.11))["per_class_f1_gap"]["met"]


def test_cli_options() -> None:
    args = parse_args(["--quick", "--seed", "7", "--models", "logreg,extra_trees"])
    config = config_from_args(args)
    assert config.seed == 7 and config.folds == 5 and config.repeats == 1
    assert config.models == ("logreg", "extra_trees")
    full = config_from_args(parse_args([]))
    assert full.folds == 10 and full.repeats == 5 and full.models == tuple(CANDIDATES)
    assert main(["--models", "no_such_model"]) == 2


def test_unknown_default_is_refused(data, tmp_path) -> None:
    with pytest.raises(ValueError, match="default model"):
        train_and_save(tmp_path, TrainConfig(models=("logreg",), default_model="svc_rbf"), data)


def test_shipped_models_directory_is_consistent() -> None:
    """models/ as committed: manifest, metrics and card agree, and the default loads."""
    from turkmood.constants import MANIFEST_PATH, METRICS_PATH

    manifest = json.loads(MANIFEST_PATH.read_text())
    metrics = json.loads(METRICS_PATH.read_text())
    assert manifest["default_model"] == metrics["default_model"]
    assert set(manifest["models"]) == set(metrics["models"])
    assert metrics["n_rows_used"] == len(load_training_data().y)
    assert metrics["cv"]["n_evaluations"] == 50
    assert metrics["permutation_control"]["accuracy"]["mean"] < 0.40
    card = (MANIFEST_PATH.parent / "MODEL_CARD.md").read_text()
    assert f"`{metrics['default_model']}` **(default)**" in card
    assert load_model().name == metrics["default_model"]
