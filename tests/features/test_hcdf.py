"""turkmood.features.hcdf: tonal-centroid flux on tones and chord changes, and the oracle."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from oracle_cases import oracle_case, oracle_files

from turkmood.features.hcdf import CENTROID_BASIS, COLUMNS, features, hcdf_curve
from turkmood.features.shared import Clip

SR = 44_100
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ORACLE = FIXTURES / "oracle_reference.csv"


def _chord(freqs: tuple[float, ...], seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return sum(0.2 * np.sin(2 * np.pi * f * t) for f in freqs)


def test_centroid_basis_circles():
    # each pitch class sits on three circles of radius 1, 1 and 0.5
    radii = np.sqrt(CENTROID_BASIS[0::2] ** 2 + CENTROID_BASIS[1::2] ** 2)
    np.testing.assert_allclose(radii, np.array([[1.0], [1.0], [0.5]]) * np.ones((1, 12)))
    # a fifth apart (C -> G) is one step on the circle of fifths (7 pi / 6 per semitone)
    c, g = CENTROID_BASIS[:2, 0], CENTROID_BASIS[:2, 7]
    assert math.acos(float(np.dot(c, g))) == pytest.approx(math.pi / 6)


def test_steady_tone_has_no_harmonic_change():
    flux, times = hcdf_curve(_chord((440.0,), 6.0), SR)
    assert np.max(flux) < 1e-9
    # the flux of frames (n-1, n) is stamped at frame n: steps of floor(2h)-floor(h) samples
    assert times[0] == pytest.approx(3276 / SR)
    assert times[1] - times[0] == pytest.approx(3277 / SR)


def test_chord_change_produces_a_flux_peak_at_the_change():
    y = np.concatenate([_chord((261.63, 329.63, 392.0), 4.0), _chord((293.66, 349.23, 440.0), 4.0)])
    flux, times = hcdf_curve(y, SR)
    assert flux.max() > 0.1
    # within a chord only the per-frame normalisation wobbles (beating): tiny flux
    assert np.all(flux[times < 3.0] < 0.02) and np.all(flux[times > 4.8] < 0.02)
    peak_time = times[np.argmax(flux)]
    assert 3.2 < peak_time < 4.1  # the 0.743 s window straddles the change at 4 s


def test_too_short_clip_gives_nan_columns():
    out = features(Clip(_chord((440.0,), 0.8), SR))  # a single 0.743 s frame: no flux
    assert list(out) == list(COLUMNS)
    assert all(math.isnan(v) for v in out.values())


@pytest.mark.parametrize("name", oracle_files())
def test_agrees_with_mirtoolbox_oracle(name):
    ref, clip = oracle_case(name)
    ours = features(clip)
    for column in COLUMNS:
        # steady tones give ~1e-11 flux (rounding noise): compare those at 1e-9 absolute
        assert ours[column] == pytest.approx(float(ref[column]), rel=1e-6, abs=1e-9, nan_ok=True), (
            column
        )
