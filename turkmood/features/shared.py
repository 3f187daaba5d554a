"""Representations shared by several feature families, computed at most once per clip.

A :class:`Clip` wraps the analysis signal and memoises named intermediate results (whole-clip
spectrum, frame grids, envelopes). Family modules ask for what they need through
:meth:`Clip.memo` or the ready-made properties below, so nothing is computed twice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from turkmood.features.frames import rfft_freqs, windowed_rfft

T = TypeVar("T")


@dataclass
class Clip:
    """Mono float64 signal ``y`` at ``sr`` Hz plus a per-clip memo of shared representations.

    The memo is shared by the extraction threads (:mod:`turkmood.features.parallel`): the first
    thread to ask for a key computes it, the others wait for that value (never computed twice).
    """

    y: np.ndarray
    sr: int
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)
    _pending: dict[str, Future] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """Return the cached value for ``key``, computing it with ``compute()`` the first time."""
        with self._lock:
            if key in self._memo:
                return self._memo[key]
            pending = self._pending.get(key)
            owner = pending is None
            if owner:
                pending = self._pending[key] = Future()
        if not owner:
            return pending.result()  # computed by another thread (re-raises its error)
        try:
            value = compute()
        except BaseException as error:
            with self._lock:
                del self._pending[key]
            pending.set_exception(error)
            raise
        with self._lock:
            self._memo[key] = value
            del self._pending[key]
        pending.set_result(value)
        return value

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
