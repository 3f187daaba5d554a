"""Audio file → mono float64 signal at the analysis rate (``load_audio``).

Decoding uses libsndfile through ``soundfile`` (libsndfile >= 1.1 reads WAV 8/16/24/32-bit
integer and float, FLAC, OGG/Vorbis, Opus, MP3, AIFF, CAF, ...). What it cannot read (M4A/AAC,
ALAC) and MP3s whose header understates their length are decoded with PyAV
(:mod:`turkmood.audio_av`, FFmpeg inside its wheel); no system ffmpeg is needed.

What the loader does, in order, and why:

* The header is read first. Files longer than ``MAX_DURATION_S`` or shorter than
  ``MIN_DURATION_S`` are refused from the header's frame count, before any sample is decoded, so
  an hour-long upload costs neither time nor memory; so are files holding more than
  ``MAX_INPUT_SAMPLES`` samples over all channels (decoding costs CPU per sample: 19 minutes of
  8-channel 96 kHz audio took 10 s of CPU to decode before its analysis began).
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
  soxr at ``RESAMPLE_QUALITY`` ("HQ", linear phase), block by block as they are decoded
  (:class:`MonoSignal`: the same samples as one call over the whole signal). Effect on the
  features: downsampling from 48/96 kHz removes content above ~20 kHz, which music barely has, so
  features move very little; upsampling a low-rate file (8-32 kHz) cannot restore the missing band
  above its Nyquist frequency, so brightness, rolloff, centroid, spread, flatness, entropy and ZCR
  come out lower than a 44.1 kHz recording of the same music would give. Rates below
  ``MIN_SAMPLE_RATE`` are refused.

Every failure raises :class:`turkmood.errors.AudioError` with a message meant for a person.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import soundfile as sf
import soxr

from turkmood import audio_av
from turkmood.constants import (
    ANALYSIS_SR,
    AUDIO_FORMATS_TEXT,
    DECODE_BLOCK_BYTES,
    MAX_CHANNELS,
    MAX_DECODED_BYTES,
    MAX_DURATION_S,
    MAX_INPUT_SAMPLES,
    MAX_SAMPLE_PEAK,
    MAX_SAMPLE_RATE,
    MIN_DURATION_S,
    MIN_SAMPLE_RATE,
    RESAMPLE_BLOCK_FRAMES,
    RESAMPLE_QUALITY,
    SILENCE_PEAK,
    TRUNCATION_TOLERANCE,
    TRUNCATION_TOLERANCE_S,
)
from turkmood.errors import AudioError

AudioSource = str | os.PathLike | bytes | bytearray | memoryview | BinaryIO

__all__ = [
    "AudioSource",
    "DecodedAudio",
    "MonoSignal",
    "decode_audio",
    "load_audio",
    "probe_duration",
]

#: Errors a decoder may raise on bad input; all become AudioError.
_DECODER_ERRORS = (sf.SoundFileError, RuntimeError, ValueError, EOFError, OSError, TypeError)
_SUPPORTED = AUDIO_FORMATS_TEXT


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


def _check_header(sr: int, channels: int, frames: int) -> float:
    """Validate rate, channels and announced length; return the announced duration in seconds."""
    if sr < MIN_SAMPLE_RATE:
        raise AudioError(
            f"The sample rate {sr} Hz is too low; at least {MIN_SAMPLE_RATE} Hz is needed."
        )
    if sr > MAX_SAMPLE_RATE:
        raise AudioError(
            f"The sample rate {sr} Hz is too high; at most {MAX_SAMPLE_RATE} Hz is accepted."
        )
    if channels > MAX_CHANNELS:
        raise AudioError(f"The file has {channels} channels; at most {MAX_CHANNELS} are accepted.")
    if frames <= 0 or channels <= 0:
        raise AudioError("The file contains no audio frames (empty or truncated stream).")
    duration = frames / sr
    if frames * 8 > MAX_DECODED_BYTES:
        raise AudioError(
            f"The audio is too long for its sample rate ({duration / 60:.1f} min at {sr} Hz "
            f"would need {frames * 8 / 1024**3:.1f} GB to decode; the limit is "
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
    if frames * channels > MAX_INPUT_SAMPLES:
        raise AudioError(
            f"The file holds {frames * channels / 1e6:.0f} million samples ({duration / 60:.1f} "
            f"min × {channels} channels × {sr} Hz); at most {MAX_INPUT_SAMPLES / 1e6:.0f} million "
            "are decoded (20 minutes of 96 kHz stereo). Mix it down to stereo or resample it "
            "first."
        )
    return duration


def _tolerance(frames: int, sr: int) -> float:
    """How many frames a decoded length may differ from the announced one."""
    return max(TRUNCATION_TOLERANCE * frames, TRUNCATION_TOLERANCE_S * sr)


def probe_duration(source: AudioSource) -> float:
    """Duration in seconds announced by the file's header, without decoding the samples."""
    target = _as_file(source)
    try:
        handle = sf.SoundFile(target)
    except _DECODER_ERRORS:
        info = audio_av.probe(target, _SUPPORTED)
        if info.seconds <= 0:
            raise AudioError("The file does not say how long it is.") from None
        return info.seconds
    with handle:
        if handle.frames <= 0 or handle.samplerate <= 0:
            raise AudioError("The file contains no audio frames (empty or truncated stream).")
        return handle.frames / handle.samplerate


class MonoSignal:
    """The decoded mono signal, kept at ``ANALYSIS_SR`` while its blocks arrive at ``rate``.

    A file at another rate is resampled as it is decoded (soxr's stream: the same samples as
    resampling the whole signal at once), so its whole native-rate signal is never held: a
    96 kHz file of 19 minutes used to hold 0.9 GB at 96 kHz next to its 0.4 GB at 44.1 kHz. The
    native-rate length, invalid samples and peak are kept for :func:`_check_signal`.
    """

    def __init__(self, rate: int, expected_frames: int = 0) -> None:
        self.rate = rate
        self.frames = 0
        self.invalid = 0
        self.peak = 0.0
        self._stream = (
            None
            if rate == ANALYSIS_SR
            else soxr.ResampleStream(
                rate, ANALYSIS_SR, 1, dtype="float64", quality=RESAMPLE_QUALITY
            )
        )
        self._pending: list[np.ndarray] = []  # native blocks not yet resampled
        self._pending_frames = 0
        self._out = np.empty(int(np.ceil(max(expected_frames, 0) * ANALYSIS_SR / rate)) + 64)
        self._filled = 0

    def add(self, block: np.ndarray) -> None:
        """Append ``block`` (mono float64 at ``rate``)."""
        self.frames += block.size
        # a finite sum proves every sample finite without a full-size mask
        if not np.isfinite(np.sum(block)):
            self.invalid += int(block.size - np.count_nonzero(np.isfinite(block)))
        if block.size and not self.invalid:
            self.peak = max(self.peak, float(block.max()), -float(block.min()))
        if self._stream is None:
            self._append(block)
            return
        if not self._pending and block.size >= RESAMPLE_BLOCK_FRAMES:  # no copy needed
            self._append(self._stream.resample_chunk(block, last=False))
            return
        self._pending.append(np.array(block, dtype=np.float64))  # the caller reuses its buffer
        self._pending_frames += block.size
        if self._pending_frames >= RESAMPLE_BLOCK_FRAMES:
            self._resample(last=False)

    def _resample(self, last: bool) -> None:
        chunk = np.concatenate(self._pending) if self._pending else np.zeros(0)
        self._pending, self._pending_frames = [], 0
        self._append(self._stream.resample_chunk(chunk, last=last))

    def _append(self, samples: np.ndarray) -> None:
        end = self._filled + samples.size
        if end > self._out.size:  # the header understated the length: grow by half
            grown = np.empty(max(end, self._out.size + self._out.size // 2))
            grown[: self._filled] = self._out[: self._filled]
            self._out = grown
        self._out[self._filled : end] = samples
        self._filled = end

    def result(self) -> np.ndarray:
        """The whole signal at ``ANALYSIS_SR`` (call once, after the last block)."""
        if self._stream is not None:
            self._resample(last=True)
            self._stream = None
        return self._out[: self._filled]


def _decode_mono(handle: sf.SoundFile) -> MonoSignal:
    """Decode all frames as float64, averaging channels block by block."""
    announced = handle.frames
    signal = MonoSignal(handle.samplerate, announced)
    block_frames = max(1, DECODE_BLOCK_BYTES // (8 * handle.channels))
    buffer = np.empty((min(block_frames, announced), handle.channels), dtype=np.float64)
    mono = np.empty(buffer.shape[0], dtype=np.float64)
    try:
        while signal.frames < announced:
            want = min(buffer.shape[0], announced - signal.frames)
            block = handle.read(want, dtype="float64", always_2d=True, out=buffer[:want])
            n = block.shape[0]
            if n == 0:
                break
            signal.add(np.mean(block, axis=1, out=mono[:n]))
    except _DECODER_ERRORS as exc:
        raise AudioError(
            "The audio file is truncated or corrupt: decoding failed part-way "
            f"(after {signal.frames / handle.samplerate:.1f} s)."
        ) from exc
    if announced - signal.frames > _tolerance(announced, handle.samplerate):
        raise AudioError(
            "The audio file is truncated or corrupt: only "
            f"{signal.frames / handle.samplerate:.1f} s of the announced "
            f"{announced / handle.samplerate:.1f} s could be decoded."
        )
    return signal


def _check_signal(signal: MonoSignal) -> None:
    """Refuse decoded signals that are too short, non-finite or silent (at the file's rate)."""
    if signal.frames / signal.rate < MIN_DURATION_S:
        raise AudioError(
            f"The audio is too short ({signal.frames / signal.rate:.2f} s decoded); "
            f"at least {MIN_DURATION_S:g} s is needed."
        )
    if signal.invalid:
        raise AudioError(
            f"The audio file is corrupt: it holds {signal.invalid} invalid (NaN or infinite) "
            "samples."
        )
    if signal.peak < SILENCE_PEAK:
        raise AudioError("The audio is silent (no signal above -80 dBFS); nothing to analyse.")
    if signal.peak > MAX_SAMPLE_PEAK:
        raise AudioError(
            f"The audio file is corrupt or not normalised: its samples reach {signal.peak:.3g} "
            "times full scale, far beyond what a recording holds."
        )


@dataclass(frozen=True)
class DecodedAudio:
    """A decoded signal at ``ANALYSIS_SR`` and what the decoder had to say about the file."""

    y: np.ndarray
    sr: int
    #: Plain-language notes for the user (e.g. a header that understated the length).
    notes: tuple[str, ...] = ()


def _rewound(target: str | BinaryIO) -> str | BinaryIO:
    if not isinstance(target, str):
        target.seek(0)
    return target


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 120 else f"{seconds:.1f} s"


def _av_limit(info: audio_av.DecodedStream) -> int:
    """Check a PyAV stream's header like libsndfile's; the most samples its decode may yield."""
    sr = info.sample_rate
    announced = info.seconds if info.seconds > 0 else MIN_DURATION_S  # unknown: checked after
    _check_header(sr, info.channels, round(announced * sr))
    return min(
        round(MAX_DURATION_S * sr + _tolerance(MAX_DURATION_S * sr, sr)), MAX_DECODED_BYTES // 8
    )


def _new_signal(info: audio_av.DecodedStream) -> MonoSignal:
    return MonoSignal(info.sample_rate, round(max(info.seconds, 0.0) * info.sample_rate))


def _decode_with_av(target: str | BinaryIO, notes: tuple[str, ...] = ()) -> DecodedAudio:
    """Decode what libsndfile cannot (M4A/AAC, ALAC, lying MP3 headers) with PyAV."""
    return _finish(audio_av.decode_mono(target, _SUPPORTED, _av_limit, _new_signal), notes)


def _finish(signal: MonoSignal, notes: tuple[str, ...]) -> DecodedAudio:
    _check_signal(signal)
    return DecodedAudio(np.ascontiguousarray(signal.result()), ANALYSIS_SR, notes)


def _decode(target: str | BinaryIO) -> DecodedAudio:
    try:
        handle = sf.SoundFile(target)
    except _DECODER_ERRORS:
        return _decode_with_av(target)
    with handle:
        _check_header(handle.samplerate, handle.channels, handle.frames)
        sr, channels, announced = handle.samplerate, handle.channels, handle.frames
        if handle.format != "MP3":
            return _finish(_decode_mono(handle), ())
    # libsndfile reads an MP3 only up to its header's length, which without a Xing/Info header
    # is an estimate from the first frame's bitrate: count the real length from the packets
    real = audio_av.count_frames(target)
    if real is not None and real - announced > _tolerance(announced, sr):
        _check_header(sr, channels, real)
        note = (
            f"The MP3's header announced {_minutes(announced / sr)}, but the file holds "
            f"{_minutes(real / sr)} (a VBR file without a length header); it was decoded to "
            "its real end."
        )
        return _decode_with_av(target, (note,))
    with sf.SoundFile(_rewound(target)) as handle:
        return _finish(_decode_mono(handle), ())


def decode_audio(source: AudioSource) -> DecodedAudio:
    """Decode ``source`` (path, bytes or binary file object) to mono float64 at ``ANALYSIS_SR``.

    Like :func:`load_audio`, with the decoder's notes for the user.
    """
    target = _as_file(source)
    try:
        return _decode(target)
    except MemoryError as exc:
        raise AudioError(
            "The audio is too large to decode on this server (out of memory)."
        ) from exc


def load_audio(source: AudioSource) -> tuple[np.ndarray, int]:
    """Decode ``source`` (path, bytes or binary file object) to mono float64 at ``ANALYSIS_SR``.

    A file object is read from its start (it is rewound; an unseekable stream is read into
    memory first), so a Streamlit upload can be passed as is.

    Returns ``(y, ANALYSIS_SR)``. Raises :class:`AudioError` for empty, unreadable, unsupported,
    truncated, too short, too long, silent or non-finite input (see the module docstring).
    """
    decoded = decode_audio(source)
    return decoded.y, decoded.sr
