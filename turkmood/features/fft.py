"""Real FFTs of the feature extractor: FFTW when its library is installed, scipy otherwise.

Every spectrum of the extractor is a real FFT of a windowed, zero-padded frame (or of the whole
clip). FFTW computes them in about half the time of scipy's pocketfft on one core (2048 points:
2.8 us against 5.7 us per transform; 2**21 points: 20 ms against 42 ms). Both give the exact
DFT to rounding (~1e-16 relative), far below the oracle's 10 printed digits.

* The library is the FFTW that the pyFFTW wheel bundles (requirements.txt), loaded with ctypes
  and called directly: no ``import pyfftw`` (1.1 s at a cold start), and compiled loops can
  call it without the GIL (:mod:`turkmood.features.kernels` takes :data:`EXECUTE_R2C` and a
  plan as arguments). Not found: scipy computes everything (:func:`backend` says which).
* Plans are made with ``FFTW_ESTIMATE``: FFTW then picks its algorithm by rules, not by timing
  trial runs, so a transform gives the same bits in every process and every run (a measured
  plan may differ between a window-pool worker and the app process). For these sizes it is as
  fast as a measured plan, and planning costs no trial runs at a cold start.
* Within one plan every row goes through the same code, so a frame's spectrum does not depend
  on its place in a batch (tested): a window of a song gets the bits of the same frame of the
  song.
* Plans are shared by all threads (FFTW's execute is thread-safe; its planner is not, so plans
  are made under a lock); buffers belong to the thread that made them.
"""

from __future__ import annotations

import ctypes
import glob
import importlib.util
import os
import threading

import numpy as np
import scipy.fft

#: FFTW planner flag FFTW_ESTIMATE (see module docstring: deterministic plans, no trial runs).
FFTW_ESTIMATE = 1 << 6
#: Byte alignment of every buffer handed to FFTW (new-array execution needs the alignment the
#: plan was made with; 64 covers SSE2/AVX/AVX-512).
ALIGNMENT = 64
#: Transforms longer than this are whole-clip ones: only the latest size keeps its plan
#: (FFTW's twiddle table: 16 MB for a 30 s clip). Every size up to it keeps its plan: the
#: tempo autocorrelation of a 30 s clip takes 2**18 points.
_LARGE_N = 1 << 18
#: Where pyFFTW's wheels keep their bundled FFTW (double precision), relative to the package.
_LIBRARY_GLOBS = (
    "../pyfftw.libs/libfftw3-*.so*",  # manylinux (auditwheel)
    ".dylibs/libfftw3.*dylib",  # macOS (delocate)
    "libfftw3-3.dll",  # Windows
)


def _find_library() -> str | None:
    """Path of the double-precision FFTW bundled with the installed pyFFTW, if any."""
    spec = importlib.util.find_spec("pyfftw")
    if spec is None or not spec.submodule_search_locations:
        return None
    package = list(spec.submodule_search_locations)[0]
    for pattern in _LIBRARY_GLOBS:
        for path in sorted(glob.glob(os.path.join(package, pattern))):
            name = os.path.basename(path)
            if not any(tag in name for tag in ("fftw3f", "fftw3l", "_omp", "_threads")):
                return path
    return None


def _load() -> tuple[ctypes.CDLL, ctypes._CFuncPtr] | None:
    """(library, its new-array r2c execute function), or None when FFTW is not available."""
    path = os.environ.get("TURKMOOD_FFTW_LIBRARY") or _find_library()
    if path is None:
        return None
    try:
        lib = ctypes.CDLL(path)
        plan_many = lib.fftw_plan_many_dft_r2c
        execute = lib.fftw_execute_dft_r2c
    except (OSError, AttributeError):
        return None
    c_int_p = ctypes.POINTER(ctypes.c_int)
    plan_many.restype = ctypes.c_void_p
    plan_many.argtypes = [
        ctypes.c_int, c_int_p, ctypes.c_int,  # rank, n, howmany
        ctypes.c_void_p, c_int_p, ctypes.c_int, ctypes.c_int,  # in, inembed, istride, idist
        ctypes.c_void_p, c_int_p, ctypes.c_int, ctypes.c_int,  # out, onembed, ostride, odist
        ctypes.c_uint,  # flags
    ]  # fmt: skip
    execute.restype = None
    execute.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    lib.fftw_destroy_plan.restype = None
    lib.fftw_destroy_plan.argtypes = [ctypes.c_void_p]
    return lib, execute


_LOADED = _load()
#: ``fftw_execute_dft_r2c(plan, in, out)`` (ctypes; compiled loops may call it), or None.
EXECUTE_R2C = _LOADED[1] if _LOADED is not None else None

_plan_lock = threading.Lock()
_plans: dict[tuple[int, int], int] = {}
_large_lock = threading.Lock()
_large: dict[str, int] = {"n_fft": 0, "plan": 0}
_local = threading.local()


def backend() -> str:
    """``"fftw"`` or ``"scipy"``: which library computes the extractor's FFTs."""
    return "fftw" if _LOADED is not None else "scipy"


def aligned_empty(shape: tuple[int, ...], dtype: type) -> np.ndarray:
    """An uninitialised C-contiguous array whose data starts on an ALIGNMENT-byte boundary."""
    dtype = np.dtype(dtype)
    n_bytes = int(np.prod(shape)) * dtype.itemsize
    raw = np.empty(n_bytes + ALIGNMENT, dtype=np.uint8)
    offset = (-raw.ctypes.data) % ALIGNMENT
    return raw[offset : offset + n_bytes].view(dtype).reshape(shape)


def r2c_plan(n_fft: int, rows: int) -> int:
    """FFTW plan (its address) for ``rows`` contiguous real rows of ``n_fft`` points into rows of
    ``n_fft // 2 + 1`` complex bins, for ALIGNMENT-aligned buffers; made once per process and
    kept (only for batch sizes; :func:`rfft_windowed` manages the long whole-clip plans).

    Only for :func:`backend` ``"fftw"``.
    """
    key = (n_fft, rows)
    with _plan_lock:
        plan = _plans.get(key)
        if plan is None:
            plan = _plans[key] = _new_plan(n_fft, rows)
    return plan


def _new_plan(n_fft: int, rows: int) -> int:
    """A new FFTW plan (call with ``_plan_lock`` held: FFTW's planner is not thread-safe)."""
    if _LOADED is None:
        raise RuntimeError("FFTW is not available")
    probe_in = aligned_empty((rows, n_fft), np.float64)
    probe_out = aligned_empty((rows, n_fft // 2 + 1), np.complex128)
    n = (ctypes.c_int * 1)(n_fft)
    plan = _LOADED[0].fftw_plan_many_dft_r2c(
        1, n, rows,
        probe_in.ctypes.data, None, 1, n_fft,
        probe_out.ctypes.data, None, 1, n_fft // 2 + 1,
        FFTW_ESTIMATE,
    )  # fmt: skip
    if not plan:
        raise RuntimeError(f"FFTW could not plan {rows} x {n_fft} points")
    return plan


class BatchRfft:
    """A reusable batch of ``rows`` real FFTs of ``n_fft`` points, along each row.

    Get it from :func:`batch_rfft`, take ``input`` rows from :meth:`frames_of` (the columns
    from the frame length on are zero: the FFT's zero padding), write the frames, call
    :meth:`execute`, read the ``n_fft // 2 + 1`` bins of each row from ``output``. Rows past
    the frames written hold older frames; their output is to be ignored.
    """

    def __init__(self, n_fft: int, rows: int) -> None:
        self.n_fft, self.rows = n_fft, rows
        self.input = aligned_empty((rows, n_fft), np.float64)
        self.input[:] = 0.0
        self.output = aligned_empty((rows, n_fft // 2 + 1), np.complex128)
        self.plan = r2c_plan(n_fft, rows) if _LOADED is not None else 0
        self._written = 0  # columns that may hold non-zero values

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
        if EXECUTE_R2C is not None:
            EXECUTE_R2C(self.plan, self.input.ctypes.data, self.output.ctypes.data)  # no GIL
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

    With FFTW, transforms longer than 2**18 points (whole clips of 6 s and more) keep one
    plan, for the latest size: its twiddle table (16 MB, ~30 ms to compute for a 30 s clip) is
    reused by the next clip of that length; they run one at a time (a new size destroys the
    old plan).
    """
    length = x.shape[0]
    if _LOADED is None:
        padded = np.zeros(n_fft)
        np.multiply(x, window, out=padded[:length])
        return scipy.fft.rfft(padded, workers=1)
    padded = aligned_empty((n_fft,), np.float64)
    np.multiply(x, window, out=padded[:length])
    padded[length:] = 0.0
    out = aligned_empty((n_fft // 2 + 1,), np.complex128)
    if n_fft <= _LARGE_N:
        EXECUTE_R2C(r2c_plan(n_fft, 1), padded.ctypes.data, out.ctypes.data)
        return out
    with _large_lock:
        if _large["n_fft"] != n_fft:
            _drop_large_plan()
            with _plan_lock:
                _large["plan"] = _new_plan(n_fft, 1)
            _large["n_fft"] = n_fft
        EXECUTE_R2C(_large["plan"], padded.ctypes.data, out.ctypes.data)
    return out


def real_autocorrelation(x: np.ndarray, n_fft: int, lags: int) -> np.ndarray:
    """``sum_n x[n] x[n + k]`` for k = 0 .. ``lags`` - 1 of a real ``x``, through ``n_fft``
    >= 2 len(x) - 1 points (no circular wrap).

    The power spectrum ``|X|^2`` of one real FFT, then a second forward real FFT of that
    spectrum: it is real and even, so its inverse transform is its forward one divided by
    ``n_fft``. Two FFTW transforms instead of numpy's rfft and irfft (tempo curve of a 30 s
    clip, 2**18 points, one core: ~12 -> ~6 ms); equal to them to rounding (~1e-15).
    """
    spectrum = rfft_windowed(x, np.ones(x.shape[0]), n_fft)
    power = spectrum.real * spectrum.real + spectrum.imag * spectrum.imag
    even = np.concatenate((power, power[-2:0:-1]))
    return rfft_windowed(even, np.ones(n_fft), n_fft).real[:lags] / n_fft


def _drop_large_plan() -> None:
    """Destroy the whole-clip plan (call with ``_large_lock`` held)."""
    if _large["plan"]:
        with _plan_lock:
            _LOADED[0].fftw_destroy_plan(_large["plan"])
    _large["plan"], _large["n_fft"] = 0, 0


def forget_buffers() -> None:
    """Drop this thread's batch buffers and the whole-clip plan: long-lived workers call it
    between tasks, so that an idle worker holds neither (~20 MB for a 30 s clip)."""
    if hasattr(_local, "batches"):
        del _local.batches
    if _LOADED is not None:
        with _large_lock:
            _drop_large_plan()
