"""The labels table: CSV import (good and bad rows), latest wins, feedback import."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from turkmood.constants import CLASSES, FEATURE_NAMES
from turkmood.data import file_sha256
from turkmood.feedback import FeedbackRecord, read_feedback, save_feedback
from turkmood.learning.labels import (
    LabelError,
    add_label,
    import_labels_csv,
    label_windows,
    labels_from_feedback,
    read_labels,
)
from turkmood.telemetry.prediction_log import PredictionRecord, log_prediction, read_predictions

ADAPTATION = Path("/work/shared/data/adaptation")
TRACKS = ("calm_acoustic_s411.opus", "energetic_acoustic_1.opus")

needs_tracks = pytest.mark.skipif(
    not all((ADAPTATION / t).is_file() for t in TRACKS), reason="adaptation tracks not available"
)


def _window(offset: float = 0.0) -> list[float]:
    return [float(i) + offset for i in range(len(FEATURE_NAMES))]


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """A CSV with two good rows (relative and absolute path) and five bad ones, imported once."""
    folder = tmp_path_factory.mktemp("catalogue")
    music = folder / "music"
    music.mkdir()
    for name in TRACKS:
        shutil.copy(ADAPTATION / name, music / name)
    (music / "broken.opus").write_bytes(b"this is not audio at all" * 50)
    outside = tmp_path_factory.mktemp("outside") / "secret.opus"
    shutil.copy(ADAPTATION / TRACKS[0], outside)
    rel_escape = Path("..") / outside.parent.name / outside.name
    rows = [
        ("music/" + TRACKS[0], "relax", "calm"),  # line 2: good, relative
        (str(music / TRACKS[1]), " Angry ", "energetic"),  # line 3: good, absolute, loose case
        ("music/missing.opus", "sad", ""),  # line 4: missing file
        ("music/" + TRACKS[0], "furious", ""),  # line 5: bad emotion
        (str(rel_escape), "sad", ""),  # line 6: traversal out of the CSV folder
        ("", "happy", ""),  # line 7: empty path
        ("music/broken.opus", "happy", ""),  # line 8: undecodable
    ]
    csv = folder / "labels.csv"
    pd.DataFrame(rows, columns=["path", "emotion", "mood_tag"]).to_csv(csv, index=False)
    db = folder / "labels.db"
    report = import_labels_csv(csv, path=db)
    return report, db, music


@needs_tracks
def test_csv_import_keeps_good_rows_and_reports_each_bad_one(imported):
    report, db, music = imported
    assert report.n_rows == 7
    assert [(line, emotion) for line, _, emotion in report.added] == [(2, "relax"), (3, "angry")]
    reasons = {line: reason for line, _, reason in report.errors}
    assert sorted(reasons) == [4, 5, 6, 7, 8]
    assert "not found" in reasons[4]
    assert "unknown emotion" in reasons[5]
    assert "traversal" in reasons[6]
    assert "empty" in reasons[7]
    assert reasons[8] and "Traceback" not in reasons[8]
    assert report.summary() == "2 of 7 row(s) labelled, 5 refused"


@needs_tracks
def test_csv_labels_hold_hash_and_analyze_windows(imported):
    from turkmood.analyze import analyze

    _, db, music = imported
    labels = read_labels(db).set_index("clip_name")
    assert sorted(labels.index) == sorted(TRACKS)
    row = labels.loc[TRACKS[0]]
    assert row["clip_hash"] == file_sha256(music / TRACKS[0])
    assert row["emotion"] == "relax" and row["source"] == "csv"
    expected = analyze(music / TRACKS[0]).features
    assert row["n_windows"] == len(expected)
    windows = label_windows(read_labels(db))
    mine = windows[windows["clip_name"] == TRACKS[0]][list(FEATURE_NAMES)].to_numpy()
    assert mine == pytest.approx(expected.to_numpy())


def test_latest_label_wins_and_an_older_one_never_overwrites(tmp_path):
    db = tmp_path / "labels.db"
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    add_label("h1", "sad", [_window()], source="csv", clip_name="a.wav", created=t0, path=db)
    later = t0 + timedelta(days=1)
    add_label(
        "h1", "happy", [_window(1)], source="queue", clip_name="a.wav", created=later, path=db
    )
    add_label("h1", "angry", [_window(2)], source="csv", clip_name="a.wav", created=t0, path=db)
    add_label("h2", "relax", [_window(), _window(3)], source="csv", clip_name="b.wav", path=db)
    labels = read_labels(db)
    assert len(labels) == 2
    first = labels.set_index("clip_hash").loc["h1"]
    assert (first["emotion"], first["source"]) == ("happy", "queue")
    assert first["features"] == [_window(1)]
    assert len(label_windows(labels)) == 3


def test_add_label_refuses_bad_input(tmp_path):
    db = tmp_path / "labels.db"
    with pytest.raises(LabelError, match="unknown emotion"):
        add_label("h", "joyful", [_window()], source="csv", clip_name="a", path=db)
    with pytest.raises(LabelError, match="source"):
        add_label("h", "sad", [_window()], source="email", clip_name="a", path=db)
    with pytest.raises(LabelError, match="50 features"):
        add_label("h", "sad", [[1.0, 2.0]], source="csv", clip_name="a", path=db)
    assert read_labels(db).empty


def test_unreadable_or_incomplete_csv_is_one_clear_error(tmp_path):
    with pytest.raises(LabelError, match="not found"):
        import_labels_csv(tmp_path / "nope.csv", path=tmp_path / "l.db")
    bad = tmp_path / "bad.csv"
    bad.write_text("file,label\nx.wav,sad\n")
    with pytest.raises(LabelError, match="lacks the column"):
        import_labels_csv(bad, path=tmp_path / "l.db")


def _feedback(name: str, truth: str, offset: float) -> FeedbackRecord:
    return FeedbackRecord(
        clip_name=name,
        model_version="m@1",
        predicted="happy",
        decision="happy",
        confidence=0.8,
        true_emotion=truth,
        probabilities={c: 0.25 for c in CLASSES},
        features=dict(zip(FEATURE_NAMES, _window(offset), strict=True)),
    )


def test_feedback_answers_become_labels_keyed_by_the_logged_clip_hash(tmp_path):
    fb_db, log_db, db = tmp_path / "fb.db", tmp_path / "log.db", tmp_path / "labels.db"
    t0 = datetime(2026, 2, 1, tzinfo=UTC)
    save_feedback(_feedback("song.mp3", "sad", 0.5), path=fb_db, now=t0)
    save_feedback(_feedback("other.wav", "relax", 7.0), path=fb_db, now=t0)
    save_feedback(_feedback("song.mp3", "angry", 0.5), path=fb_db, now=t0 + timedelta(hours=1))
    log_prediction(
        PredictionRecord(
            source="app",
            clip_hash="ab" * 32,
            clip_name="song.mp3",
            model_version="m@1",
            predicted="happy",
            decision="happy",
            confidence=0.8,
            probabilities={c: 0.25 for c in CLASSES},
            is_ood=False,
            latency_s=0.1,
            features=dict(zip(FEATURE_NAMES, _window(0.5), strict=True)),
        ),
        path=log_db,
    )
    fb, log = read_feedback(fb_db), read_predictions(log_db)
    assert labels_from_feedback(fb, log, path=db) == 3
    assert labels_from_feedback(fb, log, path=db) == 3  # importing again changes nothing
    labels = read_labels(db).set_index("clip_name")
    assert len(labels) == 2
    assert labels.loc["song.mp3", "clip_hash"] == "ab" * 32
    assert labels.loc["song.mp3", "emotion"] == "angry"  # the later answer wins
    assert labels.loc["other.wav", "clip_hash"].startswith("feedback:")
    assert set(labels["source"]) == {"feedback"}


def test_concurrent_label_writes_lose_nothing(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from turkmood.constants import FEATURE_NAMES
    from turkmood.learning.labels import add_label, read_labels

    db = tmp_path / "labels.db"
    row = [[0.5] * len(FEATURE_NAMES)]

    def write(i: int) -> None:
        add_label(f"{i:064x}", "happy", row, source="queue", clip_name=f"c{i}.wav", path=db)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(200)))
    labels = read_labels(db)
    assert len(labels) == 200 and labels["clip_hash"].nunique() == 200
