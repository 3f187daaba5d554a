import pandas as pd
import pytest

from turkmood.constants import CLASSES, DECISION_THRESHOLD
from turkmood.decision import decide, is_uncertain


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
    assert out.loc[0, "decision"] == "Review: angry/relax"
    assert is_uncertain(out.loc[0, "decision"])


def test_custom_threshold():
    out = decide(_probs([[0.6, 0.2, 0.1, 0.1]]), threshold=0.5)
    assert out.loc[0, "decision"] == "happy"
