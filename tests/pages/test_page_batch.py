"""Batch page: a results table, counts per emotion, share uncertain, one download."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from apptest_helpers import csv_bytes, upload

from tests.pages.apptest_helpers import visible
from turkmood.analyze import analyze
from turkmood.constants import CLASSES, FEATURE_NAMES
from turkmood.decision import is_uncertain
from turkmood.model import load_model, predict_features
from turkmood.ood import check_features
from ui import batch_inputs
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
    assert metrics["Sent to review"] == f"{share:.0%}"
    assert len(at.get("plotly_chart")) == 1
    assert len(at.download_button) == 1
    np.testing.assert_allclose(results["confidence"], expected["confidence"], atol=1e-4)


def test_batch_bad_table_shows_error(open_page, bundled_frame):
    table = bundled_frame.head(5).drop(columns=["_Eventdensity_Mean"])
    at = upload(open_page("batch"), "bad.csv", csv_bytes(table))
    assert not at.exception
    assert at.error and "_Eventdensity_Mean" in visible(at.error[0].value)
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


def _wav(seconds: float, freq: float, seed: int) -> bytes:
    """A short tone with some noise, as WAV bytes (fast to analyse)."""
    sr = 22_050
    t = np.arange(int(seconds * sr)) / sr
    noise = 0.02 * np.random.default_rng(seed).standard_normal(t.size)
    buffer = io.BytesIO()
    sf.write(buffer, 0.3 * np.sin(2 * np.pi * freq * t) + noise, sr, format="WAV")
    return buffer.getvalue()


def test_batch_feature_table_summary_has_ood_share_and_counts(open_page, sample_table):
    at = upload(open_page("batch"), "songs.csv", csv_bytes(sample_table))
    assert not at.exception and not at.error
    features = sample_table[list(FEATURE_NAMES)]
    expected = predict_features(features, load_model())
    metrics = {m.label: m.value for m in at.metric}
    n_ood = sum(r.is_ood for r in check_features(features))
    assert metrics["Out of distribution"] == f"{n_ood / len(features):.0%}"
    counts = expected["predicted"].value_counts()
    line = next(m.value for m in at.markdown if m.value.startswith("Predicted (top-1)"))
    for c in CLASSES:
        assert f"**{c}** {int(counts.get(c, 0))}" in line
    results = at.dataframe[0].value
    assert results["file"].tolist() == sample_table["file"].tolist()
    assert not set(FEATURE_NAMES) & set(results.columns)  # features only go into the CSV


def test_batch_zip_of_audio_scores_members_and_notes_the_rest(open_page, monkeypatch):
    calls = []
    real = batch_inputs.score_source
    monkeypatch.setattr(
        batch_inputs, "score_source", lambda *a, **k: calls.append(a[0]) or real(*a, **k)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("set/low.wav", _wav(2.0, 220.0, 1))
        archive.writestr("set/broken.wav", b"RIFF but not really a wave file")
        archive.writestr("set/notes.txt", b"liner notes")
    at = open_page("batch")
    at.file_uploader[0].set_value(
        [
            ("songs.zip", buffer.getvalue(), "application/zip"),
            ("high.wav", _wav(2.0, 880.0, 2), "audio/wav"),
        ]
    )
    at.run()
    assert not at.exception and not at.error
    notes = [visible(i.value) for i in at.info]
    assert any("ignored 1 file(s) that are not audio (set/notes.txt)" in n for n in notes)
    results = at.dataframe[0].value
    assert results["file"].tolist() == [
        "songs.zip/set/low.wav",
        "songs.zip/set/broken.wav",
        "high.wav",
    ]
    errors = dict(zip(results["file"], results["error"], strict=True))
    assert "not a readable audio file" in errors["songs.zip/set/broken.wav"]
    assert not errors["high.wav"] and not errors["songs.zip/set/low.wav"]
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Songs"], metrics["Failed"]) == ("3", "1")
    assert len(calls) == 3

    # asking for the features reruns the page without analysing anything again
    at.checkbox(key="batch-features").check().run()
    assert not at.exception
    assert len(calls) == 3
    assert at.dataframe[0].value.equals(results)
    assert len(at.download_button) == 1
