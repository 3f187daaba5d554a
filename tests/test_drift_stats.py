"""PSI / KS drift statistics on synthetic data with known answers (turkmood.drift.stats)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from turkmood.constants import FEATURE_NAMES, PSI_BINS, PSI_EPSILON
from turkmood.drift.stats import (
    benjamini_hochberg,
    bin_shares,
    feature_drift,
    psi,
    psi_level,
    quantile_edges,
    verdict,
)
from turkmood.errors import TableError


def _normal_frame(rng: np.random.Generator, n: int, shift: float = 0.0) -> pd.DataFrame:
    return pd.DataFrame(rng.normal(shift, 1.0, (n, len(FEATURE_NAMES))), columns=FEATURE_NAMES)


def _analytic_psi(delta: float) -> float:
    """PSI of N(delta, 1) against decile bins of N(0, 1), from the normal CDF."""
    edges = np.concatenate([[-np.inf], stats.norm.ppf(np.arange(1, PSI_BINS) / PSI_BINS), [np.inf]])
    actual = np.diff(stats.norm.cdf(edges - delta))
    expected = np.full(PSI_BINS, 1.0 / PSI_BINS)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def test_split_compared_with_itself_has_zero_drift():
    frame = _normal_frame(np.random.default_rng(1), 120)
    table = feature_drift(frame, frame)
    assert (table["psi"] == 0).all()
    assert (table["ks_stat"] == 0).all()
    assert (table["ks_p_adj"] == 1).all()
    assert not table["drifted"].any()
    assert verdict(table).startswith("No drift detected: 0 of 50 features drifted")


def test_two_samples_of_one_distribution_are_not_flagged():
    rng = np.random.default_rng(2)
    table = feature_drift(_normal_frame(rng, 2000), _normal_frame(rng, 500))
    assert not table["drifted"].any()
    assert table["psi"].max() < 0.1  # sampling noise with 500 rows stays below "moderate"


@pytest.mark.parametrize("delta", [0.25, 0.5, 1.0])
def test_psi_of_a_known_shift_matches_the_normal_cdf(delta):
    rng = np.random.default_rng(3)
    ref = rng.normal(0, 1, 400_000)
    sample = rng.normal(delta, 1, 400_000)
    expected = _analytic_psi(delta)
    assert psi(ref, sample) == pytest.approx(expected, rel=0.03)


def test_ks_of_a_known_shift_matches_theory_and_is_significant():
    rng = np.random.default_rng(4)
    table = feature_drift(_normal_frame(rng, 3000), _normal_frame(rng, 3000, shift=0.5))
    # sup |Phi(x) - Phi(x - 0.5)| is reached at x = 0.25: 2 Phi(0.25) - 1
    theory = 2 * stats.norm.cdf(0.25) - 1
    assert table["ks_stat"].mean() == pytest.approx(theory, abs=0.01)
    assert (table["ks_p_adj"] < 1e-10).all()
    assert table["drifted"].all()
    assert (table["psi_level"] != "none").all()
    assert verdict(table).startswith("50 of 50 features drifted; largest: ")


def test_psi_handles_empty_bins_with_the_documented_floor():
    ref = np.arange(1000.0)
    sample = np.full(50, 5000.0)  # everything beyond the training maximum: one bin only
    e, a = 1.0 / PSI_BINS, 1.0
    by_hand = (a - e) * np.log(a / e) + (PSI_BINS - 1) * (PSI_EPSILON - e) * np.log(PSI_EPSILON / e)
    assert psi(ref, sample) == pytest.approx(by_hand)
    assert np.isfinite(psi(ref, sample))


def test_quantile_bins_merge_ties_and_cover_the_real_line():
    ref = np.array([0.0] * 50 + list(np.linspace(1, 2, 50)))
    edges = quantile_edges(ref)
    assert len(edges) == len(np.unique(edges)) < PSI_BINS - 1
    shares = bin_shares(np.array([-1e9, 0.0, 1e9]), edges)
    assert shares.sum() == pytest.approx(1.0)
    assert shares[0] == pytest.approx(2 / 3) and shares[-1] == pytest.approx(1 / 3)


def test_benjamini_hochberg_known_values():
    np.testing.assert_allclose(benjamini_hochberg([0.01, 0.02, 0.03, 0.04, 0.05]), [0.05] * 5)
    np.testing.assert_allclose(benjamini_hochberg([0.001, 0.5]), [0.002, 0.5])


def test_psi_levels_follow_the_thresholds():
    assert [psi_level(v) for v in (0.0, 0.099, 0.1, 0.249, 0.25, 3.0)] == [
        "none",
        "none",
        "moderate",
        "moderate",
        "major",
        "major",
    ]


def test_bad_tables_raise_table_error():
    frame = _normal_frame(np.random.default_rng(5), 10)
    with pytest.raises(TableError, match="feature column"):
        feature_drift(frame, frame.drop(columns=["_Tempo_Mean"]))
    with pytest.raises(TableError, match="at least 2 rows"):
        feature_drift(frame, frame.iloc[:1])
    broken = frame.copy()
    broken.iloc[0, 0] = np.nan
    with pytest.raises(TableError, match="missing or infinite"):
        feature_drift(frame, broken)
