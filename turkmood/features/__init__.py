"""Audio → the 50 MIRtoolbox feature columns (``extract_features``).

Each family lives in its own module and reproduces one MIRtoolbox 1.7.1 function; they share
representations computed once per clip through :class:`turkmood.features.shared.Clip`.
"""

from __future__ import annotations

from turkmood.constants import FEATURE_NAMES

__all__ = ["FEATURE_NAMES"]
