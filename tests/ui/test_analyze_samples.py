"""The sample picker's list: from samples.json, or from the folder when the index is absent."""

from __future__ import annotations

import json

import pytest

from turkmood.constants import CLASSES, SAMPLES_DIR
from ui.analyze_samples import UNKNOWN_EMOTION, audio_mime, list_samples


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
    assert samples[0].label == "happy — quick (25 s)"


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
