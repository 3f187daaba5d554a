"""Valence–arousal from the four class probabilities (Russell's circumplex)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from turkmood.circumplex import valence_arousal
from turkmood.constants import CIRCUMPLEX_POSITIONS, CLASSES


@pytest.mark.parametrize(
    ("emotion", "signs", "words"),
    [
        ("happy", (1, 1), "pleasant and energetic"),
        ("angry", (-1, 1), "unpleasant and energetic"),
        ("sad", (-1, -1), "unpleasant and calm"),
        ("relax", (1, -1), "pleasant and calm"),
    ],
)
def test_a_certain_prediction_lands_on_its_corner(emotion, signs, words):
    point = valence_arousal({c: float(c == emotion) for c in CLASSES})
    assert (point.valence, point.arousal) == pytest.approx(CIRCUMPLEX_POSITIONS[emotion])
    assert (np.sign(point.valence), np.sign(point.arousal)) == signs
    assert point.describe() == words


def test_undecided_prediction_sits_at_the_centre():
    point = valence_arousal(dict.fromkeys(CLASSES, 0.25))
    assert point.intensity == pytest.approx(0.0, abs=1e-9)


def test_weights_are_renormalised():
    a = valence_arousal({"happy": 2.0, "sad": 1.0, "angry": 0.0, "relax": 1.0})
    b = valence_arousal({"happy": 0.5, "sad": 0.25, "angry": 0.0, "relax": 0.25})
    assert (a.valence, a.arousal) == pytest.approx((b.valence, b.arousal))


@pytest.mark.parametrize(
    "bad", [dict.fromkeys(CLASSES, 0.0), {**dict.fromkeys(CLASSES, 0.3), "sad": -0.1}]
)
def test_invalid_probabilities_are_refused(bad):
    with pytest.raises(ValueError):
        valence_arousal(bad)


@given(st.lists(st.floats(0.0, 1.0), min_size=4, max_size=4).filter(lambda w: sum(w) > 1e-6))
def test_point_stays_in_the_disc_and_follows_the_classes(weights):
    probs = dict(zip(CLASSES, np.array(weights) / sum(weights), strict=True))
    point = valence_arousal(probs)
    assert point.intensity <= 1.0 + 1e-4
    pleasant = probs["happy"] + probs["relax"] - probs["sad"] - probs["angry"]
    energetic = probs["happy"] + probs["angry"] - probs["sad"] - probs["relax"]
    assert point.valence == pytest.approx(0.7071 * pleasant, abs=1e-9)
    assert point.arousal == pytest.approx(0.7071 * energetic, abs=1e-9)
