import json

import joblib
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from turkmood.constants import CLASSES, FEATURE_NAMES, MANIFEST_PATH
from turkmood.data import file_sha256, load_training_data
from turkmood.errors import ModelError
from turkmood.model import available_models, load_model, predict_features


@pytest.fixture(scope="module")
def data():
    return load_training_data()


@pytest.fixture()
def tiny_manifest(tmp_path, data):
    pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(data.X, data.y)
    joblib.dump(pipe, tmp_path / "tiny.joblib")
    manifest = {
        "default_model": "tiny",
        "models": {
            "tiny": {"file": "tiny.joblib", "sha256": file_sha256(tmp_path / "tiny.joblib")}
        },
    }
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    return path


def test_loads_verified_model(tiny_manifest, data):
    model = load_model(manifest_path=tiny_manifest)
    assert model.name == "tiny"
    assert model.version.startswith("tiny@")
    out = predict_features(data.X.head(10), model)
    assert list(out.columns[:4]) == list(CLASSES)
    assert out[list(CLASSES)].sum(axis=1).round(6).eq(1).all()
    assert set(out["predicted"]) <= set(CLASSES)


def test_tampered_model_is_refused_with_its_name(tiny_manifest):
    artifact = tiny_manifest.parent / "tiny.joblib"
    blob = bytearray(artifact.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    artifact.write_bytes(bytes(blob))
    with pytest.raises(ModelError, match="tiny.joblib failed its checksum"):
        load_model(manifest_path=tiny_manifest)


def test_missing_and_unknown_models_are_clear(tiny_manifest):
    with pytest.raises(ModelError, match="unknown model 'nope'"):
        load_model("nope", manifest_path=tiny_manifest)
    (tiny_manifest.parent / "tiny.joblib").unlink()
    with pytest.raises(ModelError, match="missing"):
        load_model(manifest_path=tiny_manifest)
    with pytest.raises(ModelError, match="not found"):
        load_model(manifest_path=tiny_manifest.parent / "absent.json")


def test_every_shipped_model_verifies_and_predicts(data):
    names = available_models()
    assert names[0] == json.loads(MANIFEST_PATH.read_text())["default_model"]
    for name in names:
        model = load_model(name)
        out = predict_features(data.X[list(FEATURE_NAMES)].head(20), model)
        assert len(out) == 20
        assert out["confidence"].between(0.25, 1).all()
