"""Regenerate the bundled synthetic sample clips and ``samples.json``.

Usage (from the repository root)::

    python sample_audios/make_samples.py

Every clip is rendered from :data:`turkmood.synth.SAMPLE_RECIPES` with fixed seeds, rounded to
16-bit PCM without dither and written as mono 44.1 kHz FLAC, so running this again reproduces the
same audio samples. ``samples.json`` lists each file with its intended emotion, duration and
description (the app reads it).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # allow running as a plain script from anywhere
    sys.path.insert(0, str(HERE.parent))

import soundfile as sf  # noqa: E402

from turkmood.constants import ANALYSIS_SR  # noqa: E402
from turkmood.synth import SAMPLE_RECIPES, Recipe, render, to_pcm16  # noqa: E402

MANIFEST_NAME = "samples.json"


def file_name(recipe: Recipe) -> str:
    """File name of a recipe's clip (the emotion is the prefix before the first '_')."""
    return f"{recipe.name}.flac"


def write_clip(recipe: Recipe, folder: Path) -> dict[str, object]:
    """Render ``recipe`` into ``folder`` and return its samples.json entry."""
    pcm = to_pcm16(render(recipe, ANALYSIS_SR))
    path = folder / file_name(recipe)
    sf.write(path, pcm, ANALYSIS_SR, format="FLAC", subtype="PCM_16", compression_level=1.0)
    return {
        "file": path.name,
        "emotion": recipe.emotion,
        "duration_s": round(len(pcm) / ANALYSIS_SR, 3),
        "description": recipe.description,
        "makam": recipe.makam,
        "usul": recipe.usul,
        "instrument": recipe.instrument,
        "second_instrument": recipe.second_instrument if recipe.heterophony > 0 else None,
    }


def main(folder: Path = HERE) -> list[dict[str, object]]:
    """Write every clip and the manifest into ``folder``; return the manifest entries."""
    entries = []
    for recipe in SAMPLE_RECIPES:
        entries.append(write_clip(recipe, folder))
        print(f"wrote {entries[-1]['file']}")
    manifest = {
        "generator": "sample_audios/make_samples.py (turkmood.synth.SAMPLE_RECIPES)",
        "sample_rate": ANALYSIS_SR,
        "licence": "CC0-1.0",
        "synthetic": True,
        "samples": entries,
    }
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return entries


if __name__ == "__main__":
    main()
