"""Unit tests of turkmood.evaluation with analytically known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from turkmood.evaluation import (
    bin_index,
    ece_top_label,
    fold_metrics,
    reliability_bins,
    selective_accuracy,
    summarise,
    summarise_folds,
)

CLASSES = ("a", "b", "c", "d")


def _probs(top: list[int], conf: list[float], k: int = 4) -> np.ndarray:
    """Rows whose top class is ``top[i]`` with probability ``conf[i]``, rest spread evenly."""
    out = np.empty((len(top), k))
    for i, (t, c) in enumerate(zip(top, conf, strict=True)):
        out[i] = (1 - c) / (k - 1)
        out[i, t] = c
    return out


def test_perfectly_calibrated_input_has_zero_ece() -> None:
    # ten predictions at confidence 0.8, eight of them right -> accuracy equals confidence
    probs = _probs([0] * 10, [0.8] * 10)
    y = np.array([0] * 8 + [1] * 2)
    assert ece_top_label(probs, y, 15) == pytest.approx(0.0, abs=1e-12)


def test_confident_and_right_has_zero_ece() -> None:
    probs = np.eye(4)[[0, 1, 2, 3, 2]]
    assert ece_top_label(probs, np.array([0, 1, 2, 3, 2])) == pytest.approx(0.0)


def test_all_confident_wrong_has_ece_one() -> None:
    probs = np.eye(4)[[0, 1, 2, 3]]
    y = np.array([1, 2, 3, 0])
    assert ece_top_label(probs, y, 15) == pytest.approx(1.0)


def test_two_bin_example_matches_hand_computation() -> None:
    # bin of 0.9: 3/4 right -> gap 0.15; bin of 0.6: 2/4 right -> gap 0.10; equal weights
    probs = _probs([0] * 8, [0.9] * 4 + [0.6] * 4)
    y = np.array([0, 0, 0, 1, 0, 0, 1, 1])
    assert ece_top_label(probs, y, 10) == pytest.approx(0.5 * 0.15 + 0.5 * 0.10)


def test_single_bin_ece_is_gap_between_mean_confidence_and_accuracy() -> None:
    probs = _probs([0, 0, 0, 0], [0.4, 0.6, 0.8, 1.0])
    y = np.array([0, 1, 1, 1])  # accuracy 0.25, mean confidence 0.7
    assert ece_top_label(probs, y, 1) == pytest.approx(0.45)


def test_bin_edges_are_right_closed() -> None:
    idx = bin_index(np.array([0.0, 1 / 15, 1 / 15 + 1e-9, 0.5, 1.0]), 15)
    assert idx.tolist() == [0, 0, 1, 7, 14]


def test_reliability_bins_cover_all_predictions_and_keep_empty_bins() -> None:
    probs = _probs([0, 1, 2, 3], [0.9, 0.9, 0.3, 0.55])
    y = np.array([0, 0, 2, 3])
    table = reliability_bins(probs, y, 10)
    assert len(table) == 10
    assert sum(row["count"] for row in table) == 4
    top_bin = table[8]  # (0.8, 0.9]
    assert top_bin["count"] == 2
    assert top_bin["confidence"] == pytest.approx(0.9)
    assert top_bin["accuracy"] == pytest.approx(0.5)
    assert table[0]["count"] == 0
    assert table[0]["confidence"] is None and table[0]["accuracy"] is None
    assert table[0]["lower"] == 0.0 and table[-1]["upper"] == 1.0


def test_fold_metrics_on_hand_made_predictions() -> None:
    # true: a a b b c c d d ; predicted: a b b b c c d a
    y = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    pred = [0, 1, 1, 1, 2, 2, 3, 0]
    m = fold_metrics(np.eye(4)[pred], y, CLASSES)
    assert m["accuracy"] == pytest.approx(6 / 8)
    # F1: a: p=1/2 r=1/2 -> 0.5; b: p=2/3 r=1 -> 0.8; c: 1; d: p=1 r=1/2 -> 2/3
    expected = {"a": 0.5, "b": 0.8, "c": 1.0, "d": 2 / 3}
    for c, f in expected.items():
        assert m["per_class_f1"][c] == pytest.approx(f)
    assert m["macro_f1"] == pytest.approx(np.mean(list(expected.values())))
    assert m["confusion_matrix"] == [[1, 1, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0], [1, 0, 0, 1]]
    assert m["ece"] == pytest.approx(1 - 6 / 8)  # all at confidence 1


def test_summarise_uses_population_std() -> None:
    s = summarise([1.0, 2.0, 3.0])
    assert s["mean"] == pytest.approx(2.0)
    assert s["std"] == pytest.approx(math.sqrt(2 / 3))
    assert s["n"] == 3


def test_summarise_folds_sums_and_normalises_confusion() -> None:
    y = np.array([0, 1, 2, 3])
    f1 = fold_metrics(np.eye(4)[[0, 1, 2, 3]], y, CLASSES)
    f2 = fold_metrics(np.eye(4)[[1, 1, 2, 3]], y, CLASSES)
    s = summarise_folds([f1, f2], CLASSES)
    assert s["accuracy"]["mean"] == pytest.approx((1.0 + 0.75) / 2)
    counts = s["confusion_matrix"]["counts_summed_over_folds"]
    assert counts[0] == [1, 1, 0, 0]
    assert counts[1] == [0, 2, 0, 0]
    assert s["confusion_matrix"]["row_normalised"][0] == [0.5, 0.5, 0.0, 0.0]
    assert s["per_class_f1"]["a"] == pytest.approx((1.0 + 0.0) / 2)


@pytest.mark.parametrize(
    ("probs", "y"),
    [
        (np.ones((3, 4)) / 4, np.array([0, 1])),  # length mismatch
        (np.ones(4) / 4, np.array([0])),  # not 2-D
        (np.ones((2, 4)) / 4, np.array([0, 4])),  # label out of range
        (np.ones((0, 4)), np.array([], dtype=int)),  # empty
    ],
)
def test_bad_input_is_rejected(probs: np.ndarray, y: np.ndarray) -> None:
    with pytest.raises(ValueError):
        ece_top_label(probs, y)


def test_summarise_rejects_empty() -> None:
    with pytest.raises(ValueError):
        summarise([])


def test_selective_accuracy_counts_accepted_predictions() -> None:
    probs = _probs([0, 1, 2, 3], [0.9, 0.8, 0.5, 0.74])
    y = np.array([0, 2, 2, 3])  # accepted (>= 0.75): rows 0 (right) and 1 (wrong)
    s = selective_accuracy(probs, y, 0.75)
    assert s["n_accepted"] == 2
    assert s["coverage"] == pytest.approx(0.5)
    assert s["accuracy_accepted"] == pytest.approx(0.5)
    assert s["accuracy_rejected"] == pytest.approx(1.0)
    assert selective_accuracy(probs, y, 0.95)["accuracy_accepted"] is None
