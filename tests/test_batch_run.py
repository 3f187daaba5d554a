"""turkmood.batch_run: incremental CSV, torn lines, duplicates, renamed files, resume checks."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from test_batch import write_clip

from turkmood import batch_run
from turkmood.batch_run import read_results_csv, run_batch
from turkmood.errors import TurkMoodError
from turkmood.model import load_model


@pytest.fixture(scope="module")
def model():
    return load_model()


@pytest.fixture(scope="module")
def songs(tmp_path_factory):
    root = tmp_path_factory.mktemp("songs")
    names = ["mus_wesnoth_sad.flac", "mus_wesnoth_frantic.flac", "mus_sectoid_feelings.flac"]
    return [write_clip(root / f"s{i}.wav", n, 2.5) for i, n in enumerate(names)]


@pytest.fixture()
def count_scoring(monkeypatch):
    calls: list[str] = []
    real = batch_run.score_source
    monkeypatch.setattr(
        batch_run, "score_source", lambda *a, **k: calls.append(a[0]) or real(*a, **k)
    )
    return calls


def test_rows_are_sorted_and_complete(songs, model, tmp_path):
    out = tmp_path / "r.csv"
    seen = []
    summary = run_batch(songs[::-1], out, model, progress=lambda n, ok: seen.append((n, ok)))
    assert (summary.n_files, summary.n_ok, summary.errors) == (3, 3, [])
    assert seen == [(str(p), True) for p in songs[::-1]]
    header, rows = read_results_csv(out)
    assert [r[0] for r in rows] == sorted(str(p) for p in songs)


def test_torn_last_line_is_dropped_and_rescored(songs, model, tmp_path, count_scoring):
    out = tmp_path / "r.csv"
    run_batch(songs, out, model)
    complete = out.read_bytes()
    out.write_bytes(complete[:-25])  # the process died while writing the last row
    header, rows = read_results_csv(out)
    assert len(rows) == 2
    count_scoring.clear()
    summary = run_batch(songs, out, model, resume=True)
    assert summary.n_skipped == 2
    assert count_scoring == [str(songs[2])]
    assert out.read_bytes() == complete


def test_identical_content_is_scored_once(songs, model, tmp_path, count_scoring):
    twin = tmp_path / "twin.wav"
    shutil.copyfile(songs[0], twin)
    out = tmp_path / "r.csv"
    run_batch([songs[0], twin], out, model)
    assert len(count_scoring) == 1
    table = pd.read_csv(out)
    assert table["file"].tolist() == sorted([str(songs[0]), str(twin)])
    assert table.drop(columns="file").iloc[0].equals(table.drop(columns="file").iloc[1])


def test_resume_copies_the_row_of_a_renamed_file(songs, model, tmp_path, count_scoring):
    out = tmp_path / "r.csv"
    run_batch([songs[0]], out, model)
    moved = tmp_path / "renamed.wav"
    shutil.copyfile(songs[0], moved)
    count_scoring.clear()
    summary = run_batch([moved], out, model, resume=True)
    assert count_scoring == []
    assert summary.n_ok == 1
    table = pd.read_csv(out)
    assert sorted(table["file"]) == sorted([str(songs[0]), str(moved)])


def test_resume_refuses_results_of_another_model(songs, model, tmp_path):
    out = tmp_path / "r.csv"
    run_batch([songs[0]], out, model)
    out.write_text(out.read_text().replace(model.version, "other@000000000000"))
    with pytest.raises(TurkMoodError, match="holds results of model other@000000000000"):
        run_batch(songs, out, model, resume=True)


def test_without_resume_the_file_starts_afresh(songs, model, tmp_path):
    out = tmp_path / "r.csv"
    run_batch(songs, out, model)
    run_batch([songs[1]], out, model)
    assert pd.read_csv(out)["file"].tolist() == [str(songs[1])]
