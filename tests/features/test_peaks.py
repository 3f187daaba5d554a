"""Tests for turkmood.features.peaks (port of MIRtoolbox 1.7.1 ``mirpeaks``)."""

from __future__ import annotations

import numpy as np
import pytest

from turkmood.features.peaks import Peaks, find_peaks


def _oracle_curve() -> np.ndarray:
    """The 400-sample noisy curve the MIRtoolbox reference indices below were computed on."""
    rng = np.random.default_rng(3)
    t = np.arange(400)
    return np.sin(t / 7.0) + 0.4 * np.sin(t / 2.3) + 0.3 * rng.standard_normal(400)


# 0-based peak indices returned by MIRtoolbox 1.7.1 ``mirpeaks`` (Octave 7.3, octave-signal
# 1.4.3) on the same curve, obtained with
#   a = miraudio(y(:), 100); p = mirpeaks(a, OPTIONS{:}); pp = get(p, 'PeakPos'); pp{1}{1}{1} - 1
# with OPTIONS {'Contrast', .3}; {'Contrast', .1, 'Normalize', 'Local', 'NoBegin', 'NoEnd',
# 'Total', 1}; {'Contrast', .05, 'Threshold', .5, 'Valleys', 'Order', 'Abscissa', 'NoEnd'}.
# They pin down the contrast scan, the end padding, the valley threshold mirroring and the
# amplitude ordering.
ORACLE_CASES = [
    ({"contrast": 0.3}, [277, 366, 9, 189, 148, 103, 234, 319, 49, 397, 76]),
    (
        {"contrast": 0.1, "normalize": "local", "no_begin": True, "no_end": True, "total": 1},
        [277],
    ),
    (
        {
            "contrast": 0.05,
            "threshold": 0.5,
            "valleys": True,
            "order": "abscissa",
            "no_end": True,
        },
        [1, 24, 27, 30, 36, 39, 64, 68, 71, 73, 75, 79, 82, 112, 116, 119, 125, 131, 158, 161,
         166, 168, 199, 204, 206, 211, 213, 220, 225, 241, 244, 251, 253, 257, 259, 282, 285,
         288, 290, 293, 298, 301, 313, 328, 331, 334, 337, 339, 342, 344, 372, 376, 383, 389],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("options", "expected"), ORACLE_CASES)
def test_matches_mirtoolbox_on_a_noisy_curve(options: dict, expected: list[int]) -> None:
    assert find_peaks(_oracle_curve(), **options).index.tolist() == expected


def test_quadratic_interpolation_matches_mirtoolbox() -> None:
    """PeakPrecisePos/Val of ``mirpeaks(..., 'Total', 3)`` (abscissa in s, sr = 100)."""
    p = find_peaks(_oracle_curve(), 0.1, total=3, x=np.arange(400) / 100, interpolate=True)
    np.testing.assert_allclose(p.pos, [2.769081654, 3.65926663, 0.09038500634], rtol=1e-9)
    np.testing.assert_allclose(p.val, [1.877438044, 1.720364701, 1.679263918], rtol=1e-9)


def test_parabola_is_interpolated_exactly() -> None:
    x = np.linspace(0.0, 5.0, 51)
    y = 1.0 - (x - 2.33) ** 2
    p = find_peaks(y, 0.1, x=x, interpolate=True)
    assert p.pos[0] == pytest.approx(2.33, abs=1e-12)
    assert p.val[0] == pytest.approx(1.0, abs=1e-12)


def test_shallow_notch_keeps_only_the_higher_peak() -> None:
    # the dip between 0.9 and 1.0 is 0.05 deep on the [0, 1] scale: one peak at contrast 0.1
    y = np.array([0.0, 0.5, 0.9, 0.85, 1.0, 0.5, 0.0])
    assert find_peaks(y, 0.1).index.tolist() == [4]
    assert sorted(find_peaks(y, 0.01).index.tolist()) == [2, 4]


def test_end_samples_only_when_allowed() -> None:
    y = np.array([1.0, 0.2, 0.0, 0.6, 0.0, 0.3, 0.9])
    assert sorted(find_peaks(y, 0.1).index.tolist()) == [0, 3, 6]
    assert find_peaks(y, 0.1, no_begin=True, no_end=True).index.tolist() == [3]


def test_order_and_values() -> None:
    y = np.array([0.0, 0.4, 0.0, 1.0, 0.0, 0.7, 0.0])
    by_height = find_peaks(y, 0.1)
    assert by_height.index.tolist() == [3, 5, 1]
    np.testing.assert_array_equal(by_height.value, [1.0, 0.7, 0.4])
    assert find_peaks(y, 0.1, order="abscissa").index.tolist() == [1, 3, 5]
    assert find_peaks(y, 0.1, order="abscissa", total=2).index.tolist() == [3, 5]


def test_valley_threshold_keeps_the_lower_half() -> None:
    y = np.array([1.0, 0.1, 1.0, 0.7, 1.0, 0.0, 1.0])
    assert sorted(find_peaks(y, 0.05, valleys=True).index.tolist()) == [1, 3, 5]
    assert sorted(find_peaks(y, 0.05, valleys=True, threshold=0.5).index.tolist()) == [1, 5]


def test_global_normalisation_spans_all_columns() -> None:
    """A weak column has no peak above the contrast globally, but has one when normalised alone."""
    strong = np.array([0.0, 10.0, 0.0, 5.0, 0.0])
    weak = np.array([0.0, 0.05, 0.0, 0.02, 0.0])
    both = np.stack([strong, weak], axis=1)
    glob = find_peaks(both, 0.1)
    local = find_peaks(both, 0.1, normalize="local")
    assert isinstance(glob, list) and all(isinstance(p, Peaks) for p in glob)
    assert glob[0].index.tolist() == [1, 3]
    assert len(glob[1]) == 0
    assert local[1].index.tolist() == [1, 3]


def test_two_d_columns_match_one_d_calls_with_local_normalisation() -> None:
    rng = np.random.default_rng(7)
    mat = rng.random((60, 5))
    cols = find_peaks(mat, 0.2, normalize="local")
    for k in range(mat.shape[1]):
        assert cols[k].index.tolist() == find_peaks(mat[:, k], 0.2).index.tolist()


def test_degenerate_curves_give_no_peaks() -> None:
    assert len(find_peaks(np.zeros(10))) == 0  # 0/0 normalisation → NaN → no candidate
    assert len(find_peaks(np.full(10, np.nan))) == 0
    assert len(find_peaks(np.array([1.0]))) == 0  # a single sample: max == min, 0/0 again
    with pytest.raises(ValueError, match="1-D"):
        find_peaks(np.zeros((2, 2, 2)))
