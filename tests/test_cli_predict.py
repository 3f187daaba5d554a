"""``python -m turkmood predict``: a folder of good and bad files, jobs, dask, kill + --resume."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import soundfile as sf
from test_batch import write_clip

from turkmood.batch import batch_columns
from turkmood.cli import main
from turkmood.constants import PROJECT_DIR
from turkmood.model import load_model

#: Expected error text per bad file of the mixed folder.
BAD_FILES = {
    "corrupt.mp3": "truncated or corrupt",
    "notes.wav": "not a readable audio file",
    "empty.wav": "empty (0 bytes)",
    "blip.wav": "too short (0.20 s)",
    "readme.txt": "not a readable audio file",  # a folder's non-audio file gets its row too
}
GOOD_FILES = ["sad.wav", "sub/frantic.flac", "sub/metal.wav"]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Path:
    """Three short songs plus a corrupt MP3, a text file named .wav, an empty file, a 0.2 s clip."""
    root = tmp_path_factory.mktemp("mixed")
    (root / "sub").mkdir()
    write_clip(root / "sad.wav", "mus_wesnoth_sad.flac", 3.0)
    write_clip(root / "sub" / "frantic.flac", "mus_wesnoth_frantic.flac", 3.0)
    write_clip(root / "sub" / "metal.wav", "mus_sectoid_metal_madness.flac", 3.0)
    y, sr = sf.read(root / "sad.wav")
    full = root / "full.mp3"
    sf.write(full, y, sr, format="MP3")
    (root / "corrupt.mp3").write_bytes(full.read_bytes()[: full.stat().st_size // 3])
    full.unlink()
    (root / "notes.wav").write_text("this is a text file, not audio\n" * 30)
    (root / "empty.wav").write_bytes(b"")
    write_clip(root / "blip.wav", "mus_wesnoth_sad.flac", 0.2)
    (root / "readme.txt").write_text("not audio: reported in its own row, never skipped silently")
    return root


@pytest.fixture(scope="module")
def reference(mixed, tmp_path_factory) -> bytes:
    """The CSV of an uninterrupted serial run with features."""
    out = tmp_path_factory.mktemp("ref") / "ref.csv"
    assert main(["predict", str(mixed), "--out", str(out), "--features", "--quiet"]) == 0
    return out.read_bytes()


def _read(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), keep_default_na=False)


def test_mixed_folder_gives_a_row_per_file_and_errors_in_their_rows(mixed, reference):
    table = _read(reference)
    assert list(table.columns) == batch_columns(include_features=True)
    names = {
        Path(f).relative_to(mixed).as_posix(): row for f, row in table.set_index("file").iterrows()
    }
    assert sorted(names) == sorted([*GOOD_FILES, *BAD_FILES])
    assert table["file"].tolist() == sorted(table["file"])  # deterministic order
    for name, text in BAD_FILES.items():
        assert text in names[name]["error"], name
        assert names[name]["predicted"] == ""
    for name in GOOD_FILES:
        row = names[name]
        assert row["error"] == ""
        assert row["predicted"] in {"happy", "sad", "angry", "relax"}
        assert float(row["duration_s"]) == pytest.approx(3.0)
        assert row["model_version"] == load_model().version
    assert table["sha256"].str.len().eq(64).all()


def test_nothing_scorable_exits_non_zero(mixed, tmp_path, capsys):
    out = tmp_path / "bad.csv"
    bad = [str(mixed / n) for n in BAD_FILES]
    assert main(["predict", *bad, "--out", str(out), "--quiet"]) == 1
    assert len(_read(out.read_bytes())) == len(BAD_FILES)
    assert f"scored 0 of {len(BAD_FILES)} file(s)" in capsys.readouterr().err


def test_no_matching_files_is_a_clear_error(tmp_path, capsys):
    assert main(["predict", str(tmp_path / "none-*.wav"), "--out", str(tmp_path / "o.csv")]) == 2
    assert "no files found" in capsys.readouterr().err


def test_two_worker_processes_give_the_same_csv(mixed, reference, tmp_path):
    out = tmp_path / "jobs2.csv"
    args = ["predict", str(mixed), "--out", str(out), "--features", "--jobs", "2", "--quiet"]
    assert main(args) == 0
    assert out.read_bytes() == reference


def test_dask_local_cluster_gives_the_same_csv(mixed, reference, tmp_path):
    pytest.importorskip("dask.distributed")
    out = tmp_path / "dask.csv"
    args = ["predict", str(mixed), "--out", str(out), "--features", "--quiet"]
    assert main([*args, "--scheduler", "dask", "--jobs", "2"]) == 0
    assert out.read_bytes() == reference


def test_resume_after_a_killed_run_gives_the_same_csv(mixed, reference, tmp_path, capsys):
    out = tmp_path / "resumed.csv"
    command = [sys.executable, "-m", "turkmood", "predict", str(mixed), "--out", str(out)]
    proc = subprocess.Popen(
        [*command, "--features", "--quiet"],
        cwd=PROJECT_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:  # kill it as soon as a song row is on disk (the bad files come first: no analysis)
        deadline = time.monotonic() + 120
        while "sad.wav" not in (out.read_text() if out.exists() else ""):
            assert proc.poll() is None, "the run ended before it could be interrupted"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    partial = _read(out.read_bytes())
    assert 0 < len(partial) < len(_read(reference))

    capsys.readouterr()
    assert (
        main(["predict", str(mixed), "--out", str(out), "--features", "--resume", "--quiet"]) == 0
    )
    assert f"({len(partial)} already in the file)" in capsys.readouterr().err
    assert out.read_bytes() == reference


def test_killed_parallel_run_leaves_no_worker_processes(mixed, tmp_path):
    """SIGKILL of `predict --jobs 2`: its pool workers end too (turkmood.workers watchdog)."""
    import psutil

    command = [sys.executable, "-m", "turkmood", "predict", str(mixed), "--jobs", "2"]
    proc = subprocess.Popen(
        [*command, "--out", str(tmp_path / "killed.csv"), "--quiet"],
        cwd=PROJECT_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:  # wait for the two workers: grandchildren of the CLI (children of the fork server)
        deadline = time.monotonic() + 60
        workers: list[psutil.Process] = []
        while len(workers) < 2:
            assert proc.poll() is None, "the run ended before it could be interrupted"
            assert time.monotonic() < deadline
            time.sleep(0.05)
            everyone = psutil.Process(proc.pid).children(recursive=True)
            workers = [p for p in everyone if p.ppid() != proc.pid]
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    gone, alive = psutil.wait_procs(workers, timeout=15)
    assert not alive, f"worker processes {[p.pid for p in alive]} outlived the killed CLI"


def test_resume_of_a_complete_file_changes_nothing(mixed, reference, tmp_path, capsys):
    out = tmp_path / "done.csv"
    out.write_bytes(reference)
    assert main(["predict", str(mixed), "--out", str(out), "--features", "--resume"]) == 0
    err = capsys.readouterr().err
    assert f"({len(_read(reference))} already in the file)" in err
    assert "file/s" in err  # the progress bar went to stderr
    assert out.read_bytes() == reference


def test_resume_with_other_options_is_refused(mixed, reference, tmp_path, capsys):
    out = tmp_path / "done.csv"
    out.write_bytes(reference)
    assert main(["predict", str(mixed), "--out", str(out), "--resume", "--quiet"]) == 2
    assert "with --features" in capsys.readouterr().err
    assert out.read_bytes() == reference


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--jobs", "0"], "--jobs must be at least 1"),
        (["--address", "tcp://127.0.0.1:1"], "--address needs --scheduler dask"),
        (["--model", "no_such_model"], "unknown model 'no_such_model'"),
        (["--out", "/nonexistent-dir/o.csv"], "cannot write the results file"),
    ],
)
def test_bad_options_are_clear_errors(mixed, tmp_path, capsys, extra, message):
    out = tmp_path / "o.csv"
    assert main(["predict", str(mixed / "sad.wav"), "--out", str(out), "--quiet", *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()


def test_each_scored_file_goes_to_the_prediction_log(mixed, tmp_path, monkeypatch):
    from turkmood.telemetry.prediction_log import read_predictions

    monkeypatch.setenv("TURKMOOD_HOME", str(tmp_path / "home"))
    out = tmp_path / "logged.csv"
    assert main(["predict", str(mixed), "--out", str(out), "--quiet"]) == 0
    log = read_predictions()
    results = _read(out.read_bytes())
    scored = results[results["error"] == ""]
    assert sorted(log["clip_name"]) == sorted(scored["file"])  # bad files are not logged
    assert set(log["source"]) == {"cli"}
    assert (log["latency_s"] > 0).all()
    by_name = log.set_index("clip_name")
    for row in scored.itertuples():
        assert by_name.loc[row.file, "clip_hash"] == row.sha256
        assert round(by_name.loc[row.file, "p_sad"], 4) == float(row.p_sad)
    # a resumed run logs nothing again
    assert main(["predict", str(mixed), "--out", str(out), "--quiet", "--resume"]) == 0
    assert len(read_predictions()) == len(log)


def test_decoder_chatter_stays_out_of_the_terminal(mixed, tmp_path):
    """libmpg123 prints "Warning: Xing stream size off…" from C for the cut MP3; the CLI's
    stderr keeps the summary and the error lines but not that chatter."""
    out = tmp_path / "quiet.csv"
    command = ["predict", str(mixed / "corrupt.mp3"), "--out", str(out)]
    done = subprocess.run(
        [sys.executable, "-m", "turkmood", *command],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1  # nothing scorable
    assert "scored 0 of 1 file(s)" in done.stderr
    assert "truncated or corrupt" in done.stderr
    assert "Xing" not in done.stderr and "mpg123" not in done.stderr


def test_the_filter_drops_only_decoder_lines():
    from turkmood.stderr_filter import is_decoder_noise

    assert is_decoder_noise(b"Warning: Xing stream size off by more than 1%, fuzzy seeking")
    assert is_decoder_noise(b"[src/libmpg123/layer3.c:INT123_do_layer3():1804] error: part2_3")
    assert not is_decoder_noise(b"scored 3 of 8 file(s); wrote out.csv")
    assert not is_decoder_noise(b"  song.mp3: The audio file is truncated or corrupt")
