"""Audio file → mono float64 signal at the analysis rate (``load_audio``).

Decoding uses libsndfile through ``soundfile`` (libsndfile >= 1.1 reads WAV 8/16/24/32-bit
integer and float, FLAC, OGG/Vorbis, Opus, MP3, AIFF, CAF, ...); no ffmpeg is needed.

What the loader does, in order, and why:

* The header is read first. Files longer than ``MAX_DURATION_S`` or shorter than
  ``MIN_DURATION_S`` are refused from the header's frame count, before any sample is decoded, so
  an hour-long upload costs neither time nor memory.
* Samples are decoded block by block as float in [-1, 1) (integer PCM ``q / 2**(bits-1)``, as
  MIRtoolbox's ``miraudio`` reads them) and averaged over channels at once (``miraudio``'s default
  ``'Mono'``), so a multichannel file never sits in memory at full width. No gain normalisation,
  no DC removal and no trimming are applied, like MIRtoolbox: level-dependent features (RMS,
  roughness, fluctuation) see the file's own level.
* A decoder error part-way (e.g. FLAC losing sync), or fewer decoded frames than the header
  announced (beyond ``TRUNCATION_TOLERANCE``; e.g. a cut MP3), is reported as a truncated/corrupt
  file. WAV and OGG are exceptions: libsndfile already derives their length from the bytes
  present (streamed WAVs legitimately carry a wrong length; OGG has no total length), so a cut
  WAV/OGG decodes to the part that is there, which is then analysed if long enough.
* NaN or infinite samples (only possible in float files) are **refused**, not patched: they mean
  the file is corrupt, and silently replacing them would produce confident-looking features.
* A signal whose peak is below ``SILENCE_PEAK`` is refused as silent: every spectral feature is
  undefined (0/0) on digital silence.
* Rates other than ``ANALYSIS_SR`` (44.1 kHz, the rate of the training clips) are converted with
  soxr at ``RESAMPLE_QUALITY`` ("HQ", linear phase). Effect on the features: downsampling from
  48/96 kHz removes content above ~20 kHz, which music barely has, so features move very little;
  upsampling a low-rate file (8-32 kHz) cannot restore the missing band above its Nyquist
  frequency, so brightness, rolloff, centroid, spread, flatness, entropy and ZCR come out lower
  than a 44.1 kHz recording of the same music would give. Rates below ``MIN_SAMPLE_RATE`` are
  refused.

Every failure raises :class:`turkmood.errors.AudioError` with a message meant for a person.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import numpy as np
import soundfile as sf
import soxr

from turkmood.constants import (
    ANALYSIS_SR,
    DECODE_BLOCK_BYTES,
    MAX_CHANNELS,
    MAX_DECODED_BYTES,
    MAX_DURATION_S,
    MAX_SAMPLE_PEAK,
    MAX_SAMPLE_RATE,
    MIN_DURATION_S,
    MIN_SAMPLE_RATE,
    RESAMPLE_QUALITY,
    SILENCE_PEAK,
    TRUNCATION_TOLERANCE,
    TRUNCATION_TOLERANCE_S,
)
from turkmood.errors import AudioError

AudioSource = str | os.PathLike | bytes | bytearray | memoryview | BinaryIO

__all__ = ["AudioSource", "load_audio", "probe_duration"]

#: Errors a decoder may raise on bad input; all become AudioError.
_DECODER_ERRORS = (sf.SoundFileError, RuntimeError, ValueError, EOFError, OSError, TypeError)
_SUPPORTED = "WAV, FLAC, OGG/Vorbis, Opus, MP3, AIFF"


def _as_file(source: AudioSource) -> str | BinaryIO:
    """A path string or a seekable binary stream positioned at its start; checks emptiness."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.exists():
            raise AudioError(f"Audio file not found: {path.name}")
        if not path.is_file():
            raise AudioError(f"Not a file: {path.name}")
        if path.stat().st_size == 0:
            raise AudioError("The audio file is empty (0 bytes).")
        return str(path)
    if isinstance(source, bytes | bytearray | memoryview):
        if len(source) == 0:
            raise AudioError("The audio file is empty (0 bytes).")
        return io.BytesIO(bytes(source))
    if not hasattr(source, "read"):
        raise AudioError(
            f"Cannot read audio from a {type(source).__name__}; "
            "give a file path, bytes or a binary file object."
        )
    stream = source
    seekable = getattr(stream, "seekable", lambda: False)
    if not seekable():
        stream = io.BytesIO(stream.read())
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size == 0:
        raise AudioError("The audio file is empty (0 bytes).")
    return stream


@contextmanager
def _open(source: AudioSource) -> Iterator[sf.SoundFile]:
    """Open ``source`` with libsndfile, turning every opening failure into AudioError."""
    target = _as_file(source)
    try:
        handle = sf.SoundFile(target)
    except _DECODER_ERRORS as exc:
        raise AudioError(
            "This is not a readable audio file, or its format is not supported "
            f"(supported: {_SUPPORTED})."
        ) from exc
    try:
        yield handle
    finally:
        handle.close()


def _check_header(handle: sf.SoundFile) -> float:
    """Validate rate and announced length; return the announced duration in seconds."""
    sr = handle.samplerate
    if sr < MIN_SAMPLE_RATE:
        raise AudioError(
            f"The sample rate {sr} Hz is too low; at least {MIN_SAMPLE_RATE} Hz is needed."
        )
    if sr > MAX_SAMPLE_RATE:
        raise AudioError(
            f"The sample rate {sr} Hz is too high; at most {MAX_SAMPLE_RATE} Hz is accepted."
        )
    if handle.channels > MAX_CHANNELS:
        raise AudioError(
            f"The file has {handle.channels} channels; at most {MAX_CHANNELS} are accepted."
        )
    if handle.frames <= 0 or handle.channels <= 0:
        raise AudioError("The file contains no audio frames (empty or truncated stream).")
    duration = handle.frames / sr
    if handle.frames * 8 > MAX_DECODED_BYTES:
        raise AudioError(
            f"The audio is too long for its sample rate ({duration / 60:.1f} min at {sr} Hz "
            f"would need {handle.frames * 8 / 1024**3:.1f} GB to decode; the limit is "
            f"{MAX_DECODED_BYTES / 1024**3:.0f} GB)."
        )
    if duration > MAX_DURATION_S:
        raise AudioError(
            f"The audio is too long ({duration / 60:.1f} min); "
            f"the limit is {MAX_DURATION_S / 60:.0f} min."
        )
    if duration < MIN_DURATION_S:
        raise AudioError(
            f"The audio is too short ({duration:.2f} s); at least {MIN_DURATION_S:g} s is needed."
        )
    return duration


def probe_duration(source: AudioSource) -> float:
    """Duration in seconds announced by the file's header, without decoding the samples."""
    with _open(source) as handle:
        if handle.frames <= 0 or handle.samplerate <= 0:
            raise AudioError("The file contains no audio frames (empty or truncated stream).")
        return handle.frames / handle.samplerate


def _decode_mono(handle: sf.SoundFile) -> np.ndarray:
    """Decode all frames as float64, averaging channels block by block."""
    announced = handle.frames
    mono = np.empty(announced, dtype=np.float64)
    block_frames = max(1, DECODE_BLOCK_BYTES // (8 * handle.channels))
    buffer = np.empty((min(block_frames, announced), handle.channels), dtype=np.float64)
    filled = 0
    try:
        while filled < announced:
            want = min(buffer.shape[0], announced - filled)
            block = handle.read(want, dtype="float64", always_2d=True, out=buffer[:want])
            n = block.shape[0]
            if n == 0:
                break
            np.mean(block, axis=1, out=mono[filled : filled + n])
            filled += n
    except _DECODER_ERRORS as exc:
        raise AudioError(
            "The audio file is truncated or corrupt: decoding failed part-way "
            f"(after {filled / handle.samplerate:.1f} s)."
        ) from exc
    shortfall = announced - filled
    tolerance = max(TRUNCATION_TOLERANCE * announced, TRUNCATION_TOLERANCE_S * handle.samplerate)
    if shortfall > tolerance:
        raise AudioError(
            "The audio file is truncated or corrupt: only "
            f"{filled / handle.samplerate:.1f} s of the announced "
            f"{announced / handle.samplerate:.1f} s could be decoded."
        )
    return mono[:filled]


def _check_signal(y: np.ndarray, sr: int) -> None:
    """Refuse decoded signals that are too short, non-finite or silent."""
    if y.size / sr < MIN_DURATION_S:
        raise AudioError(
            f"The audio is too short ({y.size / sr:.2f} s decoded); "
            f"at least {MIN_DURATION_S:g} s is needed."
        )
    # A finite sum proves every sample finite without a full-size mask; only if it is not
    # (a NaN/inf sample, or huge finite float samples overflowing) are the samples counted.
    if not np.isfinite(np.sum(y)):
        bad = int(y.size - np.count_nonzero(np.isfinite(y)))
        if bad:
            raise AudioError(
                f"The audio file is corrupt: it holds {bad} invalid (NaN or infinite) samples."
            )
    peak = max(float(y.max()), -float(y.min()))
    if peak < SILENCE_PEAK:
        raise AudioError("The audio is silent (no signal above -80 dBFS); nothing to analyse.")
    if peak > MAX_SAMPLE_PEAK:
        raise AudioError(
            f"The audio file is corrupt or not normalised: its samples reach {peak:.3g} times "
            "full scale, far beyond what a recording holds."
        )


def load_audio(source: AudioSource) -> tuple[np.ndarray, int]:
    """Decode ``source`` (path, bytes or binary file object) to mono float64 at ``ANALYSIS_SR``.

    A file object is read from its start (it is rewound; an unseekable stream is read into
    memory first), so a Streamlit upload can be passed as is.

    Returns ``(y, ANALYSIS_SR)``. Raises :class:`AudioError` for empty, unreadable, unsupported,
    truncated, too short, too long, silent or non-finite input (see the module docstring).
    """
    try:
        with _open(source) as handle:
            _check_header(handle)
            sr = handle.samplerate
            y = _decode_mono(handle)
        _check_signal(y, sr)
        if sr != ANALYSIS_SR:
            y = soxr.resample(y, sr, ANALYSIS_SR, quality=RESAMPLE_QUALITY)
            y = np.ascontiguousarray(y, dtype=np.float64)
    except MemoryError as exc:
        raise AudioError(
            "The audio is too large to decode on this server (out of memory)."
        ) from exc
    return y, ANALYSIS_SR
