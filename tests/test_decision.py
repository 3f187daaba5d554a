from types import SimpleNamespace

import pandas as pd
import pytest

from turkmood.constants import CLASSES, DECISION_THRESHOLD
from turkmood.decision import decide, is_uncertain, review_unusual, status


def _probs(rows):
    return pd.DataFrame(rows, columns=list(CLASSES))


def test_confident_prediction_is_the_top_class():
    out = decide(_probs([[0.80, 0.10, 0.05, 0.05]]))
    assert out.loc[0, "predicted"] == "happy"
    assert out.loc[0, "decision"] == "happy"
    assert out.loc[0, "confidence"] == pytest.approx(0.80)
    assert not is_uncertain(out.loc[0, "decision"])


def test_threshold_is_inclusive():
    out = decide(_probs([[0.05, DECISION_THRESHOLD, 0.15, 0.05]]))
    assert out.loc[0, "decision"] == "sad"


def test_below_threshold_asks_for_review_with_top_two():
    out = decide(_probs([[0.10, 0.20, 0.45, 0.25]]))
    assert out.loc[0, "predicted"] == "angry"
    assert out.loc[0, "runner_up"] == "relax"
    assert out.loc[0, "decision"] == "review — between angry and relax"
    assert is_uncertain(out.loc[0, "decision"])
    assert status(out.loc[0, "decision"]) == "review"
    assert is_uncertain("Review: angry/relax")  # older prediction-log rows still count


def test_an_out_of_distribution_row_is_never_accepted():
    out = decide(_probs([[0.95, 0.03, 0.01, 0.01], [0.95, 0.03, 0.01, 0.01], [0.9, 0.1, 0, 0]]))
    verdicts = [
        SimpleNamespace(is_ood=True, non_music=""),
        SimpleNamespace(is_ood=True, non_music="it sounds like noise"),
        SimpleNamespace(is_ood=False, non_music=""),
    ]
    reviewed = review_unusual(out, verdicts)
    assert reviewed["decision"].tolist() == [
        "review — unlike the training music",
        "review — not music: it sounds like noise",
        "happy",
    ]
    assert [status(d) for d in reviewed["decision"]] == ["review", "review", "accepted"]
    assert reviewed["predicted"].tolist() == out["predicted"].tolist()  # the guess is kept


def test_custom_threshold():
    out = decide(_probs([[0.6, 0.2, 0.1, 0.1]]), threshold=0.5)
    assert out.loc[0, "decision"] == "happy"
