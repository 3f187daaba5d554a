"""'Export this analysis': JSON and CSV carry the verdict, features and SHAP values."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from turkmood.analysis_export import EXPORT_FORMAT, analysis_csv, analysis_dict, analysis_json
from turkmood.analyze import Analysis
from turkmood.candidates import logreg
from turkmood.constants import CLASSES, FEATURE_NAMES, SEED
from turkmood.data import load_training_data
from turkmood.decision import decide
from turkmood.explain import build_explainer, explain
from turkmood.model import LoadedModel, predict_proba
from turkmood.ood import check_features


@pytest.fixture(scope="module")
def model() -> LoadedModel:
    data = load_training_data()
    return LoadedModel("logreg", logreg(SEED).fit(data.X, data.y), "ab" * 32)


@pytest.fixture(scope="module")
def analysis(model) -> Analysis:
    """A two-window 'song' made of two training rows (no audio decoding needed)."""
    features = load_training_data().X.iloc[[3, 200]].reset_index(drop=True)
    probs = predict_proba(model, features)
    timeline = decide(probs)
    timeline.insert(0, "start_s", [0.0, 15.0])
    timeline.insert(1, "end_s", [30.0, 45.0])
    track = decide(pd.DataFrame([probs.mean(axis=0).to_numpy()], columns=list(CLASSES)))
    return Analysis(
        duration_s=45.0,
        timeline=timeline,
        features=features,
        track=track,
        ood=check_features(features),
        imputed=[[], ["_Tempo_Mean"]],
        model_version=model.version,
        notes=["a note"],
    )


@pytest.fixture(scope="module")
def explanation(model, analysis):
    explainer = build_explainer(model, load_training_data().X)
    return explain(explainer, analysis.track_features, analysis.predicted)


def test_json_has_verdict_features_and_shap(analysis, explanation):
    data = json.loads(analysis_json("my song.mp3", analysis, explanation))
    track = analysis.track.iloc[0]
    assert data["format"] == EXPORT_FORMAT
    assert data["clip"] == "my song.mp3"
    assert data["model_version"] == analysis.model_version
    assert data["decision"] == track["decision"]
    assert data["probabilities"] == {c: pytest.approx(float(track[c])) for c in CLASSES}
    assert [w["start_s"] for w in data["windows"]] == [0.0, 15.0]
    window = analysis.representative_window
    assert data["explained_window"] == window
    assert data["features"] == {
        f: pytest.approx(float(analysis.features.iloc[window][f])) for f in FEATURE_NAMES
    }
    shap = data["explanation"]["shap"]
    assert list(shap) == list(FEATURE_NAMES)
    expected = explanation.table.set_index("feature")["shap"]
    assert shap == {f: pytest.approx(float(expected[f])) for f in FEATURE_NAMES}
    assert data["explanation"]["target"] == analysis.predicted
    assert data["out_of_distribution"]["flag"] == analysis.is_ood
    assert data["notes"] == ["a note"]


def test_csv_has_one_row_per_feature_with_value_and_shap(analysis, explanation):
    table = pd.read_csv(io.BytesIO(analysis_csv("song.wav", analysis, explanation)))
    assert table["feature"].tolist() == list(FEATURE_NAMES)
    reference = analysis_dict("song.wav", analysis, explanation)
    assert table["value"].tolist() == pytest.approx(list(reference["features"].values()))
    assert table["shap"].tolist() == pytest.approx(list(reference["explanation"]["shap"].values()))
    assert set(table["clip"]) == {"song.wav"}
    assert table.loc[0, "p_happy"] == pytest.approx(reference["probabilities"]["happy"])
    assert table.loc[table["feature"] == "_Brightness_Mean", "plain_name"].item() == "Brightness"


def test_export_without_explanation_still_works(analysis):
    data = json.loads(analysis_json("x.wav", analysis, None))
    assert data["explanation"] is None
    table = pd.read_csv(io.BytesIO(analysis_csv("x.wav", analysis, None)))
    assert table["shap"].isna().all() and len(table) == len(FEATURE_NAMES)


def test_csv_neutralises_formula_like_clip_names(analysis):
    table = pd.read_csv(io.BytesIO(analysis_csv("=cmd().wav", analysis, None)))
    assert not table["clip"].iloc[0].startswith("=")
