"""Russell's valence–arousal circumplex, derived from the four class probabilities.

Each emotion sits on a diagonal of the unit circle (CIRCUMPLEX_POSITIONS: happy = +valence
+arousal, angry = −valence +arousal, sad = −/−, relax = +/−). A song's point is the
probability-weighted average of those four positions, so it is a *derived* view of the
four-class output, not a separate valence/arousal model: a confident prediction lands near its
emotion's corner and an undecided one near the centre.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from turkmood.constants import CIRCUMPLEX_POSITIONS, CLASSES


@dataclass(frozen=True)
class CircumplexPoint:
    """A song on the circumplex: valence and arousal in [-1, 1], and their verbal quadrant."""

    valence: float
    arousal: float

    @property
    def intensity(self) -> float:
        """Distance from the centre (0 = no leaning, 1 = all probability on one emotion)."""
        return float(np.hypot(self.valence, self.arousal))

    def describe(self) -> str:
        """``"pleasant and energetic"`` style wording of the quadrant."""
        mood = "pleasant" if self.valence >= 0 else "unpleasant"
        energy = "energetic" if self.arousal >= 0 else "calm"
        return f"{mood} and {energy}"


def valence_arousal(probabilities: Mapping[str, float]) -> CircumplexPoint:
    """Probability-weighted mean position of the four emotions (weights renormalised to 1)."""
    weights = np.array([float(probabilities[c]) for c in CLASSES], dtype=float)
    if not np.all(np.isfinite(weights)) or np.any(weights < 0) or weights.sum() <= 0:
        raise ValueError(f"probabilities must be finite, non-negative, not all 0: {weights}")
    weights = weights / weights.sum()
    positions = np.array([CIRCUMPLEX_POSITIONS[c] for c in CLASSES], dtype=float)
    valence, arousal = weights @ positions
    return CircumplexPoint(valence=float(valence), arousal=float(arousal))
