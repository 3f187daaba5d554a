"""Representations shared by several feature families, computed at most once per clip.

A :class:`Clip` wraps the analysis signal and memoises named intermediate results (whole-clip
spectrum, frame grids, envelopes). Family modules ask for what they need through
:meth:`Clip.memo` or the ready-made properties below, so nothing is computed twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from turkmood.features.frames import rfft_freqs, windowed_rfft

T = TypeVar("T")


@dataclass
class Clip:
    """Mono float64 signal ``y`` at ``sr`` Hz plus a per-clip memo of shared representations."""

    y: np.ndarray
    sr: int
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """Return the cached value for ``key``, computing it with ``compute()`` the first time."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.y) / self.sr

    @property
    def rfft(self) -> np.ndarray:
        """Complex whole-clip FFT (Hamming window, zero-padded to a power of two)."""
        return self.memo("whole_rfft", lambda: windowed_rfft(self.y))

    @property
    def spectrum(self) -> tuple[np.ndarray, np.ndarray]:
        """Whole-clip MIRtoolbox spectrum (freqs Hz, magnitude) shared by whole-clip features."""
        return self.memo(
            "whole_spectrum", lambda: (rfft_freqs(self.y.size, self.sr), np.abs(self.rfft))
        )
