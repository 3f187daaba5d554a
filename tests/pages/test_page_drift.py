"""Drift page (AppTest): summary, details, comparison, audio toggle, own data, downloads."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from apptest_helpers import csv_bytes, texts

from tests.pages.apptest_helpers import visible
from turkmood.constants import FEATURE_NAMES, IMPACT_GAIN, IMPACT_REFERENCE
from turkmood.data import load_training_data
from turkmood.drift.audio import AUDIO_SCENARIOS
from turkmood.drift.audio_run import skipped_transforms
from turkmood.drift.evaluate import run_table_scenarios, worst_scenario
from turkmood.drift.holdout import make_holdout
from turkmood.drift.stats import feature_drift, verdict

AUDIO = Path(__file__).resolve().parents[1] / "fixtures" / "audio"
HEADERS = [
    "Executive summary",
    "Detailed",
    "Comparison",
    "Audio-level drift",
    "Your own data",
    "Metadata",
]


@pytest.fixture(scope="module")
def table_result(default_model):
    """The table scenarios at the page's default intensities, computed by the library."""
    return run_table_scenarios(make_holdout(default_model, load_training_data()))


def test_drift_page_sections_and_numbers(open_page, table_result):
    at = open_page("drift")
    assert not at.exception, at.exception
    assert [h.value for h in at.header] == HEADERS
    # the summary names the scenario the library finds worst, with its measured numbers
    result = table_result
    worst = worst_scenario(result)
    shown = texts(at)
    assert f"Hurts most: {worst.title}" in shown
    assert f"{worst.delta_pp:+.1f} pp, **{worst.impact}**" in shown
    summary = at.dataframe[0].value
    assert list(summary["scenario"]) == [s.title for s in result.scenarios]
    assert list(summary["accuracy"]) == [s.accuracy for s in result.scenarios]
    assert at.metric[0].value == f"{worst.accuracy:.1%}"  # the worst scenario is preselected
    assert len(at.get("plotly_chart")) >= 6  # 3 histograms, confusion, predictions, comparison


def test_summary_is_signed_never_none_and_the_baseline_is_the_reference(open_page, table_result):
    at = open_page("drift")
    assert not at.exception, at.exception
    summary = at.dataframe[0].value
    cells = summary.astype(str).to_numpy().ravel().tolist()
    assert not {"None", "nan", "NaN", "<NA>"} & set(cells), cells
    base = summary.iloc[0]
    assert base["impact"] == IMPACT_REFERENCE  # not rated against itself
    assert base["delta_accuracy_pp"] == "—" and base["predictions_changed"] == "—"
    for s, (_, row) in zip(table_result.scenarios[1:], summary.iloc[1:].iterrows(), strict=True):
        assert row["delta_accuracy_pp"] == f"{s.delta_pp:+.1f}"
        if s.delta_pp >= 1:  # an improvement is an improvement, never HIGH like a loss
            assert row["impact"] == IMPACT_GAIN
        else:
            assert row["impact"] != IMPACT_GAIN
    imbalance = table_result.get("imbalance")
    row = summary.set_index("scenario").loc[imbalance.title]
    assert row["predictions_changed"] == "—"  # resampled rows: no partner to compare with
    # plain-language help for the statistics
    glossary = next(e for e in at.expander if e.label == "How to read PSI, KS and FDR")
    words = "\n".join(m.value for m in glossary.markdown)
    for term in ("Population stability index", "Kolmogorov–Smirnov", "false discovery rate"):
        assert term in words
    # every row of the PSI heat map is labelled
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    heatmap = next(s for s in specs if s["data"][0]["type"] == "heatmap" and "PSI" in str(s))
    assert heatmap["layout"]["yaxis"]["tickmode"] == "array"
    assert len(heatmap["layout"]["yaxis"]["ticktext"]) == len(FEATURE_NAMES)
    # the baseline in the detailed view shows no change against itself
    at.selectbox(key="drift-scenario").set_value("baseline").run()
    accuracy = at.metric[0]
    assert accuracy.label == "Accuracy" and not accuracy.proto.delta
    assert at.metric[3].value == "—"


def test_sliders_change_the_scenarios(open_page):
    at = open_page("drift")
    before = at.dataframe[0].value["accuracy"].tolist()
    at.slider(key="drift-mean").set_value(0).run()
    assert not at.exception
    after = at.dataframe[0].value
    assert after.loc[1, "accuracy"] == before[0]  # a 0 % shift is the baseline again
    at.selectbox(key="drift-scenario").set_value("imbalance").run()
    assert not at.exception
    assert "Class imbalance" in texts(at)


def test_audio_toggle_runs_audio_drift(open_page):
    at = open_page("drift")
    at.slider(key="drift-clips").set_value(1).run()
    at.toggle(key="drift-audio-run").set_value(True).run()
    assert not at.exception, at.exception
    audio = at.dataframe[2].value
    expected = [k for k in AUDIO_SCENARIOS if k not in skipped_transforms(AUDIO_SCENARIOS)]
    assert list(audio["transform"]) == expected
    assert audio["mean_abs_shift_sd"].notna().all()


def test_own_data_table_gets_a_verdict(open_page, bundled_frame):
    at = open_page("drift")
    shifted = bundled_frame[list(FEATURE_NAMES)].iloc[:60].copy()
    shifted["_Tempo_Mean"] *= 1.5
    at.file_uploader(key="drift-upload").set_value([("mine.csv", csv_bytes(shifted), "text/csv")])
    at.run()
    assert not at.exception, at.exception
    expected = verdict(feature_drift(load_training_data().X, shifted))
    assert any(expected in w.value for w in at.warning) or any(
        expected in s.value for s in at.success
    )


def test_own_data_bad_table_is_a_message(open_page, bundled_frame):
    at = open_page("drift")
    bad = bundled_frame[list(FEATURE_NAMES)].iloc[:5].drop(columns=["_Tempo_Mean"])
    at.file_uploader(key="drift-upload").set_value([("bad.csv", csv_bytes(bad), "text/csv")])
    at.run()
    assert not at.exception
    assert any("_Tempo_Mean" in visible(e.value) for e in at.error)
    assert isinstance(at.dataframe[0].value, pd.DataFrame)  # the rest of the page still shows


def test_own_data_audio_files_are_compared_window_by_window(open_page):
    at = open_page("drift")
    files = [(p.name, p.read_bytes(), "audio/flac") for p in sorted(AUDIO.glob("mus_*.flac"))[:2]]
    at.file_uploader(key="drift-upload").set_value(files)
    at.run()
    assert not at.exception, at.exception
    verdicts = [m.value for m in list(at.warning) + list(at.success)]
    assert any(v.startswith(f"{len(files)} rows: ") for v in verdicts), verdicts
