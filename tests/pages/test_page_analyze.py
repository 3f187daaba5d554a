"""Analyze page: predictions for bundled rows and uploads, uncertain wording, clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from apptest_helpers import csv_bytes, texts, upload

from tests.pages.apptest_helpers import visible
from turkmood.constants import CLASSES, DATA_PATH, FEATURE_NAMES, LABEL_COLUMN
from turkmood.decision import is_uncertain
from turkmood.model import available_models, default_model_name, load_model, predict_features
from turkmood.tables import read_feature_table
from ui.resources import MODEL_KEY
from ui.text import decision_text, md_escape

BUNDLED = "Rows of the bundled training table"


def decisions_shown(at) -> list[str]:
    """The decision line of every prediction card, in page order."""
    prefix = "Decision: **"
    return [m.value[len(prefix) : -2] for m in at.markdown if m.value.startswith(prefix)]


def expected_decisions(features: pd.DataFrame, model) -> list[str]:
    predictions = predict_features(features, model)
    return [decision_text(row) for _, row in predictions.iterrows()]


def test_bundled_rows_give_predictions_with_true_class(open_page, default_model):
    at = open_page("analyze")
    at.radio[0].set_value(BUNDLED).run()
    assert not at.exception
    picked = at.multiselect[0].value
    assert picked, "the page should preselect some rows"
    bundled = read_feature_table(DATA_PATH)
    expected = expected_decisions(bundled.features.iloc[picked], default_model)
    assert decisions_shown(at) == expected
    truth = [m.value for m in at.markdown if m.value.startswith("True class")]
    assert truth == [
        f"True class (training label): **{c}**" for c in bundled.meta[LABEL_COLUMN].iloc[picked]
    ]
    shown = at.dataframe[0].value
    assert shown["true_class"].tolist() == bundled.meta[LABEL_COLUMN].iloc[picked].tolist()
    assert shown["model_version"].unique().tolist() == [default_model.version]
    assert len(at.download_button) == 1


def test_upload_good_csv_shows_predictions(open_page, sample_table, default_model):
    at = upload(open_page("analyze"), "songs.csv", csv_bytes(sample_table))
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert decisions_shown(at) == expected_decisions(
        sample_table[list(FEATURE_NAMES)], default_model
    )
    headings = [m.value for m in at.markdown if m.value.startswith("#### ")]
    assert headings == [f"#### {md_escape(name)}" for name in sample_table["file"]]
    table = at.dataframe[0].value
    assert table["file"].tolist() == sample_table["file"].tolist()
    np.testing.assert_allclose(
        table[[f"p_{c}" for c in CLASSES]].to_numpy(dtype=float),
        predict_features(sample_table, default_model)[list(CLASSES)].to_numpy(),
        atol=1e-4,  # the results schema rounds probabilities to 4 decimals
    )


def _uncertain_row(bundled_frame: pd.DataFrame, model) -> pd.DataFrame:
    """A feature row the model is uncertain about: a bundled row, else a blend of class means."""
    features = bundled_frame[list(FEATURE_NAMES)]
    means = features.groupby(bundled_frame[LABEL_COLUMN]).mean()
    blends = [
        w * means.loc[a] + (1 - w) * means.loc[b]
        for a in CLASSES
        for b in CLASSES
        if a < b
        for w in np.linspace(0.1, 0.9, 17)
    ]
    candidates = pd.concat([features, pd.DataFrame(blends)], ignore_index=True)
    decisions = predict_features(candidates, model)["decision"]
    hits = np.flatnonzero(decisions.map(is_uncertain).to_numpy())
    assert hits.size, "no row found that the model is uncertain about"
    return candidates.iloc[[hits[0]]].reset_index(drop=True)


def test_uncertain_row_is_never_shown_as_bare_argmax(open_page, bundled_frame, default_model):
    row = _uncertain_row(bundled_frame, default_model)
    pred = predict_features(row, default_model).iloc[0]
    at = upload(open_page("analyze"), "unsure.csv", csv_bytes(row))
    assert not at.exception
    shown = decisions_shown(at)
    assert shown == [f"review — between {pred['predicted']} and {pred['runner_up']}"]
    assert f"Decision: **{pred['predicted']}**" not in texts(at)


def _broken(sample_table: pd.DataFrame, how: str) -> tuple[pd.DataFrame, str]:
    df = sample_table.copy()
    if how == "missing":
        return df.drop(columns=["_Tempo_Mean"]), "_Tempo_Mean"
    if how == "nan":
        df.loc[1, "_MFCC_Mean_3"] = np.nan
        return df, "_MFCC_Mean_3"
    df["_Rolloff_Mean"] = df["_Rolloff_Mean"].astype(object)
    df.loc[2, "_Rolloff_Mean"] = "loud"
    return df, "_Rolloff_Mean"


@pytest.mark.parametrize("how", ["missing", "nan", "text"])
def test_bad_csv_gives_error_naming_the_column(open_page, sample_table, how):
    df, column = _broken(sample_table, how)
    at = upload(open_page("analyze"), "bad.csv", csv_bytes(df))
    assert not at.exception
    errors = [visible(e.value) for e in at.error]
    assert len(errors) == 1 and column in errors[0], errors
    assert decisions_shown(at) == []
    assert len(at.download_button) == 0


def test_switching_model_changes_predictions_source(open_page, sample_table):
    others = [n for n in available_models() if n != default_model_name()]
    if not others:
        pytest.skip("only one model is shipped")
    model = load_model(others[0])
    at = open_page("analyze")
    at.selectbox(key=MODEL_KEY).set_value(others[0]).run()
    upload(at, "songs.csv", csv_bytes(sample_table))
    assert not at.exception
    assert at.dataframe[0].value["model_version"].unique().tolist() == [model.version]
    assert decisions_shown(at) == expected_decisions(sample_table[list(FEATURE_NAMES)], model)
