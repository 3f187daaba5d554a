import numpy as np
import pytest
from sklearn.model_selection import train_test_split

from turkmood.constants import FEATURE_NAMES, OOD_FALSE_ALARM_RATE
from turkmood.data import load_training_data
from turkmood.ood import check_features, fit_detector, training_detector


@pytest.fixture(scope="module")
def X():
    return load_training_data().X


def test_threshold_is_calibrated_on_held_out_rows(X):
    # Fit on 75 % of the songs, check the false-alarm rate on the 25 % it never saw.
    train, test = train_test_split(X, test_size=0.25, random_state=0)
    detector = fit_detector(train.to_numpy())
    flagged = np.mean([r.is_ood for r in check_features(test, detector)])
    # ~1 % by the distance rule; the range rule adds a few; a broken scale would flag most.
    assert flagged <= 5 * OOD_FALSE_ALARM_RATE + 0.02


def test_training_rows_are_mostly_in_distribution(X):
    flagged = np.mean([r.is_ood for r in check_features(X)])
    assert flagged <= 2 * OOD_FALSE_ALARM_RATE


def test_absurd_value_is_flagged_and_named(X):
    row = X.iloc[0].to_dict()
    row["_Tempo_Mean"] = 3 * X["_Tempo_Mean"].max()
    result = check_features(row)[0]
    assert result.is_ood
    assert result.out_of_range == ["_Tempo_Mean"]
    assert result.most_off[0][0] == "_Tempo_Mean"
    assert "_Tempo_Mean" in result.far_features


def test_librosa_scale_features_are_flagged(X):
    # What other projects feed models: ZCR as a fraction, MFCC on a dB-like scale.
    row = X.median().to_dict()
    row["_Zero-crossingrate_Mean"] = 0.05
    row["_MFCC_Mean_1"] = 80.0
    result = check_features(row)[0]
    assert result.is_ood
    assert {"_Zero-crossingrate_Mean", "_MFCC_Mean_1"} <= set(result.out_of_range)


def test_detector_is_cached_and_results_are_complete(X):
    assert training_detector() is training_detector()
    res = check_features(X.head(3))
    assert len(res) == 3
    assert all(len(r.most_off) == 5 and r.most_off[0][0] in FEATURE_NAMES for r in res)


# --- clearly non-musical input never gets an accepted emotion (#15 item 15) -----------------------


def _synthetic(kind: str, seconds: float = 30.0) -> np.ndarray:
    sr = 44100
    t = np.arange(int(seconds * sr)) / sr
    if kind == "sine":
        return 0.5 * np.sin(2 * np.pi * 440 * t)
    if kind == "noise":
        return 0.2 * np.random.default_rng(0).standard_normal(t.size)
    return 0.5 * np.sin(2 * np.pi * (200 + 50 * t) * t)  # a chirp: unusual, not named


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("sine", "review — not music: it sounds like a steady tone"),
        ("noise", "review — not music: it sounds like noise"),
        ("chirp", "review — unlike the training music"),
    ],
)
def test_non_musical_clips_are_sent_to_review_with_the_reason(kind, expected):
    from turkmood.analyze import analyze_signal

    analysis = analyze_signal(_synthetic(kind), 44100)
    assert analysis.is_ood
    assert analysis.decision.startswith(expected)
    assert all(d.startswith("review") for d in analysis.timeline["decision"])
    assert analysis.predicted in {"happy", "sad", "angry", "relax"}  # the guess stays visible


def test_training_songs_are_not_called_non_music():
    from turkmood.ood import non_music_reason

    X = load_training_data().X.to_numpy()
    assert not any(non_music_reason(row) for row in X)
