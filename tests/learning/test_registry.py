"""The MLflow registry: register, gate, promote, force, rollback, checksums, champion everywhere.

One embedded store per module (MLflow's first import and schema creation take seconds); the
tests run in order on it, as an admin would.
"""

from __future__ import annotations

import json

import pytest

from turkmood.cli import main
from turkmood.constants import (
    METRIC_CHAMPION_UCI_MACRO_F1,
    METRIC_CHAMPION_USER_MACRO_F1,
    METRIC_UCI_MACRO_F1,
    METRIC_USER_MACRO_F1,
)
from turkmood.errors import ModelError, RegistryError
from turkmood.model import available_models, cached_model, default_model_name, load_model


def _metrics(user: float, champ_user: float, uci: float, champ_uci: float) -> dict[str, float]:
    return {
        METRIC_USER_MACRO_F1: user,
        METRIC_CHAMPION_USER_MACRO_F1: champ_user,
        METRIC_UCI_MACRO_F1: uci,
        METRIC_CHAMPION_UCI_MACRO_F1: champ_uci,
    }


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    import os

    path = tmp_path_factory.mktemp("registry_home")
    previous = os.environ.get("TURKMOOD_HOME")
    os.environ["TURKMOOD_HOME"] = str(path)
    os.environ.pop("MLFLOW_TRACKING_URI", None)
    yield path
    os.environ["TURKMOOD_HOME"] = previous or ""


@pytest.fixture(scope="module")
def pipeline():
    return load_model("logreg").pipeline


def _audit(home) -> list[dict]:
    return [json.loads(line) for line in (home / "audit.log").read_text().splitlines()]


def test_no_registry_means_the_bundled_champion_and_nothing_created(home):
    from turkmood.learning.store import embedded_db_path

    assert default_model_name() == "soft_vote_calibrated"
    assert cached_model().name == "soft_vote_calibrated"
    assert not embedded_db_path().exists()
    with pytest.raises(RegistryError, match="nothing to roll back"):
        from turkmood.learning.registry import rollback

        rollback()
    assert not embedded_db_path().exists()


def test_gate_refuses_a_worse_challenger(home, pipeline, capsys):
    from turkmood.learning.registry import list_versions, promote, register_model

    version = register_model(
        pipeline,
        metrics=_metrics(0.40, 0.45, 0.80, 0.81),
        params={"user_weight": 2},
        data_hash="abc",
        lineage={"n_tracks": 3, "per_class": {"happy": 3}},
    )
    assert version == "1"
    (info,) = list_versions()
    assert info.aliases == ("challenger",) and len(info.sha256) == 64
    assert info.metrics[METRIC_USER_MACRO_F1] == pytest.approx(0.40)
    result = promote()
    assert not result.done and "not better on your tracks" in result.message
    assert main(["promote"]) == 1
    assert "Not promoted" in capsys.readouterr().out
    assert default_model_name() == "soft_vote_calibrated"


def test_shadow_mode_scores_every_prediction_with_the_challenger(home):
    import numpy as np

    from turkmood.analyze import analyze_signal
    from turkmood.learning.shadow import shadow_agreement
    from turkmood.telemetry.prediction_log import (
        log_prediction,
        read_predictions,
        record_from_analysis,
    )

    t = np.arange(3 * 44_100) / 44_100
    analysis = analyze_signal(0.2 * np.sin(2 * np.pi * 220 * t), 44_100)
    record = record_from_analysis(
        analysis, source="cli", clip_hash="0" * 64, clip_name="tone.wav", latency_s=0.1
    )
    challenger = load_model("registry-v1")
    assert record.shadow_version == challenger.version
    expected = challenger.pipeline.predict_proba(analysis.features).mean(axis=0)
    assert record.shadow_predicted == str(challenger.pipeline.classes_[expected.argmax()])
    assert record.model_version == analysis.model_version  # the answer is still the champion's
    log_prediction(record)
    version, n, share = shadow_agreement(read_predictions())
    assert (version, n) == (challenger.version, 1)
    assert share == float(record.shadow_predicted == record.predicted)


def test_force_needs_a_reason_and_is_audited(home):
    from turkmood.learning.registry import promote

    with pytest.raises(RegistryError, match="--reason"):
        promote(force=True)
    result = promote(force=True, reason="the tracks are all from one album")
    assert result.done and result.forced
    (entry,) = _audit(home)
    assert entry["action"] == "promote" and entry["forced"] is True
    assert entry["from"] == "bundled" and entry["to"] == "v1"
    assert "one album" in entry["reason"]
    assert default_model_name() == "registry-v1"
    assert available_models()[0] == "registry-v1" and "logreg" in available_models()
    model = cached_model()
    assert model.name == "registry-v1" and model.version.startswith("registry-v1@")


def test_a_better_challenger_passes_and_rollback_restores(home, pipeline):
    from turkmood.learning.registry import promote, register_model, rollback

    better = register_model(
        pipeline, metrics=_metrics(0.9, 0.5, 0.8, 0.8), params={}, data_hash="d", lineage={}
    )
    assert better == "2"
    # v2 was registered while v1 was champion: compared with the current champion
    result = promote()
    assert result.done and not result.forced and result.to_version == "v2"
    assert default_model_name() == "registry-v2"
    drop = register_model(
        pipeline, metrics=_metrics(0.9, 0.5, 0.7, 0.8), params={}, data_hash="e", lineage={}
    )
    refused = promote()
    assert not refused.done and "UCI macro-F1" in refused.message and drop == "3"
    back = rollback()
    assert back.done and back.to_version == "v1" and default_model_name() == "registry-v1"
    stale_now = promote()  # v3 was compared with v2, no longer the champion
    assert not stale_now.done and "retrain" in stale_now.message
    assert rollback().to_version == "bundled"
    assert default_model_name() == "soft_vote_calibrated"
    with pytest.raises(RegistryError):
        rollback()
    assert [e["action"] for e in _audit(home)] == ["promote", "promote", "rollback", "rollback"]


def test_tampered_bytes_are_refused(home):
    from turkmood.learning.registry import load_registered
    from turkmood.learning.store import artifacts_dir

    assert load_registered("2").name == "registry-v2"
    pickles = sorted(artifacts_dir().rglob("model.pkl"))
    assert len(pickles) == 3
    target = pickles[0]  # one version's file
    data = bytearray(target.read_bytes())
    data[-3] ^= 0xFF
    target.write_bytes(bytes(data))
    failures = 0
    for version in ("1", "2", "3"):
        try:
            load_registered(version)
        except ModelError as exc:
            assert "checksum" in str(exc)
            failures += 1
    assert failures == 1
    with pytest.raises(ModelError):
        load_model("registry-vx")


def test_models_command_lists_both_kinds(home, capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert "registry-v3" in out and "challenger" in out
    assert "* soft_vote_calibrated" in out  # champion again after the rollbacks


def test_a_broken_registry_falls_back_to_the_bundled_model(home, capsys):
    import shutil

    from turkmood.learning.registry import promote, register_model

    register_model(
        load_model("logreg").pipeline,
        metrics=_metrics(0.9, 0.5, 0.8, 0.8),
        params={},
        data_hash="f",
        lineage={},
    )
    assert promote().done and default_model_name() == "registry-v4"
    store = home / "mlflow"
    moved = home / "mlflow-away"
    shutil.move(store, moved)  # the registry is deleted
    try:
        with pytest.warns(RuntimeWarning, match="cannot be loaded.*bundled model serves"):
            served = load_model()
        assert served.name == "soft_vote_calibrated"
        with pytest.raises((RegistryError, ModelError), match="registry"):
            load_model("registry-v4")
        assert main(["rollback"]) == 2
        assert "nothing to roll back" in capsys.readouterr().err
    finally:
        shutil.move(moved, store)
    (home / "mlflow" / "mlflow.db").write_bytes(b"this is not a database")  # corrupted
    with pytest.warns(RuntimeWarning, match="bundled model serves"):
        assert load_model().name == "soft_vote_calibrated"
    assert main(["models"]) == 2
    assert "model registry" in capsys.readouterr().err


def test_an_unreachable_team_server_is_a_clear_message(monkeypatch, capsys):
    import time

    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")
    start = time.monotonic()
    from turkmood.learning.registry import list_versions

    with pytest.raises(RegistryError, match="127.0.0.1:9"):
        list_versions()
    assert main(["promote"]) == 2
    assert "127.0.0.1:9" in capsys.readouterr().err
    assert time.monotonic() - start < 60
