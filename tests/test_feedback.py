"""Feedback store: created on first use, WAL, survives restarts, concurrent writers lose nothing."""

from __future__ import annotations

import hashlib
import io
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pandas as pd
import pytest

import turkmood.feedback as feedback_module
from turkmood.constants import (
    CLASSES,
    CLIPS_DIR_NAME,
    FEATURE_NAMES,
    FEEDBACK_DB_ENV,
    FEEDBACK_DB_NAME,
    HOME_ENV,
)
from turkmood.feedback import (
    FeedbackError,
    FeedbackRecord,
    feedback_csv,
    feedback_db_path,
    read_audio,
    read_feedback,
    save_feedback,
)
from turkmood.learning import clip_store
from turkmood.tables import read_feature_table

ROOT = Path(__file__).resolve().parents[1]


def _record(i: int = 0, truth: str = "sad", audio: bytes | None = None) -> FeedbackRecord:
    return FeedbackRecord(
        clip_name=f"clip_{i}.wav",
        model_version="logreg@0123456789ab",
        predicted="happy",
        decision="Review: happy/sad",
        confidence=0.6,
        true_emotion=truth,
        probabilities={"happy": 0.6, "sad": 0.3, "angry": 0.05, "relax": 0.05},
        features={f: float(i + k) for k, f in enumerate(FEATURE_NAMES)},
        audio=audio,
    )


def test_store_is_created_on_first_use_in_wal_mode(tmp_path):
    path = tmp_path / "new" / "folder" / "feedback.db"
    assert read_feedback(path).empty  # reading a store that does not exist creates nothing
    assert not path.exists()
    row_id = save_feedback(_record(), path, now=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert row_id == 1 and path.is_file()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    table = read_feedback(path)
    assert len(table) == 1
    row = table.iloc[0]
    assert row["created_utc"] == "2026-01-02T03:04:05+00:00"
    assert (row["clip_name"], row["true_emotion"], row["predicted"]) == (
        "clip_0.wav",
        "sad",
        "happy",
    )
    assert row["model_version"] == "logreg@0123456789ab"
    assert [row[f"p_{c}"] for c in CLASSES] == [0.6, 0.3, 0.05, 0.05]
    assert [row[f] for f in FEATURE_NAMES] == [float(k) for k in range(len(FEATURE_NAMES))]
    assert not row["has_audio"]


def test_audio_is_kept_only_when_given(tmp_path):
    path = tmp_path / "fb.db"
    without = save_feedback(_record(1), path)
    with_audio = save_feedback(_record(2, audio=b"RIFF-bytes"), path)
    assert read_audio(without, path) is None
    assert read_audio(with_audio, path) == b"RIFF-bytes"
    assert read_feedback(path)["has_audio"].tolist() == [False, True]


def test_the_same_audio_sent_five_times_is_stored_once(tmp_path, isolated_home):
    # each click used to add a full copy of the file to the database (5 x 20 MB: +101 MB)
    path = tmp_path / "fb.db"
    song = bytes(range(256)) * 4000  # ~1 MB
    ids = [save_feedback(_record(i, audio=song), path) for i in range(5)]
    assert all(read_audio(i, path) == song for i in ids)
    assert path.stat().st_size < len(song)  # the database holds references, not copies
    digest = hashlib.sha256(song).hexdigest()
    kept = [p for p in (isolated_home / CLIPS_DIR_NAME).iterdir() if p.name == digest]
    assert len(kept) == 1 and kept[0].read_bytes() == song


def test_audio_beyond_the_quota_is_not_kept_but_the_answer_is(tmp_path, monkeypatch):
    monkeypatch.setattr(clip_store, "keep_clip", partial(clip_store.keep_clip, limit=10))
    path = tmp_path / "fb.db"
    row = save_feedback(_record(1, audio=b"more than ten bytes"), path)
    assert read_audio(row, path) is None
    assert read_feedback(path)["has_audio"].tolist() == [False]


def test_an_older_store_with_audio_blobs_still_reads(tmp_path):
    import sqlite3

    path = tmp_path / "old.db"
    save_feedback(_record(1), path)
    with sqlite3.connect(path) as db:  # a row written by the previous version (blob column)
        db.execute("UPDATE feedback SET audio = ?, audio_sha256 = NULL", (b"old-blob",))
    assert read_audio(1, path) == b"old-blob"
    assert read_feedback(path)["has_audio"].tolist() == [True]


def test_rows_survive_a_restart(tmp_path):
    """A separate Python process (a restarted app) reads what this one wrote."""
    path = tmp_path / "fb.db"
    for i in range(3):
        save_feedback(_record(i, truth=CLASSES[i]), path)
    code = (
        "import sys; from turkmood.feedback import read_feedback; "
        "t = read_feedback(sys.argv[1]); print(','.join(t['true_emotion']))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == ",".join(CLASSES[:3])


def test_two_threads_writing_at_once_lose_nothing(tmp_path):
    path = tmp_path / "fb.db"
    save_feedback(_record(), path)  # create the schema first, as the app's first answer does
    per_thread, errors = 40, []

    def write(offset: int) -> None:
        try:
            for i in range(per_thread):
                save_feedback(_record(offset + i), path)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(k * 1000,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    table = read_feedback(path)
    assert len(table) == 1 + 4 * per_thread
    assert table["id"].is_unique
    expected = {"clip_0.wav"} | {
        f"clip_{k * 1000 + i}.wav" for k in range(4) for i in range(per_thread)
    }
    assert set(table["clip_name"]) == expected


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    path = tmp_path / "fb.db"
    code = (
        "import sys\n"
        "from turkmood.constants import FEATURE_NAMES\n"
        "from turkmood.feedback import FeedbackRecord, save_feedback\n"
        "tag = sys.argv[2]\n"
        "for i in range(30):\n"
        "    save_feedback(FeedbackRecord(f'{tag}_{i}', 'm@1', 'sad', 'sad', 0.9, 'sad',\n"
        "        {'happy': 0.0, 'sad': 0.9, 'angry': 0.05, 'relax': 0.05},\n"
        "        dict.fromkeys(FEATURE_NAMES, 1.0)), sys.argv[1])\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(path), tag], cwd=ROOT)
        for tag in ("a", "b")
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    names = set(read_feedback(path)["clip_name"])
    assert names == {f"{tag}_{i}" for tag in ("a", "b") for i in range(30)}


def test_locked_store_gives_a_clear_error(tmp_path, monkeypatch):
    path = tmp_path / "fb.db"
    save_feedback(_record(), path)
    monkeypatch.setattr(feedback_module, "FEEDBACK_BUSY_TIMEOUT_S", 0.05)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(FeedbackError, match="could not be saved"):
            save_feedback(_record(1), path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert len(read_feedback(path)) == 1


def test_unwritable_location_gives_a_clear_error(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    with pytest.raises(FeedbackError, match="could not be saved"):
        save_feedback(_record(), blocker / "fb.db")


def test_bad_records_are_refused(tmp_path):
    with pytest.raises(FeedbackError, match="unknown emotion"):
        save_feedback(_record(truth="furious"), tmp_path / "fb.db")
    record = _record()
    short = FeedbackRecord(**{**record.__dict__, "features": {"_Tempo_Mean": 1.0}})
    with pytest.raises(FeedbackError, match="lacks 49 feature"):
        save_feedback(short, tmp_path / "fb.db")


def test_path_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv(FEEDBACK_DB_ENV, raising=False)
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    assert feedback_db_path() == tmp_path / "home" / FEEDBACK_DB_NAME
    monkeypatch.setenv(FEEDBACK_DB_ENV, str(tmp_path / "elsewhere.db"))
    assert feedback_db_path() == tmp_path / "elsewhere.db"
    save_feedback(_record())
    assert (tmp_path / "elsewhere.db").is_file()
    assert len(read_feedback()) == 1


def test_csv_is_a_training_table_with_the_users_labels(tmp_path):
    path = tmp_path / "fb.db"
    save_feedback(_record(0, truth="angry"), path)
    save_feedback(_record(1, truth="relax"), path)
    data = feedback_csv(read_feedback(path))
    table = read_feature_table(data)
    assert table.meta["Class"].tolist() == ["angry", "relax"]
    assert table.features.iloc[1].tolist() == [float(1 + k) for k in range(len(FEATURE_NAMES))]
    raw = pd.read_csv(io.BytesIO(data))
    assert list(raw.columns[:51]) == ["Class", *FEATURE_NAMES]
    assert raw["model_version"].tolist() == ["logreg@0123456789ab"] * 2
