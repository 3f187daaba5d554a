"""Model-card tables from metrics.json, read defensively."""

from __future__ import annotations

from turkmood.constants import ECE_PER_FOLD_LABEL, ECE_POOLED_LABEL
from ui.card import (
    confusion,
    deployment_consequence,
    deployment_table,
    format_mean_std,
    format_rule,
    mean_std,
    per_class_f1,
    summary_table,
)

METRICS = {
    "default_model": "b",
    "models": {
        "a": {"accuracy": {"mean": 0.5, "std": 0.1}, "macro_f1": {"mean": 0.4, "std": 0.2}},
        "c": {"accuracy": {"mean": 0.9, "std": 0.1}, "macro_f1": {"mean": 0.85, "std": 0.2}},
        "b": {
            "accuracy": {"mean": 0.81234, "std": 0.0216},
            "macro_f1": {"mean": 0.8, "std": 0.02},
            "ece": {"mean": 0.05, "std": 0.01},
            "ece_pooled_oof": {"mean": 0.03, "std": 0.002},
            "per_class_f1": {"sad": 0.7, "happy": 0.9},
            "confusion_matrix": {
                "labels": ["happy", "sad"],
                "counts_summed_over_folds": [[9, 1], [2, 8]],
                "row_normalised": [[0.9, 0.1], [0.2, 0.8]],
            },
        },
    },
    "deployment_criteria": {
        "per_class_f1_gap": {"value": 0.2, "rule": "<= 0.1", "met": False},
        "accuracy": {"value": 0.81234, "rule": ">= 0.8", "met": True},
        "all_met": False,
    },
    "decision_threshold": {
        "threshold": 0.75,
        "coverage": 0.79,
        "accuracy_accepted": 0.894,
        "accuracy_rejected": 0.537,
    },
}


def test_mean_std_and_format():
    assert mean_std({"mean": 0.5, "std": 0.25}) == (0.5, 0.25)
    assert mean_std(0.7) == (0.7, None)
    assert mean_std(None) == (None, None)
    assert format_mean_std({"mean": 0.81234, "std": 0.0216}) == "0.812 ± 0.022"
    assert format_mean_std(0.5) == "0.500"
    assert format_mean_std({}) == "—"


def test_summary_table_sorts_by_macro_f1_marks_default_and_names_both_eces():
    table = summary_table(METRICS)
    assert table["model"].tolist() == ["c", "b (default)", "a"]  # macro F1 0.85, 0.8, 0.4
    assert table.loc[1, "accuracy"] == "0.812 ± 0.022"
    assert table.loc[1, ECE_PER_FOLD_LABEL] == "0.050 ± 0.010"
    assert table.loc[1, ECE_POOLED_LABEL] == "0.030 ± 0.002"
    assert table.loc[2, ECE_PER_FOLD_LABEL] == "—"
    assert "ECE (lower is better)" not in table.columns


def test_summary_table_of_empty_metrics_is_empty():
    assert summary_table({}).empty


def test_confusion_reads_both_kinds_and_rejects_bad_shapes():
    entry = METRICS["models"]["b"]
    assert confusion(entry) == ([[0.9, 0.1], [0.2, 0.8]], ["happy", "sad"])
    assert confusion(entry, normalised=False) == ([[9.0, 1.0], [2.0, 8.0]], ["happy", "sad"])
    assert confusion({"confusion_matrix": [[1, 2]]}) is None
    assert confusion({}) is None


def test_deployment_table_has_human_names_in_a_fixed_order_and_skips_summary_flag():
    table = deployment_table(METRICS)
    assert table["criterion"].tolist() == [
        "Accuracy",
        "F1 gap between the best and the worst emotion",
    ]
    assert not any("_" in c for c in table["criterion"])
    assert table["rule"].tolist() == ["≥ 0.80", "≤ 0.10"]
    assert table["measured"].tolist() == ["0.812", "0.200"]
    assert table["met"].tolist() == ["yes", "no"]
    assert deployment_table({}) is None


def test_format_rule():
    assert format_rule(">= 0.78") == "≥ 0.78"
    assert format_rule("<= 0.1") == "≤ 0.10"
    assert format_rule("odd rule") == "odd rule"


def test_deployment_consequence_says_what_it_means_for_a_result():
    text = deployment_consequence(METRICS)
    # the failed gap, in emotions: best vs worst class and who the worst is mistaken for
    assert "**happy** songs much better than **sad** ones (F1 0.90 vs 0.70" in text
    assert "20% of the sad songs were called happy" in text
    assert "What this means for your result" in text
    assert "above all a *sad* or *happy* result" in text
    # and how the review threshold protects the user
    assert "top probability reaches 0.75" in text
    assert "89% of those were right, against 54%" in text
    met = {**METRICS, "deployment_criteria": {"accuracy": {"value": 0.9, "met": True}}}
    assert deployment_consequence(met) is None
    assert deployment_consequence({}) is None


def test_per_class_f1_accepts_numbers_and_mean_std():
    assert per_class_f1(METRICS["models"]["b"]) == {"sad": 0.7, "happy": 0.9}
    assert per_class_f1({"per_class_f1": {"sad": {"mean": 0.6, "std": 0.1}}}) == {"sad": 0.6}
