"""Onset-detection curves of MIRtoolbox 1.7.1 (``mironsets`` / ``mirenvelope``), re-implemented.

Three curves feed the rhythm features:

* **O1** ``spectro_envelope(0.1 s, hop 0.1, power)``: frames of 0.1 s every 10 ms, Hann window
  (Octave's ``hanning``, zero end points), FFT zero-padded to a power of two, power spectrum
  summed over bins 0..Nyquist. Used by event density, pulse clarity (differentiated) and as the
  onset-valley curve of attack time. The bin sum is computed through Parseval's identity
  (one FFT-free pass), which equals the FFT sum to rounding.
* **O2** ``spectro_envelope(0.03 s, hop 0.02, magnitude)``: frames of 30 ms every 0.6 ms,
  magnitude spectrum summed over bins; the attack envelope. ~52 000 FFTs for 30 s, the
  extractor's largest cost: batches of FFTW transforms (:mod:`turkmood.features.fft`) with
  compiled windowing and magnitude sums (:mod:`turkmood.features.kernels`).
* **O3** ``filter_envelope``: 10-channel Slaney/Patterson gammatone filterbank (lowest centre
  50 Hz), |x|, one-pole low-pass (tau 20 ms) run forward-backward as Octave's ``filtfilt``
  (odd reflection of 3 samples, steady-state initial conditions), clipped at 0, kept every 16th
  sample, differentiated, summed over channels; the ``mirtempo`` onset curve. Computed without
  storing the channel signals: a compiled bank filters the 10 channels together and reduces
  each block of 16 samples to the two sums the block-wise filtfilt needs
  (:func:`turkmood.features.gammatone.gammatone_block_sums`, :func:`smooth_from_blocks`).

Every curve is divided by its maximum absolute value (``'Normal'``); an all-zero curve becomes
NaN, as MIRtoolbox's 0/0. Times are frame centres (``Spectro``) or sample times (``Filter``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import numpy as np
from scipy import signal

from turkmood.features import fft, parallel
from turkmood.features.fft import batch_rfft
from turkmood.features.frames import frame_starts, next_pow2
from turkmood.features.gammatone import block_backward, block_forward, gammatone_block_sums
from turkmood.features.kernels import abs_row_sums, fft_abs_sums, window_frames_into
from turkmood.features.shared import Clip

#: O1 (``mironsets`` default 'Spectro'): frame length (s) and hop factor.
O1_FRAME_S, O1_HOP = 0.1, 0.1
#: O2 (``mironsets(..., 'Attack')``): frame length (s) and hop factor.
O2_FRAME_S, O2_HOP = 0.03, 0.02
#: O3 (``mirtempo`` 'Filter'): gammatone channels, lowest centre frequency, IIR time constant,
#: decimation factor.
O3_CHANNELS, O3_LOWEST_HZ, O3_TAU_S, O3_DECIM = 10, 50.0, 0.02, 16
#: Frames per FFT batch for O2. Small batches stay in the core's cache (window + FFTW + sums
#: of a 30 s clip, one core, Xeon with 2 MB L2: 164-169 ms for 2 to 8 rows, 186 ms for 64,
#: 207 ms for 128); the compiled loop makes the number of batches free of Python steps.
_FFT_BATCH = 8
#: Slaney's Glasberg & Moore ERB parameters.
_EAR_Q, _MIN_BW = 9.26449, 24.7


@dataclass(frozen=True)
class Envelope:
    """A normalised onset curve: ``values`` at ``times`` (s); ``rate`` is MIRtoolbox's Sampling."""

    values: np.ndarray
    times: np.ndarray
    rate: float

    def __len__(self) -> int:
        return len(self.values)


def _normalise(x: np.ndarray) -> np.ndarray:
    """Divide by max |x| (``mirenvelope(..., 'Normal')``); 0/0 gives NaN as in MATLAB."""
    peak = np.max(np.abs(x)) if x.size else 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        return x / peak


def hann_octave(n: int) -> np.ndarray:
    """Octave's ``hanning(n)`` (= ``window(@hanning, n)``): symmetric, zero end points."""
    if n == 1:
        return np.ones(1)
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n) / (n - 1))


def _frame_dots(y: np.ndarray, starts: np.ndarray, length: int, weights: np.ndarray) -> np.ndarray:
    """Per frame, ``[sum(x^2 w0), sum(x w1), sum(x w2)]`` for the three weight columns.

    When the hop is a whole number of samples dividing the frame length (44.1 and 48 kHz), the
    signal is cut into hop-sized blocks and each frame's dot products are sums of per-block
    matrix products (one BLAS call, no copy of the overlapping frames); otherwise the frames are
    gathered explicitly.
    """
    hop = int(starts[1] - starts[0]) if len(starts) > 1 else 0
    regular = hop > 0 and length % hop == 0 and np.all(starts == np.arange(len(starts)) * hop)
    if not regular:
        frames = y[starts[:, None] + np.arange(length)[None, :]]
        return np.stack(
            (np.einsum("ij,ij,j->i", frames, frames, weights[:, 0]),
             frames @ weights[:, 1], frames @ weights[:, 2]), axis=1
        )  # fmt: skip
    per = length // hop
    n_blocks = len(starts) - 1 + per
    blocks = y[: n_blocks * hop].reshape(n_blocks, hop)
    # w[j*hop + i] -> column j of a (hop, per) matrix, one per weight
    w = weights.reshape(per, hop, 3).transpose(1, 0, 2)
    sq = (blocks * blocks) @ w[:, :, 0]  # (n_blocks, per)
    lin = blocks @ w[:, :, 1:].reshape(hop, 2 * per)  # (n_blocks, 2*per)
    rows = np.arange(len(starts))[:, None] + np.arange(per)[None, :]
    cols = np.arange(per)[None, :]
    energy = sq[rows, cols].sum(axis=1)
    lin = lin.reshape(n_blocks, per, 2)
    return np.stack((energy, lin[rows, cols, 0].sum(axis=1), lin[rows, cols, 1].sum(axis=1)), 1)


def spectro_sum(
    y: np.ndarray, sr: float, frame_s: float, hop_factor: float, power: bool
) -> tuple[np.ndarray, np.ndarray, float]:
    """Per-frame sum over bins 0..Nyquist of |FFT|² (``power``) or |FFT|, un-normalised.

    Returns (sums, frame-centre times in s, envelope sampling rate = sr / first hop in samples).
    """
    starts, length = frame_starts(len(y), sr, frame_s, hop_factor)
    if len(starts) == 0:
        return np.zeros(0), np.zeros(0), math.nan
    n_fft = next_pow2(length)
    window = hann_octave(length)
    if power:
        # Parseval on the zero-padded frame: sum_{k=0}^{N-1}|X_k|^2 = N sum (xw)^2, and the
        # one-sided sum adds the two unpaired bins (DC and Nyquist) once more before halving.
        alt = np.ones(length)
        alt[1::2] = -1.0
        weights = np.stack((window * window, window, window * alt), axis=1)
        energy, dc, nyq = _frame_dots(y, starts, length, weights).T
        sums = (n_fft * energy + dc * dc + nyq * nyq) / 2.0
    else:
        sums = magnitude_sums(y, starts, window, n_fft)
    times = (starts + (length - 1) / 2.0) / sr
    rate = sr / (starts[1] - starts[0]) if len(starts) > 1 else math.nan
    return sums, times, float(rate)


def magnitude_sums(y: np.ndarray, starts: np.ndarray, window: np.ndarray, n_fft: int) -> np.ndarray:
    """Per frame ``y[s : s + L] * window`` (s in ``starts``), the sum over bins 0..Nyquist of
    its ``n_fft``-point magnitude spectrum.

    The frames are cut into one contiguous part per extraction thread
    (:mod:`turkmood.features.parallel`); each frame's sum depends on that frame alone, whatever
    part, batch or thread computes it.
    """
    parts = parallel.split(len(starts), parallel.threads())
    sums = parallel.run_all(
        [partial(_magnitude_sums, y, starts[a:b], window, n_fft) for a, b in parts]
    )
    return np.concatenate(sums) if len(sums) > 1 else sums[0]


def _magnitude_sums(
    y: np.ndarray, starts: np.ndarray, window: np.ndarray, n_fft: int
) -> np.ndarray:
    """:func:`magnitude_sums` of some frames, in batches of FFTW transforms on this thread
    (one compiled call without the GIL when FFTW and numba are there)."""
    batch = batch_rfft(n_fft, _FFT_BATCH)
    rows = batch.frames_of(len(window))
    if fft.EXECUTE_R2C is not None:
        sums = fft_abs_sums(fft.EXECUTE_R2C, batch.plan, y, starts, window, rows, batch.output)
        if sums is not None:
            return sums
    sums = np.empty(len(starts))
    for b in range(0, len(starts), _FFT_BATCH):
        chunk = starts[b : b + _FFT_BATCH]
        window_frames_into(y, chunk, window, rows)
        abs_row_sums(batch.execute(), len(chunk), sums[b : b + len(chunk)])
    return sums


def spectro_envelope(
    y: np.ndarray, sr: float, frame_s: float, hop_factor: float, power: bool, diff: bool = False
) -> Envelope:
    """``mironsets(..., 'Spectro', 'Detect', 0)`` curve, optionally with ``'Diff'`` (lambda 1)."""
    sums, times, rate = spectro_sum(y, sr, frame_s, hop_factor, power)
    if diff:
        sums = np.diff(sums) * (rate / 10.0)
        times = times[:-1]
    return Envelope(_normalise(sums), times, rate)


def erb_filterbank_sos(sr: float, n_channels: int, lowest: float) -> np.ndarray:
    """Gammatone filters (Slaney's ``MakeERBFilters`` as in ``mirfilterbank``).

    Returns an array (n_channels, 4, 6) of second-order sections [b0 b1 b2 1 a1 a2], lowest
    channel first; the first section of each channel carries the unit-gain normalisation.
    """
    t = 1.0 / sr
    k = np.arange(1, n_channels + 1)
    top = sr / 2 + _EAR_Q * _MIN_BW
    cf = (
        -(_EAR_Q * _MIN_BW)
        + np.exp(k * (math.log(lowest + _EAR_Q * _MIN_BW) - math.log(top)) / n_channels) * top
    )
    erb = cf / _EAR_Q + _MIN_BW
    bw = 1.019 * 2 * np.pi * erb
    arg = 2 * cf * np.pi * t
    cos_, sin_, decay = np.cos(arg), np.sin(arg), np.exp(bw * t)
    a1 = -2 * cos_ / decay
    a2 = np.exp(-2 * bw * t)
    s_p, s_m = math.sqrt(3 + 2**1.5), math.sqrt(3 - 2**1.5)
    zeros_b1 = [
        -(2 * t * cos_ / decay + 2 * s_p * t * sin_ / decay) / 2,
        -(2 * t * cos_ / decay - 2 * s_p * t * sin_ / decay) / 2,
        -(2 * t * cos_ / decay + 2 * s_m * t * sin_ / decay) / 2,
        -(2 * t * cos_ / decay - 2 * s_m * t * sin_ / decay) / 2,
    ]
    e4 = np.exp(4j * cf * np.pi * t)
    e2 = np.exp(-(bw * t) + 2j * cf * np.pi * t)
    num = np.ones(n_channels, dtype=complex)
    for sgn, root in ((-1, s_m), (1, s_m), (-1, s_p), (1, s_p)):
        num *= -2 * e4 * t + 2 * e2 * t * (cos_ + sgn * root * sin_)
    den = (-2 / np.exp(2 * bw * t) - 2 * e4 + 2 * (1 + e4) / np.exp(bw * t)) ** 4
    gain = np.abs(num / den)

    sos = np.zeros((n_channels, 4, 6))
    for s in range(4):
        sos[:, s, 0] = t
        sos[:, s, 1] = zeros_b1[s]
        sos[:, s, 3] = 1.0
        sos[:, s, 4] = a1
        sos[:, s, 5] = a2
    sos[:, 0, :3] /= gain[:, None]
    return sos[::-1].copy()  # MIRtoolbox reverses the order: lowest frequency first


def _filtfilt_octave(b: np.ndarray, a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Octave signal 1.4.3 ``filtfilt`` along the last axis (odd padding of 3(n-1) samples)."""
    n = max(len(a), len(b))
    return signal.filtfilt(b, a, x, axis=-1, padtype="odd", padlen=3 * (n - 1), method="pad")


#: Octave ``filtfilt``'s reflection length for the one-pole smoother: 3 * (max(len(a), len(b)) - 1).
_FILTFILT_PAD = 3


def _block_weights(pole: float, decim: int) -> tuple[np.ndarray, float]:
    """Weights of the block-wise one-pole filtfilt (see :func:`smooth_and_decimate`).

    Returns ((2, decim) weights, alpha): row 0 gives the forward filter's value at a block's
    end, ``sum_i b pole^(decim-1-i) v[s+i]``; row 1 the backward pass's block input
    ``sum_i c_i v[s+i]`` with ``c_i = b sum_{j>=i} pole^(2j-i)``; ``alpha = sum_j pole^(2j+1)``
    (j < decim) multiplies the forward value before the block.
    """
    b = 1.0 - pole
    powers = pole ** np.arange(2 * decim)
    end_w = b * powers[decim - 1 :: -1][:decim]
    c = np.array([b * np.sum(pole ** (2 * np.arange(i, decim) - i)) for i in range(decim)])
    return np.stack((end_w, c)), float(np.sum(powers[1 : 2 * decim : 2]))


def _full_blocks(n: int, decim: int) -> int:
    """Blocks of ``decim`` samples taken from the start of a signal of ``n`` samples, leaving
    at least ``_FILTFILT_PAD + 1`` samples (those the end reflection reads) after them."""
    return max(n - _FILTFILT_PAD - 1, 0) // decim


def smooth_from_blocks(
    sums: np.ndarray, head: np.ndarray, rest: np.ndarray, pole: float, decim: int, n: int
) -> np.ndarray:
    """Rows of :func:`smooth_and_decimate` from the block sums of their first samples.

    ``sums`` (rows, 2, M) are the two weighted sums (:func:`_block_weights`) of each of the
    M = :func:`_full_blocks` first blocks of ``decim`` samples; ``head`` the first 4 samples;
    ``rest`` the samples from ``M * decim`` to the end ``n`` (at least 4).
    """
    pad = _FILTFILT_PAD
    if n <= pad:
        raise ValueError("signal too short for filtfilt")
    b = 1.0 - pole
    n_rows = sums.shape[0]
    weights, alpha = _block_weights(pole, decim)
    # Octave's odd reflection: v = [2 x0 - x[3:0:-1], x, 2 x[-1] - x[-2:-5:-1]]
    v_head = 2 * head[:, :1] - head[:, pad:0:-1]
    v_end = np.concatenate((rest, 2 * rest[:, -1:] - rest[:, -2 : -pad - 2 : -1]), axis=1)
    # forward pass f[k] = b v[k] + pole f[k-1], f[-1] = v[0]: first `pad` samples exactly
    f_prev = v_head[:, 0].copy()
    for k in range(pad):
        f_prev = b * v_head[:, k] + pole * f_prev
    n_blocks = (n + pad) // decim  # blocks of v after the reflected head
    extra = n_blocks - sums.shape[2]  # 0 or 1 block reaching into v_end
    last = v_end[:, : extra * decim].reshape(n_rows, extra, decim)
    extra_sums = np.stack([np.einsum("rmk,k->rm", last, w) for w in weights], axis=1)
    # forward: F[m] = pole^decim F[m-1] + drive[m] (f at each block's end) and the backward
    # pass's block input g[m] = alpha F[m-1] + inner[m] (sum_j pole^j f[s+j] over the block)
    p_decim = pole**decim
    g, f_end = block_forward(sums, extra_sums, f_prev, alpha, p_decim)
    # the tail, sample by sample: forward, then backward from y[end] = f[end]
    tail = v_end[:, extra * decim :]
    f_tail = signal.lfilter([b], [1.0, -pole], tail, axis=1, zi=pole * f_end[:, None])[0]
    f_last = f_tail[:, -1] if tail.shape[1] else f_end
    y_tail = signal.lfilter([b], [1.0, -pole], f_tail[:, ::-1], axis=1, zi=pole * f_last[:, None])[
        0
    ][:, ::-1]
    y_next = y_tail[:, 0] if tail.shape[1] else f_last
    # backward over the blocks: y[s_m] = b g[m] + pole^decim y[s_{m+1}]
    n_out = -(-n // decim)
    out = np.empty((n_rows, max(n_out, n_blocks)))
    block_backward(g, b, p_decim, y_next, out)
    if n_out > n_blocks:
        out[:, n_blocks] = y_tail[:, 0]
    return out[:, :n_out]


def smooth_and_decimate(x: np.ndarray, pole: float, decim: int) -> np.ndarray:
    """Rows of ``x`` through Octave's ``filtfilt`` with the one-pole low-pass
    ``(1 - pole) / (1 - pole z^-1)``, then kept every ``decim``-th sample.

    Equal (to rounding) to ``_filtfilt_octave(...)[:, ::decim]`` but computed block-wise: both
    passes are first-order recursions, so over a block of ``decim`` samples they reduce to two
    dot products (:func:`_block_weights`) and a recursion at the decimated rate
    (:func:`smooth_from_blocks`). Only the short tail runs sample by sample.
    """
    n_rows, n = x.shape
    if n <= _FILTFILT_PAD:
        raise ValueError("signal too short for filtfilt")
    weights, _ = _block_weights(pole, decim)
    m = _full_blocks(n, decim)
    blocks = x[:, : m * decim].reshape(n_rows, m, decim)
    sums = np.stack([np.einsum("rmk,k->rm", blocks, w) for w in weights], axis=1)
    return smooth_from_blocks(sums, x[:, : _FILTFILT_PAD + 1], x[:, m * decim :], pole, decim, n)


def filter_envelope(y: np.ndarray, sr: float) -> Envelope:
    """O3: ``mironsets(x, 'Filter', 'Filterbank', 10, 'Diff', 'Detect', 0)`` as in ``mirtempo``.

    The 10 channels are filtered together and reduced to block sums on the fly
    (:func:`turkmood.features.gammatone.gammatone_block_sums`); only the first and last few
    samples of each channel are filtered again by scipy (from the kernel's final states) for
    the filtfilt reflections.
    """
    sos = erb_filterbank_sos(sr, O3_CHANNELS, O3_LOWEST_HZ)
    pole = math.exp(-1.0 / (O3_TAU_S * sr))
    n = len(y)
    if n <= _FILTFILT_PAD:
        raise ValueError("signal too short for filtfilt")
    weights, _ = _block_weights(pole, O3_DECIM)
    m = _full_blocks(n, O3_DECIM)
    sums, states = gammatone_block_sums(sos, y, weights, m)
    zeros = np.zeros((sos.shape[1], 2))
    head = np.stack([signal.sosfilt(s, y[: _FILTFILT_PAD + 1], zi=zeros)[0] for s in sos])
    rest = np.stack(
        [signal.sosfilt(s, y[m * O3_DECIM :], zi=z)[0] for s, z in zip(sos, states, strict=True)]
    )
    smoothed = smooth_from_blocks(sums, np.abs(head), np.abs(rest), pole, O3_DECIM, n)
    total = np.zeros(smoothed.shape[1])
    for row in smoothed:  # channel by channel, lowest first
        total += np.maximum(row, 0.0)
    rate = sr / O3_DECIM
    times = np.arange(len(total)) * (O3_DECIM / sr)
    curve = np.diff(total) * (rate / 10.0)
    return Envelope(_normalise(curve), times[:-1], rate)


def _o1_sums(clip: Clip) -> tuple[np.ndarray, np.ndarray, float]:
    """Raw O1 frame sums, shared by O1 and its differentiated version."""
    return clip.memo(
        "onset_o1_sums", lambda: spectro_sum(clip.y, clip.sr, O1_FRAME_S, O1_HOP, True)
    )


def o1(clip: Clip) -> Envelope:
    """O1, the default ``mironsets`` curve (power spectro envelope, 10 ms steps)."""

    def build() -> Envelope:
        sums, times, rate = _o1_sums(clip)
        return Envelope(_normalise(sums), times, rate)

    return clip.memo("onset_o1", build)


def o1_diff(clip: Clip) -> Envelope:
    """O1 differentiated (``'Diff'``, lambda 1) before normalisation: the pulse-clarity input."""

    def build() -> Envelope:
        sums, times, rate = _o1_sums(clip)
        return Envelope(_normalise(np.diff(sums) * (rate / 10.0)), times[:-1], rate)

    return clip.memo("onset_o1_diff", build)


def o2(clip: Clip) -> Envelope:
    """O2, the attack envelope (magnitude spectro envelope, 0.6 ms steps)."""
    return clip.memo(
        "onset_o2", lambda: spectro_envelope(clip.y, clip.sr, O2_FRAME_S, O2_HOP, False)
    )


@dataclass(frozen=True)
class FrameSums:
    """Un-normalised O2 frame sums of a whole song, with the start sample of each frame."""

    starts: np.ndarray
    sums: np.ndarray


def o2_frame_sums(y: np.ndarray, sr: float) -> FrameSums:
    """O2 frame sums over a whole signal (to be shared by windows cut from it)."""
    starts, _ = frame_starts(len(y), sr, O2_FRAME_S, O2_HOP)
    sums, _, _ = spectro_sum(y, sr, O2_FRAME_S, O2_HOP, False)
    return FrameSums(starts, sums)


def seed_o2(clip: Clip, song: FrameSums, offset: int) -> bool:
    """Give ``clip`` (the song from sample ``offset`` on) its O2 from the song's frame sums.

    Only done when the clip's own O2 frames are exactly song frames (same start samples, so
    the same FFT inputs and bit-identical sums); returns whether the clip was seeded. The
    envelope is then built as :func:`spectro_envelope` builds it.
    """
    starts, length = frame_starts(len(clip.y), clip.sr, O2_FRAME_S, O2_HOP)
    if len(starts) < 2:
        return False
    first = int(np.searchsorted(song.starts, offset + starts[0]))
    stop = first + len(starts)
    if stop > len(song.starts) or not np.array_equal(song.starts[first:stop] - offset, starts):
        return False
    sums = song.sums[first:stop]
    times = (starts + (length - 1) / 2.0) / clip.sr
    rate = float(clip.sr / (starts[1] - starts[0]))
    clip.memo("onset_o2", lambda: Envelope(_normalise(sums), times, rate))
    return True


def o3(clip: Clip) -> Envelope:
    """O3, the ``mirtempo`` gammatone envelope (differentiated)."""
    return clip.memo("onset_o3", lambda: filter_envelope(clip.y, clip.sr))
