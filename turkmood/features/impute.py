"""NaN/inf policy for extracted features: impute with the training median and say so.

MIRtoolbox returns NaN by design in a few cases (spectral centroid of very noisy audio, slopes of
constant curves, no autocorrelation trough, silence, ...). The models need finite inputs, so
every non-finite value is replaced by the median of that column in the bundled training table
(de-duplicated, as :func:`turkmood.data.load_training_data` returns it), and the names of the
replaced columns are reported so callers can show that the prediction rests on imputed values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from turkmood.constants import FEATURE_NAMES


@dataclass(frozen=True)
class FeatureVector:
    """The 50 feature values (FEATURE_NAMES order) and the columns that were imputed."""

    values: dict[str, float]
    imputed: tuple[str, ...]

    @property
    def any_imputed(self) -> bool:
        """True when at least one column holds the training median instead of a measured value."""
        return bool(self.imputed)


@lru_cache(maxsize=1)
def training_medians() -> Mapping[str, float]:
    """Per-column median of the bundled training table (computed once, read-only)."""
    from turkmood.data import load_training_data  # lazy: pandas only when imputing

    medians = load_training_data().X.median()
    return MappingProxyType({name: float(medians[name]) for name in FEATURE_NAMES})


def impute_features(raw: Mapping[str, float]) -> FeatureVector:
    """Replace NaN/±inf in ``raw`` (must hold exactly FEATURE_NAMES) by the training medians."""
    missing = [name for name in FEATURE_NAMES if name not in raw]
    if missing or len(raw) != len(FEATURE_NAMES):
        extra = sorted(set(raw) - set(FEATURE_NAMES))
        raise ValueError(f"feature dict must hold the 50 columns; missing {missing}, extra {extra}")
    medians = training_medians()
    values: dict[str, float] = {}
    imputed: list[str] = []
    for name in FEATURE_NAMES:
        value = float(raw[name])
        if not math.isfinite(value):
            value = medians[name]
            imputed.append(name)
        values[name] = value
    return FeatureVector(values=values, imputed=tuple(imputed))
