"""The API against a real uvicorn process: parity with the library, errors, features, docs."""

from __future__ import annotations

import json
import math
import re
import tomllib
from pathlib import Path

import httpx
import numpy as np
import pytest
import soundfile as sf

from api.launch import ROOT
from turkmood.analyze import analyze
from turkmood.constants import API_MAX_UPLOAD_MB, CLASSES, FEATURE_NAMES
from turkmood.data import load_training_data
from turkmood.model import predict_features

SAMPLE = ROOT / "sample_audios" / "happy_1_rast-saz-aksak.flac"


def _clip(path: Path, seconds: float, sr: int, channels: int, fmt: str) -> Path:
    """A short deterministic multi-tone clip (stereo, odd rates) written with soundfile."""
    t = np.arange(int(seconds * sr)) / sr
    rng = np.random.default_rng(7)
    mono = 0.2 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 2 * t))
    mono += 0.05 * rng.standard_normal(t.size)
    data = np.stack([mono * (0.8 + 0.2 * c) for c in range(channels)], axis=1)
    sf.write(path, data, sr, format=fmt)
    return path


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("clips")
    return [
        SAMPLE,
        _clip(folder / "stereo48k.wav", 6.0, 48_000, 2, "WAV"),
        _clip(folder / "tone22k.mp3", 5.0, 22_050, 1, "MP3"),
        _clip(folder / "long.ogg", 40.0, 44_100, 2, "OGG"),
    ]


def _predict(server, path: Path, **params) -> httpx.Response:
    with path.open("rb") as handle:
        return httpx.post(
            f"{server.url}/api/v1/predict",
            files={"file": (path.name, handle)},
            params=params,
            timeout=120,
        )


def test_predict_equals_the_library(server, clips):
    for path in clips:
        response = _predict(server, path)
        assert response.status_code == 200, response.text
        body = response.json()
        expected = analyze(path)
        track = expected.track.iloc[0]
        for c in CLASSES:
            assert abs(body["probabilities"][c] - float(track[c])) < 1e-6, (path.name, c)
        assert body["predicted"] == expected.predicted
        assert body["decision"] == expected.decision
        assert body["model_version"] == expected.model_version
        assert body["duration_s"] == pytest.approx(expected.duration_s, abs=1e-3)
        assert len(body["timeline"]) == len(expected.timeline)
        for window, (_, row) in zip(body["timeline"], expected.timeline.iterrows(), strict=True):
            assert window["start_s"] == pytest.approx(row["start_s"], abs=1e-3)
            assert abs(window[CLASSES[0]] - row[CLASSES[0]]) < 1e-6
        assert body["ood"]["flag"] == expected.is_ood
        assert isinstance(body["prediction_id"], int)
        assert re.fullmatch(r"[0-9a-f]{64}", body["clip_hash"])
        assert body["explanation"] is None
    assert len(body["timeline"]) == 2  # the 40 s clip has two windows


def test_explain_gives_reasons_in_plain_words(server):
    body = _predict(server, SAMPLE, explain="true").json()
    explanation = body["explanation"]
    assert explanation["target"] == body["predicted"]
    assert len(explanation["reasons"]) >= 3
    assert all(("toward" in r or "away" in r or "no effect" in r) for r in explanation["reasons"])
    assert explanation["summary"]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("random.mp3", bytes(np.random.default_rng(1).integers(0, 256, 4000, dtype=np.uint8))),
        ("empty.wav", b""),
        ("notes.txt", b"these are not the sounds you are looking for\n" * 50),
        ("x.flac", b"fLaC" + b"\x00" * 100),
    ],
)
def test_bad_uploads_are_4xx_json(server, name, data):
    response = httpx.post(f"{server.url}/api/v1/predict", files={"file": (name, data)}, timeout=60)
    assert 400 <= response.status_code < 500
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail and "Traceback" not in detail


def test_request_errors_are_json(server):
    missing = httpx.post(f"{server.url}/api/v1/predict", timeout=30)
    assert missing.status_code == 422 and "file" in missing.json()["detail"]
    with SAMPLE.open("rb") as handle:
        unknown = httpx.post(
            f"{server.url}/api/v1/predict",
            files={"file": (SAMPLE.name, handle)},
            data={"model": "../../etc/passwd"},
            timeout=30,
        )
    assert unknown.status_code == 422 and "unknown model" in unknown.json()["detail"]
    nowhere = httpx.get(f"{server.url}/api/v1/nowhere", timeout=30)
    assert nowhere.status_code == 404 and nowhere.json()["detail"]
    job = httpx.get(f"{server.url}/api/v1/batch/{'0' * 32}", timeout=30)
    assert job.status_code == 404 and job.json()["detail"] == "unknown job id"


def test_upload_over_the_limit_is_413(small_server):
    big = b"\x00" * (9 * 1024**2)  # the small server takes 8 MB
    response = httpx.post(
        f"{small_server.url}/api/v1/predict", files={"file": ("big.wav", big)}, timeout=60
    )
    assert response.status_code == 413 and "8 MB" in response.json()["detail"]


def test_upload_limit_is_the_apps():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == API_MAX_UPLOAD_MB


def _features_request(server, body: object) -> httpx.Response:
    return httpx.post(f"{server.url}/api/v1/predict/features", json=body, timeout=30)


def test_features_endpoint_matches_the_library(server):
    X = load_training_data().X.iloc[:5]
    rows = [{f: float(v) for f, v in row.items()} for _, row in X.iterrows()]
    body = _features_request(server, {"rows": rows}).json()
    expected = predict_features(X)
    for got, (_, want) in zip(body["rows"], expected.iterrows(), strict=True):
        assert got["predicted"] == want["predicted"]
        for c in CLASSES:
            assert abs(got["probabilities"][c] - want[c]) < 1e-9
    single = _features_request(server, {"features": rows[0]}).json()
    assert single["rows"][0]["decision"] == body["rows"][0]["decision"]
    for c in CLASSES:  # one row or five: the same numbers up to BLAS rounding
        assert single["rows"][0]["probabilities"][c] == pytest.approx(
            body["rows"][0]["probabilities"][c], abs=1e-12
        )


def test_features_endpoint_names_bad_columns(server):
    row = {f: 0.5 for f in FEATURE_NAMES}
    missing = dict(row)
    del missing["_Tempo_Mean"]
    r = _features_request(server, {"features": missing})
    assert r.status_code == 422 and "_Tempo_Mean" in r.json()["detail"]
    r = _features_request(server, {"features": {**row, "_Bogus": 1}})
    assert r.status_code == 422 and "_Bogus" in r.json()["detail"]
    r = _features_request(server, {"features": {**row, "_RMSenergy_Mean": 1e39}})
    assert r.status_code == 422 and "_RMSenergy_Mean" in r.json()["detail"]
    r = _features_request(server, {"features": {**row, "_Lowenergy_Mean": "NaN"}})
    assert r.status_code == 422 and "_Lowenergy_Mean" in r.json()["detail"]
    r = _features_request(server, {"features": row, "rows": [row]})
    assert r.status_code == 422
    r = _features_request(server, {"rows": []})
    assert r.status_code == 422
    r = httpx.post(
        f"{server.url}/api/v1/predict/features",
        content=b"{not json",
        headers={"content-type": "application/json"},
        timeout=30,
    )
    assert r.status_code == 422 and isinstance(r.json()["detail"], str)


def test_health_models_and_openapi(server):
    health = httpx.get(f"{server.url}/api/v1/health", timeout=30).json()
    models = httpx.get(f"{server.url}/api/v1/models", timeout=30).json()
    champion = [m for m in models["models"] if m["champion"]]
    assert len(champion) == 1 and champion[0]["version"] == health["model_version"]
    assert 0.5 < champion[0]["cv"]["macro_f1"] <= 1
    spec = httpx.get(f"{server.url}/openapi.json", timeout=30).json()
    for path in ("/api/v1/predict", "/api/v1/predict/features", "/api/v1/batch", "/api/v1/health"):
        assert path in spec["paths"]
    assert "Prediction" in spec["components"]["schemas"]
    docs = httpx.get(f"{server.url}/docs", timeout=30)
    assert docs.status_code == 200
    # no CDN: every script and stylesheet of the docs page is served by the service itself
    for url in re.findall(r"""(?:src|href)=["']([^"']+)["']""", docs.text):
        assert not url.startswith(("http://", "https://", "//")), url
        assert httpx.get(server.url + url, timeout=30).status_code == 200


def test_feedback_goes_to_the_app_store(server):
    body = _predict(server, SAMPLE).json()
    saved = httpx.post(
        f"{server.url}/api/v1/feedback",
        json={"prediction_id": body["prediction_id"], "emotion": "relax"},
        timeout=30,
    )
    assert saved.status_code == 201
    assert saved.json()["clip_name"] == SAMPLE.name
    by_hash = httpx.post(
        f"{server.url}/api/v1/feedback",
        json={"clip_hash": body["clip_hash"], "emotion": "sad"},
        timeout=30,
    )
    assert by_hash.status_code == 201
    from turkmood.feedback import read_feedback

    stored = read_feedback(server.home / "feedback.db")
    assert stored["true_emotion"].tolist()[-2:] == ["relax", "sad"]
    assert (stored["clip_name"] == SAMPLE.name).all()
    unknown = httpx.post(
        f"{server.url}/api/v1/feedback", json={"prediction_id": 10**9, "emotion": "sad"}
    )
    assert unknown.status_code == 404
    bad = httpx.post(
        f"{server.url}/api/v1/feedback",
        json={"prediction_id": body["prediction_id"], "emotion": "bored"},
    )
    assert bad.status_code == 422


def test_predictions_are_logged_with_source_api(server):
    from turkmood.telemetry.prediction_log import read_predictions

    before = len(read_predictions(server.home / "predictions.db"))
    body = _predict(server, SAMPLE).json()
    log = read_predictions(server.home / "predictions.db")
    assert len(log) == before + 1
    last = log.iloc[-1]
    assert last["source"] == "api" and last["id"] == body["prediction_id"]
    assert last["clip_hash"] == body["clip_hash"]
    assert math.isclose(last["p_happy"], body["probabilities"]["happy"], abs_tol=1e-12)
    assert last["latency_s"] > 0


def test_metrics_after_traffic(server):
    _predict(server, SAMPLE)
    text = httpx.get(f"{server.url}/metrics", timeout=30).text
    ok = re.search(
        r'turkmood_http_requests_total\{method="POST",route="/api/v1/predict",status="200"\} (\S+)',
        text,
    )
    assert ok and float(ok.group(1)) >= 1
    assert re.search(r"turkmood_predictions_total\{decision=", text)
    assert re.search(r"turkmood_analysis_seconds_count (\S+)", text)
    assert "turkmood_ood_predictions_total" in text
    assert re.search(r'turkmood_model_info\{version="soft_vote_calibrated@[0-9a-f]{12}"\} 1', text)
    assert "turkmood_in_flight" in text


def test_admin_routes_locked_without_a_key(server):
    for route in ("train", "promote", "rollback"):
        for headers in ({}, {"Authorization": "Bearer anything"}):
            r = httpx.post(f"{server.url}/api/v1/{route}", headers=headers, timeout=30)
            assert r.status_code == 403, route
            assert "TURKMOOD_API_KEY" in r.json()["detail"]


def test_admin_key_absent_or_wrong_is_401(small_server):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic x"}):
        r = httpx.post(f"{small_server.url}/api/v1/rollback", headers=headers, timeout=30)
        assert r.status_code == 401 and r.json()["detail"]


def test_openapi_is_valid_json_with_examples(server):
    spec = json.loads(httpx.get(f"{server.url}/openapi.json", timeout=30).content)
    prediction = spec["components"]["schemas"]["Prediction"]
    assert "example" in prediction


def test_admin_key_right_reaches_the_registry(small_server):
    from tests.api.conftest import ADMIN_KEY

    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    r = httpx.post(f"{small_server.url}/api/v1/rollback", headers=headers, timeout=60)
    assert r.status_code == 409 and "nothing to roll back" in r.json()["detail"]
    r = httpx.post(f"{small_server.url}/api/v1/promote", headers=headers, timeout=60)
    assert r.status_code == 409 and "no challenger" in r.json()["detail"]
    r = httpx.post(f"{small_server.url}/api/v1/train", headers=headers, timeout=120)
    assert r.status_code == 409 and "no labels yet" in r.json()["detail"]
