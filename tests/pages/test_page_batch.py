"""Batch page: a results table, counts per emotion, share uncertain, one download."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from apptest_helpers import csv_bytes, upload

from turkmood.analyze import analyze
from turkmood.constants import FEATURE_NAMES
from turkmood.decision import is_uncertain
from turkmood.model import predict_features
from ui.text import decision_text


def test_batch_without_upload_explains_what_to_do(open_page):
    at = open_page("batch")
    assert not at.exception
    assert at.info and "Upload files" in at.info[0].value
    assert len(at.download_button) == 0


def test_batch_upload_summarises_all_rows(open_page, bundled_frame, default_model):
    table = bundled_frame.sample(60, random_state=0).reset_index(drop=True)
    at = upload(open_page("batch"), "many.csv", csv_bytes(table))
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    expected = predict_features(table[list(FEATURE_NAMES)], default_model)
    results = at.dataframe[0].value
    assert len(results) == 60
    assert results["decision"].tolist() == [decision_text(r) for _, r in expected.iterrows()]
    assert "predicted" not in results.columns  # a bare top class is never shown
    # the Class column of the input is passed through as metadata, not used for prediction
    assert results["file"].tolist() == [f"row {i + 1}" for i in range(60)]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Songs"] == "60"
    assert metrics["Failed"] == "0"
    share = expected["decision"].map(is_uncertain).mean()
    assert metrics["Uncertain (sent to review)"] == f"{share:.0%}"
    assert len(at.get("plotly_chart")) == 1
    assert len(at.download_button) == 1
    np.testing.assert_allclose(results["confidence"], expected["confidence"], atol=1e-4)


def test_batch_bad_table_shows_error(open_page, bundled_frame):
    table = bundled_frame.head(5).drop(columns=["_Eventdensity_Mean"])
    at = upload(open_page("batch"), "bad.csv", csv_bytes(table))
    assert not at.exception
    assert at.error and "_Eventdensity_Mean" in at.error[0].value
    assert len(at.dataframe) == 0


AUDIO = Path(__file__).resolve().parents[1] / "fixtures" / "audio"


def test_batch_of_audio_files_keeps_failures_as_rows(open_page, default_model):
    names = ["mus_wesnoth_sad.flac", "syn_silence10s.flac", "mus_sectoid_metal_madness.flac"]
    at = open_page("batch")
    at.file_uploader[0].set_value([(n, (AUDIO / n).read_bytes(), "audio/flac") for n in names])
    at.run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    results = at.dataframe[0].value
    assert results["file"].tolist() == names
    for name, (_, row) in zip(names, results.iterrows(), strict=True):
        if name.startswith("syn_silence"):
            assert row["decision"] == ""
            assert row["error"]  # the AudioError message is kept in its row
        else:
            expected = analyze(AUDIO / name, default_model)
            assert row["decision"] == decision_text(expected.track.iloc[0])
            assert row["duration_s"] == pytest.approx(expected.duration_s, abs=1e-3)
            assert not row["error"]
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Songs"], metrics["Failed"]) == ("3", "1")
    assert len(at.download_button) == 1


def test_batch_refuses_a_table_mixed_with_audio(open_page, bundled_frame):
    at = open_page("batch")
    at.file_uploader[0].set_value(
        [
            ("t.csv", csv_bytes(bundled_frame.head(3)), "text/csv"),
            ("s.flac", (AUDIO / "mus_wesnoth_sad.flac").read_bytes(), "audio/flac"),
        ]
    )
    at.run()
    assert not at.exception
    assert at.error and "not both" in at.error[0].value
    assert len(at.download_button) == 0
