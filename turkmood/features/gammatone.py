"""The O3 gammatone envelope's compiled loops (numba), with their scipy definitions as fallbacks.

:func:`gammatone_block_sums` — ``|scipy.signal.sosfilt(sos[c], x)|`` for every four-section
channel c of the O3 gammatone bank, reduced on the fly to two weighted sums per block of
``decim`` samples (all the O3 smoothing and decimation of
:func:`turkmood.features.onsets.smooth_from_blocks` needs), so the channel signals are never
stored. Eight channels (BANK_LANES) advance together sample by sample, their states in
registers; LLVM's SLP vectoriser packs the channels' identical operations into vector
instructions. Every channel performs the same floating-point operations in the same order as
scipy's ``sosfilt`` (transposed direct form II), so ``|y|`` and the states are
**bit-identical** to it. ~21 ms for the 10 channels of a 30 s clip at 44.1 kHz (two calls of
eight; three calls of four took ~71 ms on the same Xeon, one core).

:func:`block_forward`, :func:`block_backward` — the two decimated-rate recursions of the O3
smoothing (:func:`turkmood.features.onsets.smooth_from_blocks`): what ``lfilter`` computes
for a one-pole filter, bit for bit, without its generic-order overhead and temporaries.
"""

from __future__ import annotations

import threading

import numpy as np
from scipy import signal

from turkmood.features.kernels import jit_loops

try:  # pragma: no cover - exercised by whichever branch is installed
    import numba
except ImportError:  # pragma: no cover
    numba = None

#: Sections per cascade handled by the compiled kernel.
N_SECTIONS = 4
#: Channels advanced together by :func:`gammatone_block_sums`: eight (one AVX-512 vector of
#: doubles, two AVX ones). Measured per call over a 30 s clip at 44.1 kHz, one core (Xeon with
#: AVX-512): 4 channels 23.6 ms, 8 channels 10.5 ms, 10 channels 26 ms, 12 channels 68 ms; so
#: the 10 O3 channels take two calls of 8 (21 ms) instead of three of 4 (71 ms).
BANK_LANES = 8


def _section_coeffs(sos: np.ndarray, ch: int) -> tuple:
    """The 20 coefficients (b0 b1 b2 a1 a2 per section) of channel ``ch`` of a (C, 4, 6) bank."""
    c = sos[ch]
    return (
        c[0, 0], c[0, 1], c[0, 2], c[0, 4], c[0, 5],
        c[1, 0], c[1, 1], c[1, 2], c[1, 4], c[1, 5],
        c[2, 0], c[2, 1], c[2, 2], c[2, 4], c[2, 5],
        c[3, 0], c[3, 1], c[3, 2], c[3, 4], c[3, 5],
    )  # fmt: skip


def _cascade_step(c: tuple, z: tuple, x0: float) -> tuple:
    """One sample ``x0`` through a four-section cascade with ``a0 = 1`` in ``sosfilt``'s
    operation order (per section ``y = b0 x + z0``, ``z0 = b1 x - a1 y + z1``,
    ``z1 = b2 x - a2 y``): returns (|y|, the eight new states)."""
    y0 = c[0] * x0 + z[0]
    z0 = c[1] * x0 - c[3] * y0 + z[1]
    z1 = c[2] * x0 - c[4] * y0
    y1 = c[5] * y0 + z[2]
    z2 = c[6] * y0 - c[8] * y1 + z[3]
    z3 = c[7] * y0 - c[9] * y1
    y2 = c[10] * y1 + z[4]
    z4 = c[11] * y1 - c[13] * y2 + z[5]
    z5 = c[12] * y1 - c[14] * y2
    y3 = c[15] * y2 + z[6]
    z6 = c[16] * y2 - c[18] * y3 + z[7]
    z7 = c[17] * y2 - c[19] * y3
    return abs(y3), (z0, z1, z2, z3, z4, z5, z6, z7)


def _bank8_block_sums(
    sos: np.ndarray, x: np.ndarray, w0: np.ndarray, w1: np.ndarray, out: np.ndarray,
    zf: np.ndarray,
) -> None:  # fmt: skip
    """Eight channels (``sos`` (8, 4, 6)) over ``out.shape[2]`` blocks of ``len(w0)`` samples:
    ``out[c, i, m] = sum_k wi[k] |y_c[m*decim + k]|`` (sequential in k); ``zf`` gets the final
    states (scipy's ``zi`` layout, (8, sections, 2))."""
    decim = w0.shape[0]
    c0, c1, c2, c3 = _sc(sos, 0), _sc(sos, 1), _sc(sos, 2), _sc(sos, 3)
    c4, c5, c6, c7 = _sc(sos, 4), _sc(sos, 5), _sc(sos, 6), _sc(sos, 7)
    z0 = z1 = z2 = z3 = z4 = z5 = z6 = z7 = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    for m in range(out.shape[2]):
        d0 = d1 = d2 = d3 = d4 = d5 = d6 = d7 = 0.0
        g0 = g1 = g2 = g3 = g4 = g5 = g6 = g7 = 0.0
        for k in range(decim):
            x0 = x[m * decim + k]
            e, g = w0[k], w1[k]
            v0, z0 = _step(c0, z0, x0)
            v1, z1 = _step(c1, z1, x0)
            v2, z2 = _step(c2, z2, x0)
            v3, z3 = _step(c3, z3, x0)
            v4, z4 = _step(c4, z4, x0)
            v5, z5 = _step(c5, z5, x0)
            v6, z6 = _step(c6, z6, x0)
            v7, z7 = _step(c7, z7, x0)
            d0, d1, d2, d3 = d0 + e * v0, d1 + e * v1, d2 + e * v2, d3 + e * v3
            d4, d5, d6, d7 = d4 + e * v4, d5 + e * v5, d6 + e * v6, d7 + e * v7
            g0, g1, g2, g3 = g0 + g * v0, g1 + g * v1, g2 + g * v2, g3 + g * v3
            g4, g5, g6, g7 = g4 + g * v4, g5 + g * v5, g6 + g * v6, g7 + g * v7
        out[0, 0, m], out[1, 0, m], out[2, 0, m], out[3, 0, m] = d0, d1, d2, d3
        out[4, 0, m], out[5, 0, m], out[6, 0, m], out[7, 0, m] = d4, d5, d6, d7
        out[0, 1, m], out[1, 1, m], out[2, 1, m], out[3, 1, m] = g0, g1, g2, g3
        out[4, 1, m], out[5, 1, m], out[6, 1, m], out[7, 1, m] = g4, g5, g6, g7
    for ch, z in enumerate((z0, z1, z2, z3, z4, z5, z6, z7)):
        for s in range(4):
            zf[ch, s, 0] = z[2 * s]
            zf[ch, s, 1] = z[2 * s + 1]


def _block_forward(
    sums: np.ndarray, extra: np.ndarray, f_prev: np.ndarray, alpha: float, p: float,
    g: np.ndarray, f_last: np.ndarray,
) -> None:  # fmt: skip
    """Forward pass of :func:`block_filtfilt` (rows interleaved: independent chains overlap)."""
    n_rows, n_main, n_extra = sums.shape[0], sums.shape[2], extra.shape[2]
    f = f_prev.copy()
    for m in range(n_main + n_extra):
        for r in range(n_rows):
            if m < n_main:
                drive, inner = sums[r, 0, m], sums[r, 1, m]
            else:
                drive, inner = extra[r, 0, m - n_main], extra[r, 1, m - n_main]
            g[r, m] = alpha * f[r] + inner
            f[r] = drive + p * f[r]
    f_last[:] = f


def _block_backward(g: np.ndarray, b: float, p: float, y_next: np.ndarray, out: np.ndarray):
    """Backward pass of :func:`block_filtfilt` into ``out[:, :g.shape[1]]``."""
    y = y_next.copy()
    for m in range(g.shape[1] - 1, -1, -1):
        for r in range(g.shape[0]):
            y[r] = b * g[r, m] + p * y[r]
            out[r, m] = y[r]


_block_forward_jit = jit_loops(_block_forward)
_block_backward_jit = jit_loops(_block_backward)
if numba is not None:
    _sc = numba.njit(inline="always")(_section_coeffs)
    _step = numba.njit(inline="always")(_cascade_step)
_bank_jit = jit_loops(_bank8_block_sums)
_BANK_SIGNATURE = "void(f8[:, :, ::1], f8[::1], f8[::1], f8[::1], f8[:, :, ::1], f8[:, :, ::1])"
_compile_lock = threading.Lock()


def _bank_kernel():
    """The compiled bank kernel, compiled (or loaded from numba's cache) on first use with the
    SLP vectoriser on. numba leaves SLP off by default (``NUMBA_SLP_VECTORIZE``); it only packs
    identical independent operations into vectors, never reorders or fuses them, so the
    arithmetic per channel is unchanged (tested bit for bit against ``sosfilt``)."""
    if not getattr(_bank_jit, "signatures", True):  # (NUMBA_DISABLE_JIT: a plain function)
        from numba.core import config

        with _compile_lock:
            if not _bank_jit.signatures:
                # numba re-reads its settings from the environment when a compilation starts if
                # any NUMBA_* variable changed since it last did, which would undo the flag set
                # below (the kernel was then cached without SLP: 95 instead of 28 ms per clip).
                # Reading them now leaves nothing for that re-read to change.
                config.reload_config()
                previous = config.SLP_VECTORIZE
                config.SLP_VECTORIZE = 1
                try:
                    _bank_jit.compile(_BANK_SIGNATURE)
                finally:
                    config.SLP_VECTORIZE = previous
    return _bank_jit


def gammatone_block_sums(
    sos: np.ndarray, x: np.ndarray, weights: np.ndarray, n_blocks: int, compiled: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Block sums of ``|sosfilt(sos[c], x)|`` for every channel c of a (C, sections, 6) bank.

    ``weights`` is (2, decim). Returns ``sums`` (C, 2, n_blocks) with
    ``sums[c, i, m] = sum_k weights[i, k] * |y_c[m*decim + k]|`` and the states ``zf``
    (C, sections, 2) after the ``n_blocks * decim`` first samples (scipy's ``zi`` layout: the
    rest of the signal continues with ``sosfilt(sos[c], x[n_blocks*decim:], zi=zf[c])``).

    Four-section cascades with ``a0 = 1`` run compiled, each block summed sequentially in k;
    other shapes and ``compiled=False`` use scipy's ``sosfilt`` and a matrix product (the same
    states bit for bit, the sums to rounding).
    """
    sos = np.ascontiguousarray(sos, dtype=np.float64)
    x = np.ascontiguousarray(x, dtype=np.float64)
    if not x.flags.writeable:  # the compiled signature takes writable arrays (no second compile)
        x = x.copy()
    weights = np.ascontiguousarray(weights, dtype=np.float64)
    n_ch, decim = sos.shape[0], weights.shape[1]
    if n_blocks * decim > x.size:
        raise ValueError("more blocks than samples")
    sums = np.empty((n_ch, 2, n_blocks))
    zf = np.zeros((n_ch, sos.shape[1], 2))
    fits = sos.shape[1:] == (N_SECTIONS, 6) and bool(np.all(sos[:, :, 3] == 1.0))
    if compiled and fits and numba is not None:
        kernel = _bank_kernel()
        for first in range(0, n_ch, BANK_LANES):
            lanes = np.arange(first, first + BANK_LANES).clip(max=n_ch - 1)  # pad: repeat last
            part = np.empty((BANK_LANES, 2, n_blocks))
            states = np.empty((BANK_LANES, N_SECTIONS, 2))
            kernel(np.ascontiguousarray(sos[lanes]), x, weights[0], weights[1], part, states)
            n_real = min(BANK_LANES, n_ch - first)
            sums[first : first + n_real] = part[:n_real]
            zf[first : first + n_real] = states[:n_real]
        return sums, zf
    head = x[: n_blocks * decim]
    for ch in range(n_ch):
        y, zf[ch] = signal.sosfilt(sos[ch], head, zi=np.zeros((sos.shape[1], 2)))
        sums[ch] = weights @ np.abs(y).reshape(n_blocks, decim).T
    return sums, zf


def block_forward(
    sums: np.ndarray, extra: np.ndarray, f_prev: np.ndarray, alpha: float, p: float,
    compiled: bool = True,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Forward pass of the block-wise filtfilt over the blocks' two sums (drive, inner).

    With ``drive``/``inner`` the rows 0/1 of ``sums`` followed by those of ``extra``:
    ``F[m] = drive[m] + p F[m-1]`` from ``F[-1] = f_prev``, and ``g[m] = alpha F[m-1] +
    inner[m]``. Returns (g, F at the last block). ``compiled=False`` runs scipy's ``lfilter``
    (the same operations: tested bit for bit).
    """
    sums = np.ascontiguousarray(sums, dtype=np.float64)
    extra = np.ascontiguousarray(extra, dtype=np.float64)
    f_prev = np.ascontiguousarray(f_prev, dtype=np.float64)
    n_rows = sums.shape[0]
    if compiled and _block_forward_jit is not None:
        g = np.empty((n_rows, sums.shape[2] + extra.shape[2]))
        f_last = np.empty(n_rows)
        _block_forward_jit(sums, extra, f_prev, float(alpha), float(p), g, f_last)
        return g, f_last
    drive = np.concatenate((sums[:, 0], extra[:, 0]), axis=1)
    inner = np.concatenate((sums[:, 1], extra[:, 1]), axis=1)
    f = signal.lfilter([1.0], [1.0, -p], drive, axis=1, zi=(p * f_prev)[:, None])[0]
    f_before = np.concatenate((f_prev[:, None], f[:, :-1]), axis=1)
    return alpha * f_before + inner, (f[:, -1] if f.shape[1] else f_prev.copy())


def block_backward(
    g: np.ndarray, b: float, p: float, y_next: np.ndarray, out: np.ndarray, compiled: bool = True
) -> None:
    """Backward pass: ``out[:, m] = b g[:, m] + p out[:, m+1]`` for m = M-1 .. 0 (M =
    ``g.shape[1]``) from ``out[:, M] = y_next`` (not written). ``compiled=False`` runs
    ``lfilter`` on the reversed rows (the same operations: tested bit for bit)."""
    g = np.ascontiguousarray(g, dtype=np.float64)
    y_next = np.ascontiguousarray(y_next, dtype=np.float64)
    if compiled and _block_backward_jit is not None:
        _block_backward_jit(g, float(b), float(p), y_next, out)
        return
    zi = (p * y_next)[:, None]
    out[:, : g.shape[1]] = signal.lfilter([b], [1.0, -p], g[:, ::-1], axis=1, zi=zi)[0][:, ::-1]
