"""Per-feature drift statistics: PSI with training quantile bins and a BH-corrected KS test.

PSI (population stability index) of a sample against a reference::

    PSI = sum_i (a_i - e_i) * ln(a_i / e_i)

where ``e_i`` / ``a_i`` are the shares of the reference / the sample in bin ``i``. The bins are
the ``PSI_BINS`` quantile bins of the **reference** (inner edges at its 10 %, 20 %, ... 90 %
quantiles; the outer bins are open, so values outside the training range fall into the first or
last bin). Tied quantiles (a feature with many equal values) are merged, giving fewer bins. An
empty bin on either side would make the log ratio infinite, so every share is floored at
``PSI_EPSILON`` (1e-4) before the sum; shares are not renormalised afterwards (the floor changes
the result by at most ~1e-3).

The two-sample Kolmogorov-Smirnov test (``scipy.stats.ks_2samp``) is run per feature; with 50
features at once, the p-values are adjusted with Benjamini-Hochberg (false-discovery rate
``DRIFT_FDR``). A feature counts as **drifted** when its adjusted p-value is below ``DRIFT_FDR``
**and** its PSI is at least ``PSI_MODERATE``: significance guards against noise in small batches,
the PSI floor against tiny but significant shifts in large ones.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from turkmood.constants import (
    DRIFT_FDR,
    FEATURE_NAMES,
    PSI_BINS,
    PSI_EPSILON,
    PSI_MAJOR,
    PSI_MODERATE,
)
from turkmood.errors import TableError

#: Columns of :func:`feature_drift`, in order.
DRIFT_COLUMNS = (
    "psi",
    "psi_level",
    "ks_stat",
    "ks_p",
    "ks_p_adj",
    "drifted",
    "reference_mean",
    "sample_mean",
    "reference_sd",
)


def quantile_edges(reference: np.ndarray, bins: int = PSI_BINS) -> np.ndarray:
    """Inner bin edges: the reference's 1/bins ... (bins-1)/bins quantiles, ties merged."""
    ref = np.asarray(reference, dtype=float)
    return np.unique(np.quantile(ref, np.linspace(0.0, 1.0, bins + 1)[1:-1]))


def bin_shares(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Share of ``values`` in each bin ``(-inf, e0], (e0, e1], ..., (e_last, inf)``."""
    idx = np.searchsorted(edges, np.asarray(values, dtype=float), side="left")
    counts = np.bincount(idx, minlength=len(edges) + 1)
    return counts / max(int(counts.sum()), 1)


def psi(reference: np.ndarray, sample: np.ndarray, bins: int = PSI_BINS) -> float:
    """Population stability index of ``sample`` against ``reference`` (quantile bins of it)."""
    edges = quantile_edges(reference, bins)
    expected = np.maximum(bin_shares(reference, edges), PSI_EPSILON)
    actual = np.maximum(bin_shares(sample, edges), PSI_EPSILON)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def psi_level(value: float) -> str:
    """``"none"``, ``"moderate"`` (>= PSI_MODERATE) or ``"major"`` (>= PSI_MAJOR)."""
    if value >= PSI_MAJOR:
        return "major"
    if value >= PSI_MODERATE:
        return "moderate"
    return "none"


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (monotone, capped at 1)."""
    p = np.asarray(p_values, dtype=float)
    if p.size == 0:
        return p
    return stats.false_discovery_control(p, method="bh")


def _finite_frame(frame: pd.DataFrame, what: str) -> pd.DataFrame:
    missing = [c for c in FEATURE_NAMES if c not in frame.columns]
    if missing:
        raise TableError(f"{what} lacks {len(missing)} feature column(s), e.g. {missing[:3]}")
    values = frame[list(FEATURE_NAMES)].astype(float)
    if len(values) < 2:
        raise TableError(f"{what} needs at least 2 rows for a drift test, got {len(values)}")
    if not np.isfinite(values.to_numpy()).all():
        raise TableError(f"{what} holds missing or infinite values; fill them first")
    return values


def feature_drift(reference: pd.DataFrame, sample: pd.DataFrame) -> pd.DataFrame:
    """PSI, KS (raw and BH-adjusted p) and the drifted flag of every feature, indexed by name."""
    ref = _finite_frame(reference, "the reference table")
    new = _finite_frame(sample, "the sample")
    rows = []
    for name in FEATURE_NAMES:
        r, s = ref[name].to_numpy(), new[name].to_numpy()
        ks = stats.ks_2samp(r, s)
        value = psi(r, s)
        rows.append(
            {
                "psi": value,
                "psi_level": psi_level(value),
                "ks_stat": float(ks.statistic),
                "ks_p": float(ks.pvalue),
                "reference_mean": float(r.mean()),
                "sample_mean": float(s.mean()),
                "reference_sd": float(r.std(ddof=1)),
            }
        )
    table = pd.DataFrame(rows, index=pd.Index(FEATURE_NAMES, name="feature"))
    table["ks_p_adj"] = benjamini_hochberg(table["ks_p"].to_numpy())
    table["drifted"] = (table["ks_p_adj"] < DRIFT_FDR) & (table["psi"] >= PSI_MODERATE)
    return table[list(DRIFT_COLUMNS)]


def display_name(feature: str) -> str:
    """Column name without the leading underscore (``_Tempo_Mean`` -> ``Tempo_Mean``)."""
    return feature.lstrip("_")


def verdict(table: pd.DataFrame) -> str:
    """One plain sentence: how many features drifted and which one most (by PSI)."""
    n = len(table)
    drifted = table[table["drifted"]]
    if drifted.empty:
        top = table["psi"].idxmax()
        return (
            f"No drift detected: 0 of {n} features drifted (largest PSI "
            f"{table.loc[top, 'psi']:.2f} on {display_name(top)}, not significant after "
            "the multiple-testing correction)."
        )
    top = drifted["psi"].idxmax()
    return (
        f"{len(drifted)} of {n} features drifted; largest: {display_name(top)} "
        f"(PSI {drifted.loc[top, 'psi']:.2f})."
    )
