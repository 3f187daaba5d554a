"""Tests for turkmood.features.rhythm (mirtempo, mirpulseclarity, mireventdensity 1.7.1)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from turkmood.features import rhythm
from turkmood.features.onsets import Envelope
from turkmood.features.shared import Clip

SR = 44_100
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
COLUMNS = ("_Tempo_Mean", "_Pulseclarity_Mean", "_Eventdensity_Mean")


def click_train(bpm: float, seconds: float = 10.0) -> np.ndarray:
    """Unit impulses (0.9) every 60/bpm s from 0.25 s."""
    y = np.zeros(round(seconds * SR))
    for t0 in np.arange(0.25, seconds - 0.1, 60.0 / bpm):
        y[round(t0 * SR)] = 0.9
    return y


@pytest.mark.parametrize("bpm", [90.0, 120.0, 150.0])
def test_click_train_tempo_density_and_clarity(bpm: float) -> None:
    out = rhythm.features(Clip(click_train(bpm), SR))
    assert set(out) == set(COLUMNS)
    assert out["_Tempo_Mean"] == pytest.approx(bpm, abs=2.0)
    assert out["_Eventdensity_Mean"] == pytest.approx(bpm / 60.0, rel=0.05)
    assert out["_Pulseclarity_Mean"] > 0.8


def test_noise_has_low_pulse_clarity() -> None:
    y = np.random.default_rng(5).normal(0.0, 0.1, 10 * SR)
    assert rhythm.features(Clip(y, SR))["_Pulseclarity_Mean"] < 0.2


def test_silence_gives_nan_tempo_and_zero_density() -> None:
    out = rhythm.features(Clip(np.zeros(5 * SR), SR))
    assert math.isnan(out["_Tempo_Mean"])
    assert out["_Eventdensity_Mean"] == 0.0


def test_autocorrelation_is_one_at_lag_zero_and_respects_the_range() -> None:
    rng = np.random.default_rng(1)
    env = Envelope(rng.random(1000), np.arange(1000) * 0.01, 100.0)
    coeff, lags = rhythm.autocorrelation(env, 0.0, 1.5)
    assert coeff[0] == pytest.approx(1.0)
    assert lags[0] == 0.0 and lags[-1] == pytest.approx(1.5)
    coeff, lags = rhythm.autocorrelation(env, 0.3, 1.5)
    assert len(coeff) == 121 and lags[0] == pytest.approx(0.3)


def test_resonance_peaks_at_half_a_second() -> None:
    lags = np.linspace(0.3, 1.5, 121)
    w = rhythm.resonance(np.ones_like(lags), lags)
    assert lags[int(np.argmax(w))] == pytest.approx(0.5)
    assert w.max() == pytest.approx(1.0)
    assert np.all(w > 0)


def test_enhancement_removes_the_double_period_peak() -> None:
    """A periodic autocorrelation (period 0.5 s) loses its 1.0 s peak after enhancement."""
    lags = np.arange(30, 151) * 0.01
    curve = np.cos(2 * np.pi * lags / 0.5)
    enhanced = rhythm.enhance(curve, lags)
    at = {round(t, 2): v for t, v in zip(lags, enhanced, strict=True)}
    assert at[0.5] > 0.5
    assert at[1.0] < 0.1 * at[0.5]


def _oracle_rows() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "oracle_reference.csv").set_index("file")


# Fast subset of the oracle fixtures; tests/features/test_oracle_fidelity.py covers them all.
ORACLE_FILES = ["syn_clicks120_noise.flac", "syn_whitenoise.flac"]


@pytest.mark.parametrize("name", ORACLE_FILES)
def test_matches_mirtoolbox_oracle(name: str) -> None:
    ref = _oracle_rows().loc[name]
    y, sr = sf.read(FIXTURES / "audio" / name, always_2d=True)
    out = rhythm.features(Clip(y.mean(axis=1), sr))
    for col in COLUMNS:
        assert out[col] == pytest.approx(ref[col], rel=1e-6), col
