"""turkmood.synth and the bundled clips: deterministic synthesis, sane levels, and a
samples.json that matches the FLAC files on disk."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from turkmood.constants import ANALYSIS_SR, CLASSES, SAMPLES_DIR
from turkmood.synth import (
    MAKAM_DOMINANT,
    MAKAM_STEPS,
    PEAK_LIMIT,
    SAMPLE_RECIPES,
    USULS,
    compose_melody,
    degree_hz,
    elaborate,
    pluck,
    render,
    sample_recipe,
    to_pcm16,
)

MANIFEST = SAMPLES_DIR / "samples.json"
#: The quickest full-length bundled recipe to render (bowed, no plucked notes).
CHECKED_CLIP = "happy_3_rast-kemence-sofyan"


def _manifest() -> dict:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def _centroid(y: np.ndarray, sr: int) -> float:
    mag = np.abs(np.fft.rfft(y))
    f = np.fft.rfftfreq(len(y), 1.0 / sr)
    return float((f * mag).sum() / mag.sum())


def _rms_db(y: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(np.square(y, dtype=float)))))


@pytest.fixture(scope="module")
def rendered_twice() -> tuple[np.ndarray, np.ndarray]:
    recipe = sample_recipe(CHECKED_CLIP)
    return render(recipe), render(recipe)


# --- determinism --------------------------------------------------------------------------------


def test_same_recipe_renders_identical_samples(rendered_twice):
    first, second = rendered_twice
    assert first.shape == second.shape
    assert np.array_equal(first, second)


def test_bundled_file_is_what_the_generator_renders(rendered_twice):
    """The FLAC on disk is the 16-bit rounding of the in-memory render.

    Bit-identical on the machine that wrote it; another CPU/numpy build may differ in the last
    floating-point bits (SIMD sin/FFT), which can move a rounded sample by one step, no more.
    """
    on_disk, sr = sf.read(SAMPLES_DIR / f"{CHECKED_CLIP}.flac", dtype="int16")
    assert sr == ANALYSIS_SR
    rendered = to_pcm16(rendered_twice[0])
    assert on_disk.shape == rendered.shape
    diff = np.abs(on_disk.astype(np.int32) - rendered.astype(np.int32))
    assert diff.max() <= 1
    assert np.mean(diff > 0) < 1e-3


def test_different_seeds_give_different_music():
    recipe = replace(sample_recipe(CHECKED_CLIP), duration_s=4.0)
    assert not np.array_equal(render(recipe), render(replace(recipe, seed=recipe.seed + 1)))


# --- the bundled files --------------------------------------------------------------------------


def test_manifest_lists_exactly_the_flac_files_on_disk():
    listed = {entry["file"] for entry in _manifest()["samples"]}
    on_disk = {p.name for p in SAMPLES_DIR.glob("*.flac")}
    assert listed == on_disk
    assert listed == {f"{r.name}.flac" for r in SAMPLE_RECIPES}


def test_manifest_emotions_match_file_prefixes_and_cover_every_class():
    entries = _manifest()["samples"]
    assert 8 <= len(entries) <= 12
    for entry in entries:
        assert entry["emotion"] in CLASSES
        assert entry["file"].split("_", 1)[0] == entry["emotion"]
        assert entry["description"].strip()
    counts = {c: sum(e["emotion"] == c for e in entries) for c in CLASSES}
    assert min(counts.values()) >= 2, counts


@pytest.mark.parametrize("entry", _manifest()["samples"], ids=lambda e: e["file"])
def test_file_format_duration_and_level(entry):
    path = SAMPLES_DIR / entry["file"]
    info = sf.info(path)
    assert (info.format, info.subtype, info.samplerate) == ("FLAC", "PCM_16", ANALYSIS_SR)
    assert 20.0 <= info.duration <= 40.0
    assert info.duration == pytest.approx(entry["duration_s"], abs=1e-3)
    pcm, _ = sf.read(path, dtype="int16")
    peak = np.abs(pcm.astype(np.int32)).max() / 32768.0
    assert 0.05 < peak < 1.0  # audible, never clipped
    assert -35.0 < _rms_db(pcm / 32768.0) < -8.0


def test_total_size_stays_small():
    total = sum(p.stat().st_size for p in Path(SAMPLES_DIR).glob("*.flac"))
    assert total < 12 * 2**20


# --- building blocks ----------------------------------------------------------------------------


@pytest.mark.parametrize("makam", sorted(MAKAM_STEPS))
def test_makam_scales_span_one_octave(makam):
    assert sum(MAKAM_STEPS[makam]) == 53
    assert degree_hz(220.0, makam, 7) == pytest.approx(440.0)
    assert degree_hz(220.0, makam, -7) == pytest.approx(110.0)
    assert 0 < MAKAM_DOMINANT[makam] < 7


def test_hicaz_has_its_augmented_second():
    """Hicaz: a small step then an augmented second (~113 and ~272 cents here)."""
    cents = [1200 * np.log2(degree_hz(1.0, "hicaz", d)) for d in range(3)]
    assert 90 < cents[1] - cents[0] < 135
    assert 250 < cents[2] - cents[1] < 300


@pytest.mark.parametrize("recipe", SAMPLE_RECIPES, ids=lambda r: r.name)
def test_melody_fills_each_usul_cycle_without_gaps(recipe):
    notes = compose_melody(recipe, np.random.default_rng(recipe.seed))
    pulses = USULS[recipe.usul][0]
    onsets = np.array([n[0] for n in notes])
    lengths = np.array([n[1] for n in notes])
    assert np.allclose(onsets[1:], onsets[:-1] + lengths[:-1])
    assert (onsets[-1] + lengths[-1]) % pulses == pytest.approx(0.0)
    degrees = [d for _, _, d in notes if d != -99]
    lo, hi = recipe.degree_range
    assert all(lo <= d <= hi for d in degrees)


def test_elaborate_keeps_the_line_in_time():
    notes = [(0.0, 3.0, 2), (3.0, 1.0, 1), (4.0, 0.5, 0), (4.5, 2.0, -99)]
    out = elaborate(notes)
    assert sum(n[1] for n in out) == sum(n[1] for n in notes)
    assert [d for _, _, d in out[:3]] == [2, 3, 2]  # upper neighbour on the next-to-last pulse
    assert out[-1] == (4.5, 2.0, -99)


def test_faster_tempo_plays_more_notes():
    recipe = replace(sample_recipe("relax_1_ussak-ney-drone"), duration_s=20.0)
    slow = compose_melody(recipe, np.random.default_rng(0))
    fast = compose_melody(replace(recipe, bpm=2 * recipe.bpm), np.random.default_rng(0))
    assert len(fast) > 1.5 * len(slow)


def test_brightness_raises_the_spectral_centroid():
    dark = pluck(220.0, 0.5, ANALYSIS_SR, 0.1, 0.0, 0.3)
    bright = pluck(220.0, 0.5, ANALYSIS_SR, 0.9, 0.0, 0.3)
    assert _centroid(bright, ANALYSIS_SR) > 1.5 * _centroid(dark, ANALYSIS_SR)


def test_loudness_sets_the_level_and_peaks_are_limited():
    recipe = replace(sample_recipe("relax_2_rast-oud-semai"), duration_s=4.0)
    soft = render(replace(recipe, loudness_dbfs=-30.0))
    loud = render(replace(recipe, loudness_dbfs=-20.0))
    assert _rms_db(soft) == pytest.approx(-30.0, abs=0.1)
    assert _rms_db(loud) == pytest.approx(-20.0, abs=0.1)
    blasted = render(replace(recipe, loudness_dbfs=0.0))
    assert np.abs(blasted).max() <= PEAK_LIMIT + 1e-12


def test_unknown_instrument_is_refused():
    recipe = replace(sample_recipe(CHECKED_CLIP), duration_s=2.0, instrument="theremin")
    with pytest.raises(ValueError, match="unknown instrument"):
        render(recipe)


def test_unknown_sample_name_lists_the_known_ones():
    with pytest.raises(KeyError, match="happy_1"):
        sample_recipe("nope")
