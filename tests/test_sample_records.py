"""The bundled samples: real music with a person's label, its provenance and credits, and the
model's recorded answers on every clip, which must still be what the model answers now."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
import soundfile as sf

from turkmood.analyze import analyze
from turkmood.constants import CLASSES, PROJECT_DIR, SAMPLES_DIR, SAMPLES_MUSIC_INDEX
from turkmood.model import load_model, read_manifest
from ui.analyze_samples import MUSIC, list_samples, read_records

MUSIC_INDEX = SAMPLES_DIR / SAMPLES_MUSIC_INDEX
CREDITS = (SAMPLES_DIR / "CREDITS.md").read_text(encoding="utf-8")
LABEL_SOURCES = {
    "composer's title",
    "mapping of the composer's title",
    "mapping of a generation mood word",
}
#: Licence text that must ship beside a clip, by the licence named in its entry.
LICENCE_FILES = {"GPL-2.0-or-later": "GPL-2.txt", "MIT": "LICENSE-MUSIC"}
SAMPLES = list_samples()
#: Recorded probabilities may move by ~1e-6 when the extractor changes; 2 decimals must hold.
PROBABILITY_TOLERANCE = 0.005


def _music_entries() -> list[dict]:
    return json.loads(MUSIC_INDEX.read_text(encoding="utf-8"))["samples"]


def test_real_music_is_listed_first_with_every_emotion_labelled():
    entries = _music_entries()
    assert len(entries) >= 4
    assert {e["emotion"] for e in entries} == set(CLASSES)
    assert SAMPLES[0].group == MUSIC  # the picker opens on real music
    assert [s.group for s in SAMPLES[: len(entries)]] == [MUSIC] * len(entries)


@pytest.mark.parametrize("entry", _music_entries(), ids=lambda e: e["file"])
def test_music_clip_has_label_provenance_credit_and_licence(entry):
    path = MUSIC_INDEX.parent / entry["file"]
    assert path.is_file()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
    assert 25.0 <= sf.info(path).duration <= 35.0
    assert entry["emotion"] in CLASSES
    assert entry["label_source"] in LABEL_SOURCES
    assert entry["made_by"] in {"human", "ai"}
    assert len(entry["label_provenance"]) > 40 and "listener" in entry["label_provenance"]
    if entry["made_by"] == "ai":
        assert "AI-generated" in entry["origin"] and entry["mood_tag"] in entry["label_provenance"]
    else:
        assert entry["title"] in entry["label_provenance"] and entry["author"]
    assert entry["licence_file"] == LICENCE_FILES[entry["licence"]]
    assert (MUSIC_INDEX.parent / entry["licence_file"]).is_file()
    assert f"music/{entry['file']}" in CREDITS  # credited, with its licence, in CREDITS.md


def test_wesnoth_sad_is_the_fixture_excerpt_sample_for_sample():
    """CREDITS.md says so: the sample's features are those checked against MIRtoolbox."""
    shipped, _ = sf.read(MUSIC_INDEX.parent / "wesnoth_sad.flac", dtype="int16")
    fixture, _ = sf.read(PROJECT_DIR / "tests/fixtures/audio/mus_wesnoth_sad.flac", dtype="int16")
    assert np.array_equal(shipped, fixture)


def test_every_listed_sample_has_a_recorded_answer():
    records = read_records(SAMPLES_DIR)
    assert set(records) == {s.key() for s in SAMPLES}
    assert all(s.record is not None for s in SAMPLES)


@pytest.fixture(scope="module")
def bundled_model():
    return load_model(read_manifest()["default_model"])


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.key())
def test_recorded_answer_is_what_the_model_answers_now(sample, bundled_model):
    """Fails when a model, the extractor or a clip changed: run
    ``python sample_audios/record_verdicts.py`` again and review the new answers."""
    stored = json.loads((SAMPLES_DIR / "verdicts.json").read_text(encoding="utf-8"))
    assert stored["model_version"] == bundled_model.version
    recorded = stored["clips"][sample.key()]
    now = analyze(sample.path, bundled_model)
    assert (now.predicted, now.decision, bool(now.is_ood)) == (
        recorded["predicted"],
        recorded["decision"],
        recorded["ood"],
    )
    for emotion in CLASSES:
        assert abs(float(now.track.loc[0, emotion]) - recorded["probabilities"][emotion]) <= (
            PROBABILITY_TOLERANCE
        )
