"""The sample picker's list: from samples.json, or from the folder when the index is absent."""

from __future__ import annotations

import json

import pytest

from turkmood.constants import CLASSES, SAMPLES_DIR
from ui.analyze_samples import (
    DESIGNED,
    MUSIC,
    SYNTHETIC,
    UNKNOWN_EMOTION,
    audio_mime,
    list_samples,
    record_rows,
    record_text,
)


def _touch(folder, *names):
    for name in names:
        (folder / name).write_bytes(b"x")


def test_index_gives_emotion_description_and_duration_grouped_by_emotion(tmp_path):
    _touch(tmp_path, "b.flac", "a.flac", "c.flac")
    index = {
        "samples": [
            {"file": "b.flac", "emotion": "sad", "duration_s": 30.0, "description": "slow"},
            {"file": "a.flac", "emotion": "happy", "duration_s": 25, "description": "quick"},
            {"file": "gone.flac", "emotion": "happy"},
            {"file": "c.flac", "emotion": "ecstatic"},
        ]
    }
    (tmp_path / "samples.json").write_text(json.dumps(index))
    samples = list_samples(tmp_path)
    assert [(s.path.name, s.emotion) for s in samples] == [
        ("a.flac", "happy"),
        ("b.flac", "sad"),
        ("c.flac", UNKNOWN_EMOTION),
    ]
    assert samples[0].label == "Synthetic, hand-designed · happy — quick (25 s)"
    assert all(s.group == SYNTHETIC and s.record is None for s in samples)


def test_missing_or_broken_index_falls_back_to_the_folder(tmp_path):
    _touch(tmp_path, "relax_1_x.wav", "angry_2_y.mp3", "notes.txt", "mystery.ogg")
    names = [(s.path.name, s.emotion) for s in list_samples(tmp_path)]
    assert names == [
        ("angry_2_y.mp3", "angry"),
        ("relax_1_x.wav", "relax"),
        ("mystery.ogg", "other"),
    ]
    (tmp_path / "samples.json").write_text("{not json")
    assert [(s.path.name, s.emotion) for s in list_samples(tmp_path)] == names


def test_no_folder_means_no_samples(tmp_path):
    assert list_samples(tmp_path / "absent") == []


def test_shipped_samples_are_listed_when_present():
    if not (SAMPLES_DIR / "samples.json").is_file():
        pytest.skip("sample_audios/samples.json is not there yet")
    samples = list_samples()
    assert samples and all(s.path.is_file() for s in samples)
    assert {s.emotion for s in samples} <= set(CLASSES)


def test_mime_types():
    assert audio_mime("a.MP3") == "audio/mpeg"
    assert audio_mime("a.flac") == "audio/flac"
    assert audio_mime("a.unknown") == "audio/wav"


def _groups_folder(tmp_path, verdicts: dict | None = None):
    """A samples folder with all three groups, each index naming one missing file."""
    (tmp_path / "music").mkdir()
    (tmp_path / "designed").mkdir()
    _touch(tmp_path, "relax_1_x.flac")
    _touch(tmp_path / "music", "title.flac", "mood.opus")
    _touch(tmp_path / "designed", "designed_sad.flac")
    music = [
        {
            "file": "mood.opus",
            "emotion": "happy",
            "description": "AI track",
            "made_by": "ai",
            "origin": "AI-generated",
            "label_source": "mapping of a generation mood word",
            "label_provenance": "Mood word *happy* mapped by a person.",
            "licence": "MIT",
        },
        {
            "file": "title.flac",
            "emotion": "sad",
            "description": "“Sad” by A. Composer",
            "made_by": "human",
            "title": "Sad",
            "author": "A. Composer",
            "year": 2010,
            "origin": "game music",
            "label_source": "composer's title",
            "label_provenance": "The composer titled it Sad.",
            "licence": "GPL-2.0-or-later",
            "processing": "excerpt 8–38 s",
        },
        {"file": "gone.flac", "emotion": "angry", "label_source": "composer's title"},
    ]
    (tmp_path / "music" / "music.json").write_text(json.dumps({"samples": music}))
    designed = [{"file": "designed_sad.flac", "emotion": "sad", "description": "slow"}]
    (tmp_path / "designed" / "designed.json").write_text(json.dumps({"samples": designed}))
    synthetic = [{"file": "relax_1_x.flac", "emotion": "relax", "description": "calm"}]
    (tmp_path / "samples.json").write_text(json.dumps({"samples": synthetic}))
    if verdicts is not None:
        (tmp_path / "verdicts.json").write_text(json.dumps(verdicts))
    return tmp_path


VERDICTS = {
    "model_version": "m@1",
    "measured_utc": "2026-12-06 20:00 UTC",
    "clips": {
        "music/title.flac": {
            "predicted": "angry",
            "confidence": 0.83,
            "decision": "angry",
            "ood": False,
        },
        "music/mood.opus": {
            "predicted": "happy",
            "confidence": 0.78,
            "decision": "happy",
            "ood": False,
        },
        "designed/designed_sad.flac": {
            "predicted": "sad",
            "confidence": 0.6,
            "decision": "review — between sad and relax",
            "ood": True,
        },
    },
}


def test_groups_music_first_with_provenance_credit_and_recorded_answer(tmp_path):
    samples = list_samples(_groups_folder(tmp_path, VERDICTS))
    assert [(s.group, s.key(tmp_path)) for s in samples] == [
        (MUSIC, "music/title.flac"),  # a composer's own word before a mapped mood word
        (MUSIC, "music/mood.opus"),
        (DESIGNED, "designed/designed_sad.flac"),
        (SYNTHETIC, "relax_1_x.flac"),
    ]
    title, mood, designed, synthetic = samples
    assert title.label == "Music · sad — “Sad” by A. Composer"
    assert title.provenance == "The composer titled it Sad."
    assert title.credit == (
        "“Sad” by A. Composer, © 2010; game music; licence: GPL-2.0-or-later; excerpt 8–38 s"
    )
    assert mood.credit == "AI-generated; licence: MIT"
    assert "never the model's answers" in designed.provenance
    assert designed.label.startswith("Synthetic, feature-designed · sad")
    assert "design intention" in synthetic.provenance and synthetic.label_source
    assert (title.record.predicted, title.record.model_version) == ("angry", "m@1")
    assert synthetic.record is None  # not in verdicts.json


def test_recorded_answer_is_compared_with_the_label(tmp_path):
    title, mood, designed, synthetic = list_samples(_groups_folder(tmp_path, VERDICTS))
    text = record_text(title, "m@1")
    assert "angry, accepted (probability 0.83)" in text
    assert "disagrees with the label (sad): a confident miss" in text
    assert "another one" not in text
    assert "agrees with the label" in record_text(mood, "m@1")
    shown = record_text(designed, "m@2")
    assert "review — between sad and relax (most likely sad, probability 0.60" in shown
    assert "neither right nor wrong" in shown and "unlike the training music" in shown
    assert "The model selected now (m@2) is another one" in shown
    assert record_text(synthetic) == "No recorded answer of the model on this clip yet."
    rows = record_rows([title, synthetic])
    assert [(r["label"], r["model said"], r["probability"]) for r in rows] == [
        ("sad", "angry", 0.83),
        ("relax", "not recorded", None),
    ]


def test_broken_verdicts_or_music_index_leave_the_rest(tmp_path):
    folder = _groups_folder(tmp_path)
    (folder / "verdicts.json").write_text('{"clips": 3}')
    (folder / "music" / "music.json").write_text("[1, 2")
    samples = list_samples(folder)
    assert [s.group for s in samples] == [DESIGNED, SYNTHETIC]
    assert all(s.record is None for s in samples)
