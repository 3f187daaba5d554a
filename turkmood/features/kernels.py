"""Compiled inner loops (numba) with their plain numpy/scipy definitions as fallbacks.

numba is a dependency of librosa (in requirements.txt), so it is normally present; without it
every function here runs its numpy/scipy definition. Compiled functions are cached on disk
(``cache=True``; first compilation ~1 s, later loads ~0.2 s). The O3 gammatone loops are in
:mod:`turkmood.features.gammatone`.

* :func:`normalised_frames_into` — min-max normalised, Hamming-windowed chroma frames (HCDF)
  written into the FFT batch (same operations as numpy: bit-identical); the frames' extrema
  come from :func:`frame_extrema` (numpy, exact).
* :func:`contrast_peaks` — the ``mirpeaks`` contrast rule on every frame of the roughness
  spectra, one compiled pass per frame (comparisons only: the same peaks as the numpy lockstep
  scan and the one-curve port, tested).
* :func:`pair_sums` — per frame, the roughness pair sum ``sum_{i<j} v_i v_j T[b_i, b_j]``
  (``v @ T[b][:, b] @ v`` with a strict upper-triangular table). The compiled loop reads each
  table row in ascending order and skips the zero lower triangle; only the summation order
  differs from the matrix product (~1e-15 relative). 3-40x faster (white noise, ~360 peaks a
  frame: 0.4 s against 1.1 s; music: 0.2-8 ms against 10-33 ms).
* :func:`window_frames_into` — Hann-windowed O2 frames written straight into the FFT batch
  buffer (one multiply per sample, as numpy does: bit-identical), without the gathered copy.
* :func:`abs_row_sums` — per row, the sum of the magnitudes of a batch of spectra (the O2 frame
  sums), without the temporary magnitude array; ~1e-15 relative from numpy's
  ``np.abs(X).sum(axis=1)`` (``sqrt(re^2 + im^2)`` instead of ``hypot``, lane-wise summation).
* :func:`fft_magnitudes` — the same for the frame spectra of roughness, fluctuation and the HCDF
  chromagram (magnitudes of a range of bins, ``sqrt(re^2 + im^2)``: within an ulp of numpy's
  ``abs``).
* :func:`fft_abs_sums` — the whole O2 loop (windowing, FFTW called through its C pointer,
  magnitude sums) as one call that holds no GIL, so two threads share the frames without
  waiting on each other.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

try:  # pragma: no cover - exercised by whichever branch is installed
    import numba
except ImportError:  # pragma: no cover
    numba = None


def _pair_sums(
    bounds: np.ndarray, bins: np.ndarray, amps: np.ndarray, table: np.ndarray, out: np.ndarray
) -> None:
    """``out[k] = sum_{i<j} a_i a_j table[b_i, b_j]`` over the peaks bounds[k]:bounds[k+1]."""
    for k in range(bounds.shape[0] - 1):
        lo, hi = bounds[k], bounds[k + 1]
        total = 0.0
        for i in range(lo, hi - 1):
            row = table[bins[i]]
            acc = 0.0
            for j in range(i + 1, hi):
                acc += amps[j] * row[bins[j]]
            total += amps[i] * acc
        out[k] = total


def _window_frames(y: np.ndarray, starts: np.ndarray, window: np.ndarray, out: np.ndarray) -> None:
    """``out[r, :L] = y[starts[r] : starts[r] + L] * window`` (L = len(window)) for each row r."""
    length = window.shape[0]
    for r in range(starts.shape[0]):
        row = out[r]  # 1-D contiguous views: the loop vectorises (2.5x the 2-D indexing)
        frame = y[starts[r] : starts[r] + length]
        for i in range(length):
            row[i] = frame[i] * window[i]


def _abs_row_sums(spec: np.ndarray, n_rows: int, out: np.ndarray) -> None:
    """``out[r] = sum_k |spec[r, k]|`` for the first ``n_rows`` rows of a complex matrix."""
    for r in range(n_rows):
        row = spec[r]
        acc = 0.0
        for k in range(row.shape[0]):
            z = row[k]
            acc += math.sqrt(z.real * z.real + z.imag * z.imag)
        out[r] = acc


def _normalised_frames(
    y: np.ndarray, starts: np.ndarray, window: np.ndarray, lo: np.ndarray, hi: np.ndarray,
    out: np.ndarray,
) -> None:  # fmt: skip
    """``out[r, :L] = (f - lo[r]) * (1 / (hi[r] - lo[r])) * window`` for each frame f (chroma),
    with ``lo``/``hi`` the frames' minima and maxima (:func:`frame_extrema`). One reciprocal
    per frame instead of a division per sample (HCDF curve of a 30 s clip, one core: 48 ->
    42 ms); within an ulp of ``(f - lo) / (hi - lo)``, the oracle's 10 digits unchanged."""
    length = window.shape[0]
    for r in range(starts.shape[0]):
        row = out[r]
        frame = y[starts[r] : starts[r] + length]
        low, scale = lo[r], 1.0 / (hi[r] - lo[r])
        for i in range(length):
            row[i] = (frame[i] - low) * scale * window[i]


def _contrast_peaks(
    curves: np.ndarray, lo: float, hi: float, contrast: float, out_col: np.ndarray,
    out_row: np.ndarray,
) -> int:  # fmt: skip
    """The ``mirpeaks`` contrast rule on every row of ``curves`` (see :func:`contrast_peaks`);
    writes the (row, index) of each peak, returns how many."""
    n_curves, n = curves.shape
    span = hi - lo
    norm = np.empty(n)
    cand = np.empty(n, dtype=np.int64)
    value = np.empty(n)
    gap = np.empty(n)
    count = 0
    for c in range(n_curves):
        for i in range(n):
            norm[i] = (curves[c, i] - lo) / span
        # local maxima (strict rise, then no rise; -inf beyond both ends) reaching `contrast`,
        # each with the minimum strictly between it and the candidate before it
        n_cand = 0
        running = np.inf
        for i in range(n):
            v = norm[i]
            before = norm[i - 1] if i > 0 else -np.inf
            after = norm[i + 1] if i + 1 < n else -np.inf
            # the rarely true test first: most bins of a spectrum are below the contrast
            if v >= contrast and v - before > 0 and after - v <= 0:
                cand[n_cand] = i
                value[n_cand] = v
                gap[n_cand] = running
                n_cand += 1
                running = np.inf
            else:  # NaN never lowers it (MATLAB's min skips NaN)
                running = v if v < running else running
        if n_cand == 0:
            continue
        # left-to-right scan: keep a candidate once a dip of `contrast` separates it from the
        # next; within a flat run the higher candidate takes over (SelectFirst 0)
        bufmax, bufmin, oldbufmin, current = value[0], np.inf, -np.inf, 0
        for jj in range(1, n_cand):
            new = value[jj]
            bmin = gap[jj] if gap[jj] < bufmin else bufmin
            if bufmax - bmin < contrast:  # no contrastive notch since the current candidate
                oldbufmin = bmin if bmin < oldbufmin else oldbufmin
                if new > bufmax:
                    bufmax, current, bufmin = new, jj, np.inf
                else:
                    bufmin = bmin
            else:
                if bufmax - oldbufmin >= contrast:
                    out_col[count] = c
                    out_row[count] = cand[current]
                    count += 1
                    oldbufmin = bmin
                else:
                    oldbufmin = bmin if bmin < oldbufmin else oldbufmin
                bufmax, current, bufmin = new, jj, np.inf
        if bufmax - oldbufmin >= contrast:  # the -inf end padding always dips enough
            out_col[count] = c
            out_row[count] = cand[current]
            count += 1
    return count


def _fft_abs_sums(
    execute, plan: int, y: np.ndarray, starts: np.ndarray, window: np.ndarray,
    inbuf: np.ndarray, outbuf: np.ndarray, sums: np.ndarray,
) -> None:  # fmt: skip
    """:func:`_window_frames` of the frames, batch by batch into ``inbuf``, FFTW's
    ``execute(plan, inbuf, outbuf)``, then :func:`_abs_row_sums` into ``sums``."""
    rows = inbuf.shape[0]
    n = starts.shape[0]
    for b in range(0, n, rows):
        count = min(rows, n - b)
        _window_frames_jit(y, starts[b : b + count], window, inbuf)
        execute(plan, inbuf.ctypes.data, outbuf.ctypes.data)
        _abs_row_sums_jit(outbuf, count, sums[b : b + count])


def _fft_magnitudes(
    execute, plan: int, y: np.ndarray, starts: np.ndarray, window: np.ndarray,
    normalise: bool, lo: np.ndarray, hi: np.ndarray, first: int, inbuf: np.ndarray,
    outbuf: np.ndarray, out: np.ndarray,
) -> None:  # fmt: skip
    """Frames windowed (:func:`_window_frames`, or :func:`_normalised_frames` with the frames'
    extrema ``lo``/``hi`` when ``normalise``) batch by batch into ``inbuf``, FFTW's
    ``execute(plan, inbuf, outbuf)``, then ``out[r, j] = |outbuf[row, first + j]|``."""
    rows = inbuf.shape[0]
    n = starts.shape[0]
    width = out.shape[1]
    for b in range(0, n, rows):
        count = min(rows, n - b)
        if normalise:
            _normalised_frames_jit(
                y, starts[b : b + count], window, lo[b : b + count], hi[b : b + count], inbuf
            )
        else:
            _window_frames_jit(y, starts[b : b + count], window, inbuf)
        execute(plan, inbuf.ctypes.data, outbuf.ctypes.data)
        for r in range(count):
            spectrum = outbuf[r, first : first + width]
            row = out[b + r]
            for j in range(width):  # sqrt(re^2 + im^2) vectorises; libm's hypot does not
                z = spectrum[j]
                row[j] = math.sqrt(z.real * z.real + z.imag * z.imag)


def _jit(fn, **options):  # decorator helper: the compiled twin of `fn`, or None without numba
    return numba.njit(cache=True, nogil=True, **options)(fn) if numba is not None else None


def jit_loops(fn):
    """The compiled (numba, cached, GIL-free) twin of a loop function written for it in a
    family module, or None without numba (the module then uses its numpy definition)."""
    return _jit(fn)


_pair_sums_jit = _jit(_pair_sums)
_window_frames_jit = _jit(_window_frames)
# 'reassoc' lets LLVM split the sum into vector lanes (a fixed order chosen at compile time, so
# a row's sum never depends on its neighbours); 3x the strictly sequential loop.
_abs_row_sums_jit = _jit(_abs_row_sums, fastmath={"reassoc"})
_fft_abs_sums_jit = _jit(_fft_abs_sums)
_fft_magnitudes_jit = _jit(_fft_magnitudes)
_contrast_peaks_jit = _jit(_contrast_peaks, error_model="numpy")  # 0/0: NaN, no peak
_normalised_frames_jit = _jit(_normalised_frames, error_model="numpy")  # x/0 is inf/NaN


def pair_sums(
    bounds: np.ndarray,
    bins: np.ndarray,
    amps: np.ndarray,
    table: np.ndarray,
    compiled: bool = True,
) -> np.ndarray:
    """Per group k (peaks ``bounds[k]:bounds[k+1]``, bins ascending), ``v @ T[b][:, b] @ v``.

    ``table`` is a (bins, bins) strictly upper-triangular float64 matrix, so each unordered
    pair counts once. ``compiled=False`` forces the numpy path.
    """
    bounds = np.ascontiguousarray(bounds, dtype=np.int64)
    bins = np.ascontiguousarray(bins, dtype=np.int64)
    amps = np.ascontiguousarray(amps, dtype=np.float64)
    out = np.zeros(len(bounds) - 1)
    if compiled and _pair_sums_jit is not None:
        _pair_sums_jit(bounds, bins, amps, np.ascontiguousarray(table, dtype=np.float64), out)
        return out
    flat, n_bins = table.ravel(), table.shape[1]
    for k in np.flatnonzero(np.diff(bounds) >= 2):
        b = bins[bounds[k] : bounds[k + 1]]
        v = amps[bounds[k] : bounds[k + 1]]
        out[k] = v @ np.take(flat, (b * n_bins)[:, None] + b) @ v
    return out


def window_frames_into(
    y: np.ndarray, starts: np.ndarray, window: np.ndarray, out: np.ndarray, compiled: bool = True
) -> None:
    """Write the windowed frames ``y[s : s + L] * window`` into the rows of ``out[:, :L]``.

    One pass straight from ``y`` (the numpy path gathers a copy of the frames first); the
    products are the same, so the result is bit-identical. ``out`` must be C-contiguous with
    ``len(starts)`` rows; columns from L on are left untouched (e.g. the FFT's zero padding).
    """
    if compiled and _window_frames_jit is not None and y.dtype == np.float64:
        _window_frames_jit(y, np.asarray(starts, dtype=np.int64), window, out)
        return
    length = window.shape[0]
    np.multiply(sliding_window_view(y, length)[starts], window, out=out[:, :length])


def abs_row_sums(spec: np.ndarray, n_rows: int, out: np.ndarray, compiled: bool = True) -> None:
    """``out[:n_rows] = |spec[:n_rows]|.sum(axis=1)`` for a C-contiguous complex128 ``spec``.

    The compiled loop takes ``|z|`` as ``sqrt(re*re + im*im)`` (numpy uses ``hypot``) and sums
    in vector lanes (numpy sums pairwise), without a temporary magnitude array; the two agree
    to ~1e-15 relative. ``compiled=False`` forces the numpy path.
    """
    if compiled and _abs_row_sums_jit is not None and spec.dtype == np.complex128:
        _abs_row_sums_jit(spec, n_rows, out)
        return
    np.abs(spec[:n_rows]).sum(axis=1, out=out[:n_rows])


def frame_extrema(y: np.ndarray, starts: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """(min, max) of every frame ``y[s : s + length]``, s in ``starts`` (exact: the same values
    as ``frame.min()``/``frame.max()`` for finite ``y``).

    Overlapping frames are not read sample by sample each: the signal is cut at every frame
    start and end, each piece is reduced once (numpy's vectorised ``reduceat``), and a frame's
    extremum is that of its ~20 pieces (HCDF, 394 frames of 32766 samples: ~1 ms against
    ~17 ms for a sequential min/max pass over every frame, one core).
    """
    starts = np.asarray(starts, dtype=np.int64)
    if starts.size == 0:
        return np.zeros(0), np.zeros(0)
    edges = np.unique(np.concatenate((starts, starts + length)))
    piece = y[: edges[-1]]
    lo_piece = np.minimum.reduceat(piece, edges[:-1])
    hi_piece = np.maximum.reduceat(piece, edges[:-1])
    first = np.searchsorted(edges, starts)
    last = np.searchsorted(edges, starts + length)  # one past each frame's last piece
    span = np.arange(int((last - first).max()))
    pieces = np.minimum(first[:, None] + span, (last - 1)[:, None])
    return lo_piece[pieces].min(axis=1), hi_piece[pieces].max(axis=1)


def normalised_frames_into(
    y: np.ndarray, starts: np.ndarray, window: np.ndarray, out: np.ndarray, compiled: bool = True
) -> None:
    """Write each frame ``f = y[s : s + L]`` min-max normalised and windowed,
    ``(f - min f) * (1 / (max f - min f)) * window``, into the rows of ``out[:, :L]``.

    The chromagram's ``'NormalInput'`` frames: the extrema of all frames first
    (:func:`frame_extrema`), then one pass per frame from ``y``; the same three operations per
    sample as numpy (bit-identical); a constant frame gives NaN (0/0), as in MATLAB.
    ``compiled=False`` forces the numpy path.
    """
    if compiled and _normalised_frames_jit is not None and y.dtype == np.float64:
        starts = np.asarray(starts, dtype=np.int64)
        lo, hi = frame_extrema(y, starts, window.shape[0])
        _normalised_frames_jit(y, starts, window, lo, hi, out)
        return
    length = window.shape[0]
    for row, s in zip(out, starts, strict=False):
        frame = y[s : s + length]
        lo, hi = frame.min(), frame.max()
        with np.errstate(invalid="ignore", divide="ignore"):
            row[:length] = (frame - lo) * (1.0 / (hi - lo)) * window


def contrast_peaks(
    curves: np.ndarray, lo: float, hi: float, contrast: float
) -> tuple[np.ndarray, np.ndarray] | None:
    """``mirpeaks(..., 'Contrast', contrast)`` on every row of ``curves`` normalised as
    ``(x - lo) / (hi - lo)``, both ends allowed, ``SelectFirst`` 0: (row, index) of each peak,
    sorted by row then index; ``None`` without numba (the caller has a numpy definition).

    One pass per row: local maxima reaching ``contrast`` with the minimum between each and the
    one before, then the left-to-right contrast scan of
    :func:`turkmood.features.peaks.find_peaks` (comparisons only: the same peaks, tested).
    """
    if _contrast_peaks_jit is None:
        return None
    curves = np.ascontiguousarray(curves, dtype=np.float64)
    capacity = curves.size // 2 + curves.shape[0]  # maxima are never adjacent
    out_col = np.empty(capacity, dtype=np.int64)
    out_row = np.empty(capacity, dtype=np.int64)
    count = _contrast_peaks_jit(curves, float(lo), float(hi), float(contrast), out_col, out_row)
    return out_col[:count].copy(), out_row[:count].copy()


def fft_abs_sums(
    execute, plan: int, y: np.ndarray, starts: np.ndarray, window: np.ndarray,
    inbuf: np.ndarray, outbuf: np.ndarray,
) -> np.ndarray | None:  # fmt: skip
    """Per frame ``y[s : s + L] * window``, the sum of its spectrum's magnitudes, in one call
    without the GIL: batches of :func:`window_frames_into`, FFTW's new-array ``execute``
    (:data:`turkmood.features.fft.EXECUTE_R2C`) with ``plan`` on ``inbuf``/``outbuf`` (an FFTW
    batch's buffers, zero past L), and :func:`abs_row_sums` (the same kernels as one Python
    step per batch: the same bits). None without numba."""
    if _fft_abs_sums_jit is None or y.dtype != np.float64:
        return None
    sums = np.empty(len(starts))
    _fft_abs_sums_jit(
        execute, plan, y, np.asarray(starts, dtype=np.int64), window, inbuf, outbuf, sums
    )
    return sums


def fft_magnitudes(
    execute, plan: int, y: np.ndarray, starts: np.ndarray, window: np.ndarray,
    inbuf: np.ndarray, outbuf: np.ndarray, first: int, width: int, normalise: bool = False,
) -> np.ndarray | None:  # fmt: skip
    """(frames, width) magnitudes ``|FFT(frame)[first : first + width]|`` of the frames
    ``y[s : s + L] * window`` (min-max normalised first when ``normalise``), in one call
    without the GIL (see :func:`fft_abs_sums`); None without numba. The same windowing
    kernels and FFTW plan as one numpy step per batch; the magnitude is
    ``sqrt(re^2 + im^2)``, within an ulp of numpy's complex ``abs`` (tested)."""
    if _fft_magnitudes_jit is None or y.dtype != np.float64:
        return None
    out = np.empty((len(starts), width))
    starts = np.asarray(starts, dtype=np.int64)
    if normalise:
        lo, hi = frame_extrema(y, starts, window.shape[0])
    else:
        lo = hi = np.zeros(0)
    _fft_magnitudes_jit(
        execute, plan, y, starts, window, normalise, lo, hi, first, inbuf, outbuf, out
    )
    return out
