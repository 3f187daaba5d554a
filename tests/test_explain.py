"""SHAP explanations: right explainer per model type, values that add up, plain wording."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline

from turkmood.candidates import logreg, svc_rbf
from turkmood.constants import CLASSES, FEATURE_NAMES, SEED, SHAP_TOP_FEATURES
from turkmood.data import load_training_data
from turkmood.explain import (
    Explanation,
    build_explainer,
    direction,
    explain,
    reason_lines,
    summary_sentence,
)
from turkmood.model import load_model, predict_proba


@pytest.fixture(scope="module")
def training():
    data = load_training_data()
    return data.X, data.y


def _fit(pipeline, training):
    X, y = training
    return pipeline.fit(X, y)


def _column(estimator, target: str) -> int:
    return list(estimator.classes_).index(target)


@pytest.fixture(scope="module")
def row(training) -> pd.Series:
    return training[0].iloc[17]


def test_forest_gets_exact_tree_shap_in_probability_units(training, row):
    model = _fit(
        Pipeline(
            [
                ("impute", SimpleImputer(strategy="median")),
                ("clf", RandomForestClassifier(n_estimators=30, random_state=SEED, n_jobs=1)),
            ]
        ),
        training,
    )
    explainer = build_explainer(model, training[0])
    assert (explainer.kind, explainer.units) == ("tree", "probability")
    proba = model.predict_proba(row.to_frame().T)[0]
    for target in CLASSES:
        explanation = explain(explainer, row, target)
        assert explanation.output == pytest.approx(proba[_column(model, target)], abs=1e-6)


def test_boosted_trees_are_explained_in_log_odds(training, row):
    model = _fit(
        Pipeline(
            [
                ("impute", SimpleImputer(strategy="median")),
                ("clf", HistGradientBoostingClassifier(max_iter=20, random_state=SEED)),
            ]
        ),
        training,
    )
    explainer = build_explainer(model, training[0])
    assert (explainer.kind, explainer.units) == ("tree", "log-odds")
    margin = model.decision_function(row.to_frame().T)[0]
    explanation = explain(explainer, row, "sad")
    assert explanation.output == pytest.approx(margin[_column(model, "sad")], abs=1e-4)


def test_logistic_regression_gets_linear_shap(training, row):
    model = _fit(logreg(SEED), training)
    explainer = build_explainer(model, training[0])
    assert (explainer.kind, explainer.units) == ("linear", "log-odds")
    margin = model.decision_function(row.to_frame().T)[0]
    for target in CLASSES:
        explanation = explain(explainer, row, target)
        assert explanation.output == pytest.approx(margin[_column(model, target)], abs=1e-6)


@pytest.fixture(scope="module")
def svc(training):
    return _fit(svc_rbf(SEED), training)


def test_other_models_get_kernel_shap_that_adds_up_to_the_probability(training, row, svc):
    explainer = build_explainer(svc, training[0])
    assert (explainer.kind, explainer.units) == ("kernel", "probability")
    proba = svc.predict_proba(row.to_frame().T)[0]
    target = svc.classes_[int(np.argmax(proba))]
    explanation = explain(explainer, row, target)
    assert explanation.output == pytest.approx(proba[_column(svc, target)], abs=1e-6)
    assert len(explanation.table) == len(FEATURE_NAMES)
    effects = explanation.table["shap"].abs().to_numpy()
    assert np.all(np.diff(effects) <= 0), "features must be sorted by |SHAP|"
    again = explain(explainer, row, target)
    pd.testing.assert_frame_equal(explanation.table, again.table)


def test_kernel_explanation_leaves_numpys_global_generator_alone(training, row, svc):
    explainer = build_explainer(svc, training[0])
    np.random.seed(5)  # noqa: NPY002 - checking that the legacy generator state is restored
    expected = np.random.random(3)  # noqa: NPY002
    np.random.seed(5)  # noqa: NPY002
    explain(explainer, row, "happy")
    np.testing.assert_array_equal(np.random.random(3), expected)  # noqa: NPY002


def test_shipped_default_model_is_explained(training, row):
    model = load_model()
    explainer = build_explainer(model, training[0])
    probs = predict_proba(model, row.to_frame().T).iloc[0]
    target = str(probs.idxmax())
    explanation = explain(explainer, row, target)
    if explanation.units == "probability":
        assert explanation.output == pytest.approx(probs[target], abs=1e-6)
    assert explanation.table["value"].tolist() == pytest.approx(
        row[explanation.table["feature"]].tolist()
    )


def test_unknown_class_is_refused(training, row):
    explainer = build_explainer(_fit(logreg(SEED), training), training[0])
    with pytest.raises(ValueError, match="unknown class"):
        explain(explainer, row, "furious")


def _explanation(rows: list[tuple[str, float, float]], target: str = "angry") -> Explanation:
    table = pd.DataFrame(rows, columns=["feature", "value", "shap"])
    return Explanation(target, "kernel", "probability", 0.25, table)


def test_reasons_are_worded_in_plain_language():
    explanation = _explanation(
        [
            ("_Brightness_Mean", 0.41, 0.12),
            ("_Tempo_Mean", 72.0, -0.05),
            ("_RMSenergy_Mean", 0.1, 0),
        ]
    )
    assert reason_lines(explanation) == [
        "Brightness: share of energy above 1 500 Hz = 0.41, pushes toward angry",
        "Tempo: estimated beat speed = 72 BPM, pulls away from angry",
        "Loudness: average RMS level (0 = silence) = 0.10, no effect",
    ]
    assert direction(0.0, "sad") == "no effect"


def test_summary_names_the_strongest_reasons_for_and_against():
    explanation = _explanation(
        [
            ("_Brightness_Mean", 0.41, 0.12),
            ("_Roughness_Mean", 900.0, 0.08),
            ("_Chromagram_Mean_8", 0.3, 0.05),
            ("_Tempo_Mean", 72.0, -0.04),
        ]
    )
    assert summary_sentence(explanation) == (
        "Mostly brightness and roughness point to angry; tempo speaks against it."
    )
    only_against = _explanation([("_Chromagram_Mean_8", 0.3, -0.05)], target="relax")
    assert summary_sentence(only_against) == "Pitch class G speaks against it."
    assert explanation.top(2)["feature"].tolist() == ["_Brightness_Mean", "_Roughness_Mean"]
    assert len(explanation.top()) <= SHAP_TOP_FEATURES


def test_kernel_shap_predicts_its_rows_on_two_threads_with_the_same_values(
    training, row, svc, monkeypatch
):
    import turkmood.explain as explain_module

    calls = []
    real = svc.predict_proba
    monkeypatch.setattr(svc, "predict_proba", lambda X: calls.append(len(X)) or real(X))
    monkeypatch.setattr(explain_module, "available_cpus", lambda: 2)
    monkeypatch.setattr(explain_module, "SHAP_THREADS", 2)
    two = explain(build_explainer(svc, training[0]), row, "sad")
    split_batches = max(calls)
    calls.clear()
    monkeypatch.setattr(explain_module, "SHAP_THREADS", 1)
    one = explain(build_explainer(svc, training[0]), row, "sad")
    assert max(calls) > split_batches  # one thread predicts the whole batch at once
    pd.testing.assert_frame_equal(two.table, one.table, check_exact=True)
    assert two.base_value == one.base_value
