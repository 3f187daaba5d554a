"""TurkMood: music emotion recognition on MIRtoolbox-faithful features.

Public API (no Streamlit anywhere in this package):

- :func:`predict_features` — probabilities, prediction and decision for a 50-column feature table.
- :mod:`turkmood.audio`, :mod:`turkmood.features` — audio → the 50 features.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["predict_features"]


def predict_features(df: pd.DataFrame, model: object = None) -> pd.DataFrame:
    """Per-class probabilities plus ``predicted``, ``confidence`` and ``decision`` per row."""
    from turkmood.model import predict_features as _predict

    return _predict(df, model)
