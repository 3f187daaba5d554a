"""turkmood.batch: per-file scoring with errors in their rows, path expansion, the table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from turkmood.analyze import analyze
from turkmood.batch import (
    FileResult,
    batch_columns,
    bytes_sha256,
    check_model,
    expand_paths,
    hash_path,
    results_table,
    score_path,
    score_source,
)
from turkmood.constants import CLASSES, FEATURE_NAMES
from turkmood.data import file_sha256
from turkmood.model import load_model
from turkmood.results import HASH_COLUMN, RESULT_COLUMNS

AUDIO = Path(__file__).resolve().parent / "fixtures" / "audio"


def write_clip(path: Path, source: str, seconds: float, gain: float = 1.0) -> Path:
    """A short excerpt of a fixture song (mono), scaled by ``gain`` so contents differ."""
    y, sr = sf.read(AUDIO / source)
    y = y if y.ndim == 1 else y.mean(axis=1)
    sf.write(path, gain * y[: int(seconds * sr)], sr)
    return path


@pytest.fixture(scope="module")
def model():
    return load_model()


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    return write_clip(tmp_path_factory.mktemp("clip") / "a.wav", "mus_wesnoth_sad.flac", 4.0)


def test_score_source_keeps_the_analysis_and_hash(clip, model):
    result = score_source("a.wav", clip, model, sha256="abc")
    expected = analyze(clip, model)
    assert result.ok and result.error is None and result.sha256 == "abc"
    pd.testing.assert_frame_equal(result.analysis.track, expected.track)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"not audio at all\n" * 40, "not a readable audio file")],
)
def test_score_source_turns_bad_input_into_an_error_row(content, message, model):
    result = score_source("bad.wav", content, model)
    assert not result.ok
    assert message in result.error


def test_score_source_survives_unexpected_errors(model, monkeypatch):
    def boom(source, model):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("turkmood.batch.analyze", boom)
    result = score_source("x.wav", b"x", model)
    assert result.error == "unexpected error (ZeroDivisionError): division by zero"


def test_score_path_uses_the_named_model(clip, model):
    result = score_path(str(clip), model.name, "h")
    assert result.name == str(clip)
    assert result.analysis.model_version == model.version


def test_hashes_of_bytes_and_files_agree(clip, tmp_path):
    assert bytes_sha256(clip.read_bytes()) == file_sha256(clip) == hash_path(clip)[0]
    sha, error = hash_path(tmp_path / "missing.wav")
    assert sha == "" and "cannot read the file" in error


def test_expand_paths_takes_files_folders_and_globs(tmp_path, monkeypatch):
    (tmp_path / "a" / "deep").mkdir(parents=True)
    for name in ["a/x.wav", "a/deep/y.FLAC", "a/notes.txt", "b.mp3", "c.ogg", "named.dat"]:
        (tmp_path / name).write_bytes(b"1")
    monkeypatch.chdir(tmp_path)
    found = expand_paths(["a", "*.mp3", str(tmp_path / "*.ogg"), "named.dat", "a/x.wav"])
    assert found == sorted(
        [
            Path("a/x.wav"),
            Path("a/deep/y.FLAC"),
            Path("a/notes.txt"),  # not audio: scored into an error row, never skipped silently
            Path("b.mp3"),
            tmp_path / "c.ogg",
            Path("named.dat"),
        ]
    )
    assert expand_paths(["nothing-*.wav"]) == []


def test_results_table_has_a_row_per_file_and_errors_in_their_rows(clip, model):
    good = score_source("dir/good.wav", clip, model, "h1")
    bad = FileResult("=bad.wav", None, "The audio file is empty (0 bytes).", "h2")
    table = results_table([good, bad], model.version, include_features=True)
    assert list(table.columns) == batch_columns(include_features=True)
    assert table["file"].tolist() == ["dir/good.wav", "=bad.wav"]
    assert table["error"].tolist() == ["", "The audio file is empty (0 bytes)."]
    assert table[HASH_COLUMN].tolist() == ["h1", "h2"]
    assert table.loc[0, "predicted"] == good.analysis.predicted
    np.testing.assert_allclose(
        table.loc[0, [f"p_{c}" for c in CLASSES]].astype(float),
        good.analysis.track.loc[0, list(CLASSES)].astype(float),
        atol=1e-4,
    )
    np.testing.assert_allclose(
        table.loc[0, list(FEATURE_NAMES)].astype(float),
        good.analysis.features.mean(axis=0),
        rtol=1e-5,  # rounded to BATCH_FEATURE_DIGITS significant digits
    )
    assert table.loc[1, list(FEATURE_NAMES)].isna().all()
    assert pd.isna(table.loc[1, "confidence"])


def test_results_table_without_hashes_keeps_the_plain_schema(model):
    table = results_table([FileResult("x.wav", None, "bad", "")], model.version)
    assert tuple(table.columns) == RESULT_COLUMNS


def test_check_model_flags_results_of_another_model(clip, model):
    result = score_source("a.wav", clip, model, "h")
    assert check_model(result, model.version) is result
    flagged = check_model(result, "other@123")
    assert flagged.analysis is None and "expected other@123" in flagged.error
