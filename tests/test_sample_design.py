"""The feature-designed sample clips: the search's objective (features only, no model), its
determinism, and the shipped clips matching their recorded recipes and distances."""

from __future__ import annotations

import inspect
import json
from dataclasses import fields

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

import turkmood.sample_design as design
from turkmood.constants import CLASSES, FEATURE_NAMES, SAMPLES_DESIGNED_INDEX, SAMPLES_DIR
from turkmood.data import load_training_data
from turkmood.synth import SAMPLE_RECIPES, Recipe, render, to_pcm16

INDEX = SAMPLES_DIR / SAMPLES_DESIGNED_INDEX


@pytest.fixture(scope="module")
def ref() -> design.Reference:
    data = load_training_data()
    return design.Reference.from_table(data.X, data.y)


def _toy_reference() -> design.Reference:
    """Two features' worth of clusters: happy around +3, sad around -3, angry/relax far off."""
    rng = np.random.default_rng(0)
    centres = {"happy": 3.0, "sad": -3.0, "angry": 30.0, "relax": -30.0}
    rows, labels = [], []
    for emotion, centre in centres.items():
        rows.append(centre + rng.normal(0, 0.1, size=(12, len(FEATURE_NAMES))))
        labels += [emotion] * 12
    X = pd.DataFrame(np.vstack(rows), columns=list(FEATURE_NAMES))
    return design.Reference.from_table(X, labels)


def test_distances_are_to_each_emotions_nearest_training_rows():
    ref = _toy_reference()
    happy_row = ref.z[0]
    d = design.class_distances(happy_row, ref, k=3)
    assert d["happy"] < 0.1 < d["sad"] < d["angry"]
    assert design.class_distances(happy_row, ref, k=3, exclude=0)["happy"] > d["happy"]
    assert design.objective(d, "happy") == pytest.approx(d["happy"])  # nearest: no penalty
    # aimed at sad but nearer to happy: the penalty is how much nearer
    assert design.objective(d, "sad") == pytest.approx(2 * d["sad"] - d["happy"])


def test_training_songs_sit_close_to_their_own_emotion(ref):
    reference = design.training_reference_distances(ref)
    assert set(reference) == set(CLASSES)
    for values in reference.values():
        assert 0 < values["median"] <= values["p90"] < 2


def test_mutation_stays_inside_the_searched_ranges():
    rng = np.random.default_rng(3)
    recipe = design.random_recipe(rng, "x", "happy")
    for _ in range(50):
        recipe = design.mutate(recipe, rng, scale=0.5)
        for name, (lo, hi) in design.CONTINUOUS.items():
            assert lo <= getattr(recipe, name) <= hi


def test_search_uses_features_only_and_is_deterministic(monkeypatch):
    """Same seed, same winners; no model is loaded while searching."""

    def no_model(*args, **kwargs):
        raise AssertionError("the design search must not use a model")

    for name in ("load_model", "cached_model", "predict_proba"):
        monkeypatch.setattr(f"turkmood.model.{name}", no_model)
    assert "turkmood.model" not in inspect.getsource(design)
    ref = _toy_reference()

    def fake_features(recipe: Recipe) -> dict[str, float]:
        # a smooth stand-in for the extractor: brightness moves every feature
        value = -40.0 + 80.0 * recipe.brightness
        return dict.fromkeys(FEATURE_NAMES, value)

    start = design.random_recipe(np.random.default_rng(1), "start", "")
    runs = [
        design.search(ref, 7, 6, 4, [start], features_of=fake_features, log=lambda _: None)
        for _ in range(2)
    ]
    (best, evaluated), (best_again, _) = runs
    assert len(evaluated) == 1 + 6 + 4 * len(CLASSES)
    assert evaluated[0].recipe == start
    assert {e: b.recipe for e, b in best.items()} == {e: b.recipe for e, b in best_again.items()}
    for emotion, cand in best.items():
        objective = design.objective(cand.distances, emotion)
        assert all(objective <= design.objective(c.distances, emotion) for c in evaluated)


def test_the_shipped_clip_is_the_best_one_inside_the_region():
    reference = {c: {"median": 0.9, "p90": 1.0} for c in CLASSES}

    def cand(happy: float, sad: float) -> design.Candidate:
        recipe = design.random_recipe(np.random.default_rng(0), f"{happy}-{sad}", "")
        return design.Candidate(recipe, {"happy": happy, "sad": sad, "angry": 2.0, "relax": 2.0})

    tie, clean, far = cand(0.91, 0.90), cand(0.98, 1.04), cand(1.5, 1.6)
    # the near-tie has the lowest objective but sad songs are nearer: the clean one ships
    assert design.objective(tie.distances, "happy") < design.objective(clean.distances, "happy")
    assert design.choose([tie, clean, far], "happy", reference) == (clean, True)
    assert design.choose([tie, far], "happy", reference) == (tie, False)


def test_a_clip_ships_only_inside_its_emotions_region():
    reference = {c: {"median": 0.9, "p90": 1.0} for c in CLASSES}
    inside = {"happy": 0.95, "sad": 1.2, "angry": 1.1, "relax": 1.3}
    assert design.reached(inside, "happy", reference)
    assert not design.reached(inside, "sad", reference)  # happy songs are nearer
    nearest_but_far = {"happy": 1.05, "sad": 1.2, "angry": 1.1, "relax": 1.3}
    assert not design.reached(nearest_but_far, "happy", reference)


def _entries() -> list[dict]:
    assert INDEX.is_file(), "the designed clips ship with their index"
    return json.loads(INDEX.read_text(encoding="utf-8"))["samples"]


def test_designed_index_records_the_search():
    index = json.loads(INDEX.read_text(encoding="utf-8"))
    assert index["kind"] == "designed" and index["licence"] == "CC0-1.0"
    shipped = [e["emotion"] for e in _entries()]
    missed = [e["emotion"] for e in index["not_reached"]]
    assert sorted(shipped + missed, key=CLASSES.index) == list(CLASSES)
    starts = len(SAMPLE_RECIPES)  # the hand-designed recipes start the search
    assert index["n_evaluated"] == starts + index["n_random"] + 4 * index["n_local_per_emotion"]
    reference = index["training_songs_reference"]
    assert set(reference) == set(CLASSES)
    for entry in index["not_reached"]:
        assert not design.reached(entry["distances"], entry["emotion"], reference)
        assert not (INDEX.parent / f"designed_{entry['emotion']}.flac").exists()
    for entry in _entries():
        assert design.reached(entry["distances"], entry["emotion"], reference)
        assert entry["objective"] == pytest.approx(
            design.objective(entry["distances"], entry["emotion"]), abs=1e-3
        )
        assert entry["file"] in (SAMPLES_DIR / "CREDITS.md").read_text(encoding="utf-8")


def test_shipped_designed_clip_is_its_recipe_and_its_recorded_distances(ref):
    """One clip (rendering costs a few seconds): re-rendered from the recipe in the index it is
    the file on disk, and its distances are the recorded ones."""
    entry = _entries()[0]
    names = {f.name for f in fields(Recipe)}
    raw = {k: v for k, v in entry["recipe"].items() if k in names}
    for key in ("note_pulses", "note_weights", "degree_range"):
        raw[key] = tuple(raw[key])
    rendered = to_pcm16(render(Recipe(**raw)))
    on_disk, sr = sf.read(INDEX.parent / entry["file"], dtype="int16")
    assert sr == 44_100 and on_disk.shape == rendered.shape
    # last-bit floating-point differences across CPUs may move a rounded sample by one step
    assert np.abs(on_disk.astype(int) - rendered.astype(int)).max() <= 1
    z = ref.standardise(design.rendered_features(Recipe(**raw)))
    distances = design.class_distances(z, ref)
    for emotion in CLASSES:
        assert distances[emotion] == pytest.approx(entry["distances"][emotion], abs=1e-3)
