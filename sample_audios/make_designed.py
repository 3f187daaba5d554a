"""Search and write the *designed* clips of ``sample_audios/designed/`` (one per emotion).

Usage (from the repository root)::

    python sample_audios/make_designed.py            # the whole search (~25 min on 1 core)
    python sample_audios/make_designed.py --render   # re-render the recorded recipes only

Each clip is the :mod:`turkmood.synth` recipe whose 50 extracted features sit closest to one
emotion's training songs of the UCI table (objective and search in
:mod:`turkmood.sample_design`). A clip is written only when it reached that emotion's region
(:func:`turkmood.sample_design.reached`: that emotion's songs are the nearest and no farther than
the 90th percentile of their own distances); the others are recorded in ``designed.json`` under
``not_reached`` with their distances, and not shipped. The objective uses features only: no
model is loaded, and the model's answers on these clips were measured only after they were
written (``sample_audios/record_verdicts.py``). The seed is fixed, so the search gives the
same clips again; ``--render`` rebuilds the FLAC files from the recipes in ``designed.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # allow running as a plain script from anywhere
    sys.path.insert(0, str(HERE.parent))

import soundfile as sf  # noqa: E402

from turkmood.constants import ANALYSIS_SR, CLASSES  # noqa: E402
from turkmood.data import load_training_data  # noqa: E402
from turkmood.sample_design import (  # noqa: E402
    K_NEAREST,
    Reference,
    choose,
    class_distances,
    objective,
    search,
    training_reference_distances,
)
from turkmood.synth import SAMPLE_RECIPES, Recipe, render, to_pcm16  # noqa: E402

FOLDER = HERE / "designed"
INDEX = FOLDER / "designed.json"
SEED = 20261206
N_RANDOM = 40
N_LOCAL = 25
INSTRUMENT_WORDS = {
    "pluck": "plucked (saz/oud-like)",
    "bowed": "bowed (kemençe-like)",
    "ney": "breathy (ney-like)",
    "distorted": "distorted plucked",
}


def describe(recipe: Recipe) -> str:
    """Plain-words summary of a recipe for the picker."""
    drums = "no drums" if recipe.percussion < 0.05 else f"{recipe.usul} drums"
    return (
        f"{recipe.makam.capitalize()}, {INSTRUMENT_WORDS[recipe.instrument]}, "
        f"{recipe.bpm:.0f} pulses/min, {drums}, brightness {recipe.brightness:.2f}, "
        f"roughness {recipe.roughness:.2f}, {recipe.loudness_dbfs:.0f} dBFS"
    )


def file_distances(path: Path, ref: Reference) -> dict[str, float]:
    """Per-emotion distances of a written audio file (decoded as the app decodes it)."""
    from turkmood.audio import decode_audio
    from turkmood.features import extract_features

    decoded = decode_audio(path)
    z = ref.standardise(extract_features(decoded.y, decoded.sr))
    return {c: round(v, 4) for c, v in class_distances(z, ref).items()}


def write_clip(recipe: Recipe, path: Path) -> None:
    pcm = to_pcm16(render(recipe, ANALYSIS_SR))
    sf.write(path, pcm, ANALYSIS_SR, format="FLAC", subtype="PCM_16", compression_level=1.0)


def recipe_from_json(data: dict) -> Recipe:
    data = dict(data)
    for key in ("note_pulses", "note_weights", "degree_range"):
        data[key] = tuple(data[key])
    return Recipe(**data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--render", action="store_true", help="re-render designed.json's recipes")
    args = parser.parse_args()
    FOLDER.mkdir(exist_ok=True)
    data = load_training_data()
    ref = Reference.from_table(data.X, data.y)
    if args.render:
        index = json.loads(INDEX.read_text(encoding="utf-8"))
        for entry in index["samples"]:
            write_clip(recipe_from_json(entry["recipe"]), FOLDER / entry["file"])
            print(f"wrote {entry['file']}")
        return
    started = time.perf_counter()
    _, evaluated = search(ref, SEED, N_RANDOM, N_LOCAL, starts=SAMPLE_RECIPES)
    reference = training_reference_distances(ref)
    for old in FOLDER.glob("designed_*.flac"):
        old.unlink()
    entries, not_reached = [], []
    for emotion in CLASSES:
        name = f"designed_{emotion}"
        cand, inside = choose(evaluated, emotion, reference)
        recipe = replace(cand.recipe, name=name, emotion=emotion, description="")
        recipe = replace(recipe, description=describe(recipe))
        if not inside:
            not_reached.append(
                {
                    "emotion": emotion,
                    "distances": {c: round(v, 4) for c, v in cand.distances.items()},
                    "objective": round(objective(cand.distances, emotion), 4),
                    "recipe": asdict(recipe),
                }
            )
            print(f"{emotion}: region not reached, not written: {cand.distances}")
            continue
        derived_from = cand.recipe.name
        path = FOLDER / f"{name}.flac"
        write_clip(recipe, path)
        distances = file_distances(path, ref)
        entries.append(
            {
                "file": path.name,
                "emotion": emotion,
                "duration_s": recipe.duration_s,
                "description": recipe.description,
                "distances": distances,
                "objective": round(objective(distances, emotion), 4),
                "search_candidate": derived_from,
                "recipe": asdict(recipe),
            }
        )
        print(f"wrote {path.name} (candidate {derived_from}): {distances}")
    handmade = {
        r.name + ".flac": file_distances(HERE / f"{r.name}.flac", ref) for r in SAMPLE_RECIPES
    }
    index = {
        "generator": "sample_audios/make_designed.py (turkmood.sample_design.search)",
        "kind": "designed",
        "licence": "CC0-1.0",
        "seed": SEED,
        "n_random": N_RANDOM,
        "n_local_per_emotion": N_LOCAL,
        "n_evaluated": len(evaluated),
        "search_seconds": round(time.perf_counter() - started),
        "k_nearest": K_NEAREST,
        "distance": (
            "mean over the k nearest training songs of an emotion of the RMS difference of the "
            "50 features in training-table standard deviations"
        ),
        "objective": "d_emotion + max(0, d_emotion - min over other emotions of d_other)",
        "shipping_rule": (
            "the emotion's training songs are the nearest, and the distance is at most the 90th "
            "percentile of those songs' own distances (training_songs_reference)"
        ),
        "training_songs_reference": reference,
        "handmade_clips_distances": handmade,
        "samples": entries,
        "not_reached": not_reached,
        "candidates": [
            {"name": c.recipe.name, "seed": c.recipe.seed, "distances": c.distances}
            for c in evaluated
        ],
    }
    INDEX.write_text(json.dumps(index, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {INDEX.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
