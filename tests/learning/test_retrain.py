"""Retraining: grouped folds never straddle a track or a seed group, user rows weighted by
repetition on the training side only, a deterministic weight choice, the CLI end to end.

Fits use logistic regression (the default ensemble is ~3 s per fit) and tiny CV."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from turkmood.candidates import CANDIDATES
from turkmood.constants import CLASSES, FEATURE_NAMES, HOME_ENV, RETRAIN_REPORT_NAME, SEED
from turkmood.data import load_training_data
from turkmood.learning.compare import track_metrics, tracks_of, uci_cv, user_cv
from turkmood.learning.folds import FoldError, track_groups, user_folds
from turkmood.learning.labels import add_label, label_windows, read_labels
from turkmood.learning.retrain import RetrainConfig, choose_weight, retrain
from turkmood.learning.trainset import training_set


@pytest.fixture(scope="module")
def uci():
    return load_training_data()


@pytest.fixture(scope="module")
def labels(uci, tmp_path_factory) -> pd.DataFrame:
    """12 synthetic "tracks" of 2 windows each: UCI rows of their class, shifted (a new domain);
    names with seed suffixes so that some tracks share a group."""
    db = tmp_path_factory.mktemp("labels") / "labels.db"
    rng = np.random.default_rng(0)
    shift = uci.X.std().to_numpy() * 0.8
    for i in range(12):
        emotion = CLASSES[i % 4]
        rows = uci.X[uci.y == emotion].sample(2, random_state=i).to_numpy() + shift
        rows = rows * rng.normal(1.0, 0.02, rows.shape)
        seed = ("_s411", "_s522", "_1", "_2")[i // 4 if i < 8 else 2 + i % 2]
        add_label(
            f"hash{i:02d}", emotion, rows, source="csv", clip_name=f"t{i}{seed}.opus", path=db
        )
    return read_labels(db)


def _logreg():
    return CANDIDATES["logreg"].build(SEED)


def test_seed_suffix_groups_tracks_together():
    groups = track_groups(
        ["h1", "h2", "h3", "h4"], ["calm_s411.opus", "happy_s411.opus", "x_1", "y"]
    )
    assert groups[0] == groups[1] == "seed:411"
    assert list(groups[2:]) == ["h3", "h4"]


def test_grouped_folds_never_straddle_a_track_or_a_seed(labels):
    windows = label_windows(labels)
    tracks = tracks_of(windows)
    groups = track_groups(tracks["clip_hash"], tracks["clip_name"])
    splits = user_folds(tracks["emotion"], groups, n_folds=3, repeats=2, seed=SEED)
    assert len(splits) == 6
    for repeat in range(2):
        tested = np.concatenate([test for r, _, test in splits if r == repeat])
        assert sorted(tested) == list(range(len(tracks)))  # each track held out once a repeat
    for _, train, test in splits:
        assert not set(groups[train]) & set(groups[test])
        assert not set(tracks["clip_hash"][train]) & set(tracks["clip_hash"][test])
    with pytest.raises(FoldError):
        user_folds(["sad", "sad"], ["g", "g"])


def test_user_windows_are_repeated_and_added_after_the_uci_rows(uci, labels):
    windows = label_windows(labels)
    X, y = training_set(uci.X, uci.y, windows, 3)
    assert len(X) == len(uci.X) + 3 * len(windows)
    assert X.iloc[: len(uci.X)].equals(uci.X.reset_index(drop=True))
    tail = X.iloc[len(uci.X) :]
    assert (tail.iloc[0] == tail.iloc[1]).all() and (tail.iloc[1] == tail.iloc[2]).all()
    assert training_set(uci.X, uci.y, windows, 0)[0].shape == uci.X.shape
    with pytest.raises(ValueError):
        training_set(uci.X, uci.y, windows, 1.5)


def test_uci_cv_of_champion_and_challenger_use_the_same_folds(uci, labels):
    windows = label_windows(labels)
    champ = uci_cv(_logreg(), uci.X, uci.y, None, 0, folds=2, repeats=1, seed=SEED)
    again = uci_cv(_logreg(), uci.X, uci.y, windows, 0, folds=2, repeats=1, seed=SEED)
    chall = uci_cv(_logreg(), uci.X, uci.y, windows, 5, folds=2, repeats=1, seed=SEED)
    assert champ["macro_f1"] == again["macro_f1"]  # weight 0 = the champion's recipe
    assert chall["macro_f1"]["n"] == champ["macro_f1"]["n"] == 2
    assert chall["macro_f1"]["mean"] != champ["macro_f1"]["mean"]


def test_user_cv_scores_held_out_tracks_only(uci, labels):
    windows = label_windows(labels)
    tracks = tracks_of(windows)
    groups = track_groups(tracks["clip_hash"], tracks["clip_name"])
    splits = user_folds(tracks["emotion"], groups, n_folds=3, repeats=1, seed=SEED)
    champion = _logreg().fit(uci.X, uci.y)
    out = user_cv(_logreg(), uci.X, uci.y, windows, splits, 10, champion=champion)
    assert set(out) == {"challenger", "champion"}
    assert out["champion"]["n_tracks"] == len(tracks) == 12
    assert len(out["challenger"]["tracks_first_repeat"]) == 12
    # the shifted domain is learnt from the other folds' tracks
    assert out["challenger"]["accuracy"]["mean"] > out["champion"]["accuracy"]["mean"]


def test_track_metrics_arousal_and_confident_wrong():
    probs = np.array(
        [
            [0.9, 0.05, 0.03, 0.02],  # happy, label relax: wrong arousal, confident
            [0.1, 0.1, 0.6, 0.2],  # angry, label happy: right arousal, wrong class
            [0.1, 0.5, 0.1, 0.3],  # sad, label relax: right arousal
            [0.4, 0.3, 0.0, 0.3],  # happy, label sad: wrong arousal, not confident
        ]
    )
    m = track_metrics(probs, ["relax", "happy", "relax", "sad"])
    assert m["arousal_agreement"] == 0.5 and m["n_arousal_agree"] == 2
    assert m["confident_wrong"] == 1
    assert m["accuracy"] == 0.0


def test_weight_choice_respects_the_uci_floor_and_prefers_the_smaller_weight():
    cands = {
        1: {"user_macro_f1": 0.5, "user_arousal": 0.7, "uci_macro_f1": 0.80},
        2: {"user_macro_f1": 0.6, "user_arousal": 0.7, "uci_macro_f1": 0.79},
        5: {"user_macro_f1": 0.6, "user_arousal": 0.7, "uci_macro_f1": 0.79},
        10: {"user_macro_f1": 0.9, "user_arousal": 0.9, "uci_macro_f1": 0.70},
    }
    w, ok, reason = choose_weight(cands, 0.80, 0.02)
    assert (w, ok) == (2, True) and "0.600" in reason
    w, ok, reason = choose_weight({5: cands[10], 10: cands[10]}, 0.80, 0.02)
    assert (w, ok) == (5, False) and "do not promote" in reason


def test_retrain_is_deterministic_and_reports_its_choice(uci, labels):
    config = RetrainConfig(uci_folds=2, uci_repeats=1, user_folds=3, user_repeats=1, weights=(1, 5))
    champion = _logreg().fit(uci.X, uci.y)
    runs = [retrain(labels, uci, config, estimator=_logreg(), champion=champion) for _ in range(2)]
    a, b = (r.report for r in runs)
    assert runs[0].weight == runs[1].weight == a["weight_choice"]["chosen"]
    for key in ("weight_choice", "uci", "user", "labels", "data_hash"):
        assert a[key] == b[key]
    assert a["labels"]["per_class"] == {c: 3 for c in CLASSES}
    assert a["labels"]["per_source"]["csv"] == 12
    assert set(a["weight_choice"]["candidates"]) == {"1", "5"}
    probs = runs[0].pipeline.predict_proba(uci.X.iloc[:3][list(FEATURE_NAMES)])
    assert probs.shape == (3, 4)


def test_cli_retrain_without_labels_is_a_clear_error(capsys, monkeypatch, tmp_path):
    from turkmood.cli import main

    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    assert main(["retrain"]) == 2
    assert "no labels yet" in capsys.readouterr().err


def test_cli_retrain_writes_the_report(labels, monkeypatch, capsys, tmp_path):
    import turkmood.learning.retrain as retrain_module
    from turkmood.cli import main

    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    for row in labels.itertuples():
        add_label(row.clip_hash, row.emotion, row.features, source="queue", clip_name=row.clip_name)
    monkeypatch.setattr(retrain_module, "default_pipeline", lambda seed=SEED: _logreg())
    assert main(["retrain", "--quick", "--weights", "1,2"]) == 0
    captured = capsys.readouterr()
    assert "UCI CV: macro-F1" in captured.out and "arousal agreement" in captured.out
    assert "[retrain]" in captured.err
    report = json.loads((tmp_path / RETRAIN_REPORT_NAME).read_text())
    assert report["labels"]["per_source"]["queue"] == 12


def test_cli_retrain_copies_feedback_and_refuses_too_few_tracks(monkeypatch, capsys, tmp_path):
    from turkmood.cli import main
    from turkmood.constants import FEEDBACK_DB_ENV
    from turkmood.feedback import FeedbackRecord, save_feedback

    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    monkeypatch.delenv(FEEDBACK_DB_ENV, raising=False)
    save_feedback(
        FeedbackRecord(
            clip_name="one.wav",
            model_version="m@1",
            predicted="happy",
            decision="happy",
            confidence=0.8,
            true_emotion="sad",
            probabilities={c: 0.25 for c in CLASSES},
            features={f: 1.0 for f in FEATURE_NAMES},
        )
    )
    assert main(["retrain", "--feedback", "--quick"]) == 2
    err = capsys.readouterr().err
    assert "copied 1 feedback answer(s)" in err
    assert "at least 2 groups" in err and "Traceback" not in err
    assert read_labels(tmp_path / "labels.db")["source"].tolist() == ["feedback"]


def test_retrain_promote_rollback_end_to_end(labels, monkeypatch, capsys, tmp_path):
    import turkmood.learning.retrain as retrain_module
    from turkmood.cli import main
    from turkmood.constants import SAMPLES_DIR

    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    for row in labels.itertuples():
        add_label(row.clip_hash, row.emotion, row.features, source="csv", clip_name=row.clip_name)
    monkeypatch.setattr(retrain_module, "default_pipeline", lambda seed=SEED: _logreg())
    clip = str(sorted(SAMPLES_DIR.glob("*.flac"))[0])

    def predict(name: str) -> str:
        out = tmp_path / name
        assert main(["predict", clip, "--out", str(out), "--quiet"]) == 0
        return out.read_text()

    before = predict("before.csv")
    assert main(["retrain", "--quick", "--weights", "1"]) == 0
    assert "registered challenger version 1" in capsys.readouterr().err
    assert main(["promote", "--force", "--reason", "end-to-end test"]) == 0
    after = predict("after.csv")
    assert "registry-v1@" in after and "soft_vote_calibrated@" in before
    assert main(["rollback"]) == 0
    assert predict("back.csv") == before  # the first champion's rows, identical
    audit = (tmp_path / "audit.log").read_text().splitlines()
    assert [json.loads(line)["action"] for line in audit] == ["promote", "rollback"]


def test_a_retrain_killed_half_way_leaves_the_champion(labels, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    from turkmood.constants import PROJECT_DIR

    env = {**os.environ, HOME_ENV: str(tmp_path)}
    env.pop("MLFLOW_TRACKING_URI", None)
    for row in labels.itertuples():
        add_label(
            row.clip_hash,
            row.emotion,
            row.features,
            source="csv",
            clip_name=row.clip_name,
            path=tmp_path / "labels.db",
        )
    process = subprocess.Popen(
        [sys.executable, "-m", "turkmood", "retrain", "--quick"],
        cwd=PROJECT_DIR,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    for line in process.stderr:
        if "weight" in line or time.monotonic() > deadline:
            break  # training has started
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    assert not (tmp_path / "champion.json").exists()
    assert not (tmp_path / "mlflow").exists()  # nothing registered, nothing half-written
    from turkmood.model import default_model_name

    os.environ[HOME_ENV], previous = str(tmp_path), os.environ[HOME_ENV]
    try:
        assert default_model_name() == "soft_vote_calibrated"
    finally:
        os.environ[HOME_ENV] = previous


def test_a_champion_trained_on_user_labels_is_refitted_on_the_same_folds(uci, labels):
    """A registered champion may have seen the held-out tracks: its recipe is refitted instead."""
    config = RetrainConfig(uci_folds=2, uci_repeats=1, user_folds=3, user_repeats=1, weights=(1, 2))
    result = retrain(labels, uci, config, estimator=_logreg(), champion_weight=2)
    report = result.report
    cand = report["weight_choice"]["candidates"]["2"]
    assert report["protocol"]["champion_user_weight"] == 2
    assert "refitted" in report["protocol"]["champion"]
    assert report["user"]["champion"]["macro_f1"]["mean"] == cand["user_macro_f1"]
    assert report["uci"]["champion"]["macro_f1"]["mean"] == cand["uci_macro_f1"]


def test_the_bundled_champion_has_user_weight_zero(monkeypatch, tmp_path):
    from turkmood.learning.retrain import champion_user_weight

    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    assert champion_user_weight() == 0


def test_a_promoted_registry_champion_reports_its_user_weight(uci, monkeypatch, tmp_path):
    from turkmood.learning.challenger import register_challenger
    from turkmood.learning.registry import promote
    from turkmood.learning.retrain import RetrainResult, champion_user_weight

    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    block = {"macro_f1": {"mean": 0.5, "std": 0.0}}
    report = {
        "user": {"challenger": block, "champion": block},
        "uci": {"challenger": block, "champion": block},
        "protocol": {},
        "data_hash": "0" * 64,
        "labels": {"n_tracks": 0},
    }
    register_challenger(RetrainResult(_logreg().fit(uci.X, uci.y), 5, report))
    assert promote(force=True, reason="test: a champion trained with user weight 5").done
    assert champion_user_weight() == 5
