"""Model-card tables from metrics.json, read defensively."""

from __future__ import annotations

from ui.card import (
    confusion,
    deployment_table,
    format_mean_std,
    mean_std,
    per_class_f1,
    summary_table,
)

METRICS = {
    "default_model": "b",
    "models": {
        "a": {"accuracy": {"mean": 0.5, "std": 0.1}, "macro_f1": {"mean": 0.4, "std": 0.2}},
        "b": {
            "accuracy": {"mean": 0.81234, "std": 0.0216},
            "macro_f1": {"mean": 0.8, "std": 0.02},
            "ece": {"mean": 0.05, "std": 0.01},
            "per_class_f1": {"sad": 0.7, "happy": 0.9},
            "confusion_matrix": {
                "labels": ["happy", "sad"],
                "counts_summed_over_folds": [[9, 1], [2, 8]],
                "row_normalised": [[0.9, 0.1], [0.2, 0.8]],
            },
        },
    },
    "deployment_criteria": {
        "accuracy": {"value": 0.81234, "rule": ">= 0.8", "met": True},
        "per_class_f1_gap": {"value": 0.2, "rule": "<= 0.1", "met": False},
        "all_met": False,
    },
}


def test_mean_std_and_format():
    assert mean_std({"mean": 0.5, "std": 0.25}) == (0.5, 0.25)
    assert mean_std(0.7) == (0.7, None)
    assert mean_std(None) == (None, None)
    assert format_mean_std({"mean": 0.81234, "std": 0.0216}) == "0.812 ± 0.022"
    assert format_mean_std(0.5) == "0.500"
    assert format_mean_std({}) == "—"


def test_summary_table_puts_default_first_and_marks_missing():
    table = summary_table(METRICS)
    assert table["model"].tolist() == ["b (default)", "a"]
    assert table.loc[0, "accuracy"] == "0.812 ± 0.022"
    assert table.loc[1, "ECE (lower is better)"] == "—"


def test_summary_table_of_empty_metrics_is_empty():
    assert summary_table({}).empty


def test_confusion_reads_both_kinds_and_rejects_bad_shapes():
    entry = METRICS["models"]["b"]
    assert confusion(entry) == ([[0.9, 0.1], [0.2, 0.8]], ["happy", "sad"])
    assert confusion(entry, normalised=False) == ([[9.0, 1.0], [2.0, 8.0]], ["happy", "sad"])
    assert confusion({"confusion_matrix": [[1, 2]]}) is None
    assert confusion({}) is None


def test_deployment_table_skips_summary_flag():
    table = deployment_table(METRICS)
    assert table["criterion"].tolist() == ["accuracy", "per_class_f1_gap"]
    assert table["measured"].tolist() == ["0.812", "0.200"]
    assert table["met"].tolist() == ["yes", "no"]
    assert deployment_table({}) is None


def test_per_class_f1_accepts_numbers_and_mean_std():
    assert per_class_f1(METRICS["models"]["b"]) == {"sad": 0.7, "happy": 0.9}
    assert per_class_f1({"per_class_f1": {"sad": {"mean": 0.6, "std": 0.1}}}) == {"sad": 0.6}
