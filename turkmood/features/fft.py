"""Real FFTs of the feature extractor: FFTW (through pyFFTW) when installed, scipy otherwise.

Every spectrum of the extractor is a real FFT of a windowed, zero-padded frame (or of the whole
clip). FFTW computes them in about half the time of scipy's pocketfft on one core (2048 points,
batch of 16: 2.8 us against 5.7 us per transform; 2**21 points: 20 ms against 42 ms). Both give
the exact DFT to rounding (~1e-16 relative), far below the oracle's 10 printed digits.

* Plans are made with ``FFTW_ESTIMATE``: FFTW then picks its algorithm by rules, not by timing
  trial runs, so a transform gives the same bits in every process and every run (a
  ``FFTW_MEASURE`` plan may differ between a window-pool worker and the app process). For these
  sizes it is as fast as a measured plan, and planning costs no trial runs at cold start.
* Within one plan every row goes through the same code, so a frame's spectrum does not depend on
  its position in a batch (tested): a window of a song gets the bits of the same frame of the
  song.
* Buffers and plans belong to the thread that made them (thread-local), so extraction threads
  never share a buffer; FFTW's ``execute`` runs without the GIL.
* Without pyFFTW, :class:`BatchRfft` and :func:`rfft_windowed` run scipy's ``rfft`` on the same
  buffers (same numbers to rounding).
"""

from __future__ import annotations

import threading

import numpy as np
import scipy.fft

try:  # pragma: no cover - exercised by whichever branch is installed
    import pyfftw
except ImportError:  # pragma: no cover
    pyfftw = None

#: FFTW planner flags (see module docstring: deterministic plans, no trial runs).
FFTW_FLAGS: tuple[str, ...] = ("FFTW_ESTIMATE",)
#: Transforms longer than this are whole-clip ones: only the latest size keeps its plan
#: (its twiddle table and input buffer, 2 x 16 MB for a 30 s clip) per thread.
_LARGE_N = 1 << 16

_local = threading.local()


def backend() -> str:
    """``"fftw"`` (pyFFTW) or ``"scipy"``: which library computes the extractor's FFTs."""
    return "fftw" if pyfftw is not None else "scipy"


def _empty(shape: tuple[int, ...], dtype: type) -> np.ndarray:
    """An uninitialised array, SIMD-aligned for FFTW when it is used."""
    if pyfftw is not None:
        return pyfftw.empty_aligned(shape, dtype=dtype)
    return np.empty(shape, dtype=dtype)


class BatchRfft:
    """A reusable batch of ``rows`` real FFTs of ``n_fft`` points, along each row.

    Get it from :func:`batch_rfft` with the frame length L, write the frames into
    ``input[:n, :L]`` (columns from L on are zero: the FFT's zero padding), call
    :meth:`execute`, read the ``n_fft // 2 + 1`` bins of each row from ``output``. Rows past n
    hold older frames; their output is to be ignored.
    """

    def __init__(self, n_fft: int, rows: int) -> None:
        self.n_fft, self.rows = n_fft, rows
        self.input = _empty((rows, n_fft), np.float64)
        self.input[:] = 0.0
        self.output = _empty((rows, n_fft // 2 + 1), np.complex128)
        self._written = 0  # columns that may hold non-zero values
        self._plan = (
            pyfftw.FFTW(self.input, self.output, axes=(1,), flags=FFTW_FLAGS, threads=1)
            if pyfftw is not None
            else None
        )

    def frames_of(self, length: int) -> np.ndarray:
        """``input``, with every column from ``length`` on zeroed, for frames of ``length``."""
        if not 0 < length <= self.n_fft:
            raise ValueError(f"frame length {length} does not fit {self.n_fft} points")
        if self._written > length:
            self.input[:, length : self._written] = 0.0
        self._written = length
        return self.input

    def execute(self) -> np.ndarray:
        """Transform every row of ``input`` into ``output`` (returned)."""
        if self._plan is not None:
            self._plan.execute()  # releases the GIL
        else:
            self.output[:] = scipy.fft.rfft(self.input, axis=1, workers=1)
        return self.output


def batch_rfft(n_fft: int, rows: int) -> BatchRfft:
    """This thread's :class:`BatchRfft` for (n_fft, rows), made on first use and then reused
    (call its :meth:`BatchRfft.frames_of` before writing frames)."""
    cache = getattr(_local, "batches", None)
    if cache is None:
        cache = _local.batches = {}
    key = (n_fft, rows)
    if key not in cache:
        cache[key] = BatchRfft(n_fft, rows)
    return cache[key]


def rfft_windowed(x: np.ndarray, window: np.ndarray, n_fft: int) -> np.ndarray:
    """rfft of ``x * window`` zero-padded to ``n_fft`` points (a new complex array).

    Long transforms (whole clips) keep one plan per thread, for the latest size: FFTW's twiddle
    table of 2**21 points takes ~30 ms to compute, the transform itself ~20 ms.
    """
    length = x.shape[0]
    if pyfftw is None:
        padded = np.zeros(n_fft)
        np.multiply(x, window, out=padded[:length])
        return scipy.fft.rfft(padded, workers=1)
    plan = _large_plan(n_fft) if n_fft > _LARGE_N else _small_plan(n_fft)
    buf = plan.input_array
    np.multiply(x, window, out=buf[:length])
    buf[length:] = 0.0
    out = _empty((n_fft // 2 + 1,), np.complex128)
    plan.update_arrays(buf, out)
    plan.execute()
    return out


def _new_plan(n_fft: int):  # pyFFTW only
    buf = _empty((n_fft,), np.float64)
    return pyfftw.FFTW(buf, _empty((n_fft // 2 + 1,), np.complex128), flags=FFTW_FLAGS, threads=1)


def _large_plan(n_fft: int):
    plan = getattr(_local, "large", None)
    if plan is None or plan.input_array.shape[0] != n_fft:
        _local.large = None  # free the old size before allocating the new one
        plan = _local.large = _new_plan(n_fft)
    return plan


def _small_plan(n_fft: int):
    cache = getattr(_local, "singles", None)
    if cache is None:
        cache = _local.singles = {}
    if n_fft not in cache:
        cache[n_fft] = _new_plan(n_fft)
    return cache[n_fft]


def forget_plans() -> None:
    """Drop this thread's plans and buffers (the next transforms plan again: ~30 ms for a
    whole 30 s clip's twiddle table). Long-lived workers call it between tasks so an idle
    worker does not hold ~50 MB for its last clip."""
    for name in ("batches", "singles", "large"):
        if hasattr(_local, name):
            delattr(_local, name)
