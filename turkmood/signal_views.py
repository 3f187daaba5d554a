"""Arrays behind the audio pictures: a min/max waveform envelope and a mel spectrogram in dB.

Both are reduced to a fixed number of columns whatever the song's length, so a 10-minute song
draws as fast as a 10-second clip. These are pictures for people, not model features: the
spectrogram is computed at SPECTROGRAM_SR (the model always sees ANALYSIS_SR audio).
"""

from __future__ import annotations

from dataclasses import dataclass

import librosa
import numpy as np
import soxr

from turkmood.constants import (
    SPECTROGRAM_DB_RANGE,
    SPECTROGRAM_MAX_FRAMES,
    SPECTROGRAM_MELS,
    SPECTROGRAM_N_FFT,
    SPECTROGRAM_SR,
    WAVEFORM_POINTS,
)


@dataclass(frozen=True)
class Envelope:
    """Waveform outline: per column its centre time (s) and the lowest / highest sample."""

    times: np.ndarray
    low: np.ndarray
    high: np.ndarray


@dataclass(frozen=True)
class Spectrogram:
    """Mel spectrogram: ``db`` has shape (len(freqs), len(times)); 0 dB = loudest cell."""

    times: np.ndarray  # column centres, seconds
    freqs: np.ndarray  # mel band centres, Hz
    db: np.ndarray


def waveform_envelope(y: np.ndarray, sr: int, n_points: int = WAVEFORM_POINTS) -> Envelope:
    """Min and max of each of about ``n_points`` equal blocks of ``y`` (every sample if short)."""
    y = np.asarray(y, dtype=float).ravel()
    if y.size == 0:
        empty = np.zeros(0)
        return Envelope(empty, empty, empty)
    block = max(1, int(np.ceil(y.size / max(1, n_points))))
    n_blocks = int(np.ceil(y.size / block))
    padded = np.pad(y, (0, n_blocks * block - y.size), mode="edge").reshape(n_blocks, block)
    starts = np.arange(n_blocks) * block
    ends = np.minimum(starts + block, y.size)
    return Envelope(times=(starts + ends) / 2 / sr, low=padded.min(axis=1), high=padded.max(axis=1))


def _pool_columns(power: np.ndarray, max_columns: int) -> tuple[np.ndarray, int]:
    """Average groups of adjacent frames so at most ``max_columns`` remain; (pooled, group)."""
    n = power.shape[1]
    group = max(1, int(np.ceil(n / max_columns)))
    if group == 1:
        return power, 1
    n_groups = int(np.ceil(n / group))
    pad = n_groups * group - n
    padded = np.pad(power, ((0, 0), (0, pad)), mode="edge")
    return padded.reshape(power.shape[0], n_groups, group).mean(axis=2), group


def mel_spectrogram_db(
    y: np.ndarray,
    sr: int,
    target_sr: int = SPECTROGRAM_SR,
    n_mels: int = SPECTROGRAM_MELS,
    n_fft: int = SPECTROGRAM_N_FFT,
    max_frames: int = SPECTROGRAM_MAX_FRAMES,
) -> Spectrogram:
    """Mel power spectrogram in dB re. its loudest cell, floored SPECTROGRAM_DB_RANGE below.

    The signal is resampled to ``target_sr`` (frequencies up to ``target_sr / 2`` are shown),
    analysed with Hann frames of ``n_fft`` at 50 % overlap, and adjacent frames are averaged
    (in power) so that at most ``max_frames`` columns remain.
    """
    y = np.asarray(y, dtype=np.float32).ravel()
    if sr != target_sr:
        y = soxr.resample(y, sr, target_sr, quality="LQ")
    if y.size < n_fft:
        y = np.pad(y, (0, n_fft - y.size))
    hop = n_fft // 2
    power = np.abs(librosa.stft(y, n_fft=n_fft, hop_length=hop, center=True)) ** 2
    mel = librosa.filters.mel(sr=target_sr, n_fft=n_fft, n_mels=n_mels) @ power
    pooled, group = _pool_columns(mel, max_frames)
    db = librosa.power_to_db(pooled, ref=np.max, top_db=SPECTROGRAM_DB_RANGE)
    frame_times = np.arange(mel.shape[1]) * hop / target_sr
    n_cols = pooled.shape[1]
    times = np.array(
        [frame_times[i * group : (i + 1) * group].mean() for i in range(n_cols)], dtype=float
    )
    freqs = librosa.mel_frequencies(n_mels=n_mels + 2, fmax=target_sr / 2)[1:-1]
    return Spectrogram(times=times, freqs=freqs, db=db)
