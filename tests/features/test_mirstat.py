"""turkmood.features.mirstat against closed-form values of the 1.7.1 ``mirstat`` definitions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from turkmood.features.mirstat import STAT_NAMES, autocorr_coeff, frame_step, framed_stats

STEP = 0.1


def _times(n: int, step: float = STEP) -> np.ndarray:
    return np.arange(n) * step


def test_ramp_slope_is_the_uncentred_regression_value():
    # d_k = k, t_k = k/(N-1): sum z t = s and sum t^2 = N(2N-1)/(6(N-1)) with s^2 = N(N+1)/12,
    # so Slope = 6(N-1) s / (N(2N-1)), which tends to sqrt(3)/2 (the 1.7.1 bound).
    n = 400
    s = math.sqrt(n * (n + 1) / 12)
    stats = framed_stats(np.arange(n, dtype=float), _times(n))
    assert stats["Mean"] == pytest.approx((n - 1) / 2)
    assert stats["Std"] == pytest.approx(s)
    assert stats["Slope"] == pytest.approx(6 * (n - 1) * s / (n * (2 * n - 1)), rel=1e-12)
    assert 0.86 < stats["Slope"] < math.sqrt(3) / 2


def test_slope_ignores_gain_and_offset_and_flips_with_direction():
    rng = np.random.default_rng(3)
    d = np.cumsum(rng.normal(size=300))
    base = framed_stats(d, _times(300))["Slope"]
    assert framed_stats(5 * d + 7, _times(300))["Slope"] == pytest.approx(base)
    assert framed_stats(-d, _times(300))["Slope"] == pytest.approx(-base)


def test_constant_curve_has_nan_std_slope_and_period():
    n = 400
    stats = framed_stats(np.full(n, 2.5), _times(n))
    assert stats["Mean"] == 2.5
    for name in ("Std", "Slope", "PeriodFreq", "PeriodAmp"):
        assert math.isnan(stats[name]), name
    # Triangular autocorrelation: PeriodEntropy ≈ 1 - (ln 2 - 1/2) / ln N (spec §9).
    assert stats["PeriodEntropy"] == pytest.approx(1 - (math.log(2) - 0.5) / math.log(n), abs=2e-3)


def test_sinusoid_period_frequency_is_one_over_period_times_step():
    period, n = 20, 400
    d = 1 + 0.5 * np.sin(2 * np.pi * np.arange(n) / period)
    stats = framed_stats(d, _times(n))
    assert stats["PeriodFreq"] == pytest.approx(1 / (period * STEP))
    assert 0.5 < stats["PeriodAmp"] < 1.0


def test_irregular_frame_steps_give_nan_period_but_keep_other_stats():
    d = 1 + 0.5 * np.sin(2 * np.pi * np.arange(100) / 10)
    times = np.cumsum(np.r_[0.0, np.linspace(0.1, 0.5, 99)])  # onset-like, growing steps
    assert math.isnan(frame_step(times))
    stats = framed_stats(d, times)
    assert math.isnan(stats["PeriodFreq"]) and math.isnan(stats["PeriodAmp"])
    assert not math.isnan(stats["PeriodEntropy"]) and not math.isnan(stats["Slope"])


def test_frame_step_tolerates_one_sample_jitter_of_fractional_hops():
    hop = 3276.63  # HCDF: starts floor(i*h) alternate between 3276- and 3277-sample steps
    times = np.floor(np.arange(50) * hop) / 44_100
    assert frame_step(times) == pytest.approx(times[1] - times[0])


def test_nan_values_are_skipped_but_keep_their_time_position():
    d = np.arange(10, dtype=float)
    d[[0, 5]] = np.nan
    stats = framed_stats(d, _times(10))
    kept = np.delete(np.arange(10.0), [0, 5])
    z = (kept - kept.mean()) / kept.std(ddof=1)
    t = np.delete(np.linspace(0, 1, 10), [0, 5])
    assert stats["Mean"] == pytest.approx(kept.mean())
    assert stats["Slope"] == pytest.approx(np.dot(z, t) / np.dot(t, t))


def test_single_value_and_all_nan_and_all_zero():
    one = framed_stats(np.array([3.0]), _times(1))
    assert one["Mean"] == 3.0 and math.isnan(one["Std"]) and math.isnan(one["PeriodEntropy"])
    assert all(math.isnan(v) for v in framed_stats(np.full(5, np.nan), _times(5)).values())
    zeros = framed_stats(np.zeros(50), _times(50))
    assert zeros["Mean"] == 0.0
    assert all(math.isnan(zeros[k]) for k in STAT_NAMES[1:])  # 0/0 autocorrelation, as MATLAB


def test_autocorrelation_is_raw_not_centred():
    x = np.array([1.0, 2.0, 3.0])
    # lags 0..2 of the raw sequence: 14, 8, 3 (divided by 14)
    np.testing.assert_allclose(autocorr_coeff(x), np.array([14.0, 8.0, 3.0]) / 14.0)
