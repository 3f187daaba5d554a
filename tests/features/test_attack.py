"""Tests for turkmood.features.attack (mirattacktime 1.7.1, 'Derivate')."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from turkmood.features import attack
from turkmood.features.shared import Clip

SR = 44_100
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_clicks_have_the_known_attack_time() -> None:
    """Impulses: the 30 ms analysis window makes every attack last ~0.013-0.015 s (README)."""
    y = np.zeros(10 * SR)
    for t0 in np.arange(0.25, 9.9, 0.5):
        y[round(t0 * SR)] = 0.9
    out = attack.features(Clip(y, SR))
    assert out["_AttackTime_Mean"] == pytest.approx(0.014, abs=0.002)
    times = attack.attack_times(Clip(y, SR))
    assert len(times) >= 15  # one attack per click, at most the last few dropped
    assert np.all(times > 0)


def test_slower_attacks_last_longer() -> None:
    """Notes with a 100 ms linear fade-in last longer than clicks."""
    t = np.arange(int(0.5 * SR)) / SR
    note = np.sin(2 * np.pi * 440 * t) * np.minimum(t / 0.1, 1.0) * np.exp(-4 * t)
    y = np.zeros(8 * SR)
    for k in range(14):
        start = int((0.3 + 0.55 * k) * SR)
        y[start : start + note.size] += note
    mean = attack.features(Clip(y, SR))["_AttackTime_Mean"]
    assert 0.04 < mean < 0.15


def test_segments_on_a_handmade_envelope() -> None:
    """One linear rise from index 10 to 30 (flat elsewhere): start and end of the rise."""
    d = np.concatenate((np.zeros(10), np.linspace(0.0, 1.0, 21), np.linspace(1.0, 0.0, 20)[1:]))
    t = np.arange(d.size) * 0.001
    starts, ends = attack.attack_segments(d, t, peaks=[30], onset_times=[0.002])
    # the start moves to the last flat sample (10), then one step into the rise (all steps
    # equal, so the first is the largest); the end stops one sample before the peak
    assert starts == [11]
    assert ends == [29]


def test_silence_and_single_attack_give_nan() -> None:
    out = attack.features(Clip(np.zeros(3 * SR), SR))
    assert math.isnan(out["_AttackTime_Mean"]) and math.isnan(out["_AttackTime_Slope"])
    y = np.zeros(3 * SR)
    y[SR] = 0.9
    single = attack.features(Clip(y, SR))
    assert single["_AttackTime_Mean"] > 0
    assert math.isnan(single["_AttackTime_Slope"])


ORACLE_FILES = ["syn_clicks90_impulse.flac", "syn_amnoise4hz.flac"]


@pytest.mark.parametrize("name", ORACLE_FILES)
def test_matches_mirtoolbox_oracle(name: str) -> None:
    ref = pd.read_csv(FIXTURES / "oracle_reference.csv").set_index("file").loc[name]
    y, sr = sf.read(FIXTURES / "audio" / name, always_2d=True)
    out = attack.features(Clip(y.mean(axis=1), sr))
    for col in ("_AttackTime_Mean", "_AttackTime_Slope"):
        assert out[col] == pytest.approx(ref[col], rel=1e-6), col


def test_compiled_derivate_refinement_equals_its_numpy_definition() -> None:
    """Random envelopes with plateaus and ties, every (start, peak) pair of a random layout."""
    if attack._derivate_jit is None:
        pytest.skip("numba not installed: only the numpy definition runs")
    rng = np.random.default_rng(13)
    for trial in range(300):
        n = int(rng.integers(3, 60))
        d = rng.random(n) ** int(rng.integers(1, 4))
        if trial % 3 == 0:
            d = np.round(d, 1)  # plateaus and ties
        t = np.arange(n) * 0.0006
        s = int(rng.integers(0, n - 1))
        p = int(rng.integers(s, n))
        peak = int(rng.integers(s, p + 1))
        expected = attack._derivate_numpy(d, t, s, p, float(t[peak]))
        assert attack._derivate(d, t, s, p, float(t[peak])) == expected, (trial, s, p, peak)


def test_compiled_derivate_equals_numpy_on_music(monkeypatch) -> None:
    y, sr = sf.read(FIXTURES / "audio" / "mus_wesnoth_battle_epic.flac", always_2d=True)
    clip = y.mean(axis=1)[: 10 * sr]
    compiled = attack.attack_times(Clip(clip, sr))
    monkeypatch.setattr(attack, "_derivate_jit", None)
    assert np.array_equal(attack.attack_times(Clip(clip, sr)), compiled)
    assert compiled.size > 5
