"""Decoding with PyAV (FFmpeg inside its wheel; no system ffmpeg) for what libsndfile cannot do.

Two jobs, both called from :mod:`turkmood.audio`:

* **Formats libsndfile does not read** — M4A/AAC and ALAC (what phones and most stores produce),
  raw ADTS AAC, and AIFF variants libsndfile refuses. Only the containers in
  ``ACCEPTED_CONTAINERS`` are decoded: FFmpeg can probe far more (images, video, subtitles),
  and an upload is audio or it is refused.
* **MP3s whose header understates their length.** Without a Xing/Info/VBRI header libmpg123
  estimates a VBR file's length from its first frame's bitrate, and libsndfile then stops
  reading at that estimate: a 60-minute file is read as 6 minutes, with no error.
  :func:`count_frames` counts the real length from the packets (demuxing only, no decoding), so
  the caller can tell when the header lied and decode to the real end here.

Samples come out as float64 in [-1, 1) averaged over channels, like the libsndfile path; the
decode stops (AudioError) as soon as it passes ``limit_frames``, so a lying header never costs
more than the length limit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO, Protocol, TypeVar

import av
import numpy as np

from turkmood.errors import AudioError

__all__ = ["ACCEPTED_CONTAINERS", "DecodedStream", "count_frames", "decode_mono", "probe"]

#: FFmpeg demuxer names accepted for upload (``container.format.name``).
ACCEPTED_CONTAINERS: frozenset[str] = frozenset(
    {"mov,mp4,m4a,3gp,3g2,mj2", "aac", "aiff", "mp3", "caf", "ogg", "flac", "wav"}
)
#: Full scale of each integer sample format (FFmpeg names without the planar ``p``).
_INT_SCALE = {"s16": 2.0**15, "s32": 2.0**31, "s64": 2.0**63}
#: Damaged packets skipped before a file counts as corrupt (or 1 % of its packets).
MAX_BAD_PACKETS = 3
_ERRORS = (av.FFmpegError, OSError, ValueError, EOFError, RuntimeError, IndexError)
_NOT_AUDIO = "This is not a readable audio file, or its format is not supported"


@dataclass(frozen=True)
class DecodedStream:
    """What the header of an FFmpeg-readable audio stream says (before decoding)."""

    container_format: str
    sample_rate: int
    channels: int
    #: Announced length (0.0 when the container does not say).
    seconds: float


@contextmanager
def _open(target: str | BinaryIO, supported: str) -> Iterator[av.container.InputContainer]:
    """Open an accepted audio container; AudioError for anything else."""
    if not isinstance(target, str):
        target.seek(0)
    try:
        container = av.open(target, mode="r")
    except _ERRORS as exc:
        raise AudioError(f"{_NOT_AUDIO} (supported: {supported}).") from exc
    try:
        if container.format.name not in ACCEPTED_CONTAINERS or not container.streams.audio:
            raise AudioError(f"{_NOT_AUDIO} (supported: {supported}).")
        yield container
    finally:
        container.close()
        if not isinstance(target, str):
            target.seek(0)


def _info(container: av.container.InputContainer) -> DecodedStream:
    stream = container.streams.audio[0]
    ctx = stream.codec_context
    seconds = 0.0
    if stream.duration is not None and stream.time_base is not None:
        seconds = float(stream.duration * stream.time_base)
    elif container.duration is not None:
        seconds = container.duration / av.time_base
    rate = int(ctx.sample_rate or 0)
    return DecodedStream(container.format.name, rate, int(ctx.channels), seconds)


def probe(target: str | BinaryIO, supported: str) -> DecodedStream:
    """Container, rate, channels and announced length of the first audio stream."""
    with _open(target, supported) as container:
        return _info(container)


def count_frames(target: str | BinaryIO) -> int | None:
    """Samples per channel in the first audio stream, counted from its packets (no decoding).

    ``None`` when the packets do not carry durations (the caller then trusts the header).
    """
    if not isinstance(target, str):
        target.seek(0)
    try:
        with av.open(target, mode="r") as container:
            stream = container.streams.audio[0]
            rate = stream.codec_context.sample_rate
            total = 0
            for packet in container.demux(stream):
                if packet.duration is None and packet.size:
                    return None
                total += packet.duration or 0
            return int(round(total * stream.time_base * rate))
    except _ERRORS:
        return None
    finally:
        if not isinstance(target, str):
            target.seek(0)


def _frame_mono(frame: av.AudioFrame) -> np.ndarray:
    """One decoded frame as mono float64 in [-1, 1)."""
    name = frame.format.name.rstrip("p")
    data = frame.to_ndarray()
    channels = len(frame.layout.channels)
    if not frame.format.is_planar:
        data = data.reshape(-1, channels).T
    data = data.astype(np.float64, copy=False)
    if name == "u8":
        data = (data - 128.0) / 128.0
    elif name in _INT_SCALE:
        data = data / _INT_SCALE[name]
    return data.mean(axis=0)


def _frames(container: av.container.InputContainer) -> Iterator[av.AudioFrame]:
    """Decoded frames; a packet the decoder rejects (a damaged frame) is skipped, as players do,
    up to ``MAX_BAD_PACKETS`` or 1 % of the packets — beyond that the file is corrupt."""
    stream = container.streams.audio[0]
    bad = 0
    for packets, packet in enumerate(container.demux(stream), start=1):
        try:
            yield from packet.decode()
        except av.InvalidDataError as exc:
            bad += 1
            if bad > max(MAX_BAD_PACKETS, packets // 100):
                raise AudioError(
                    f"The audio file is corrupt: {bad} of its first {packets} frames cannot be "
                    "decoded."
                ) from exc


class MonoSink(Protocol):
    """Where decoded mono blocks go (e.g. :class:`turkmood.audio.MonoSignal`)."""

    def add(self, block: np.ndarray) -> None: ...


Sink = TypeVar("Sink", bound=MonoSink)


def decode_mono(
    target: str | BinaryIO,
    supported: str,
    limit_for: Callable[[DecodedStream], int],
    sink_for: Callable[[DecodedStream], Sink],
) -> Sink:
    """Decode the first audio stream to mono float64 at its own rate, block by block into
    ``sink_for(header)``, which is returned.

    ``limit_for(header)`` checks what the header says (raising AudioError to refuse) and returns
    the most samples to decode. Raises AudioError when more are decoded (the file is longer than
    allowed, whatever its header said) or when the decoder fails part-way.
    """
    with _open(target, supported) as container:
        info = _info(container)
        limit_frames = limit_for(info)
        sink = sink_for(info)
        filled = 0
        try:
            for frame in _frames(container):
                if frame.sample_rate != info.sample_rate:
                    raise AudioError("The sample rate changes part-way; cannot analyse it.")
                block = _frame_mono(frame)
                filled += block.size
                if filled > limit_frames:
                    minutes = limit_frames / info.sample_rate / 60
                    raise AudioError(
                        f"The audio is too long: more than {minutes:.1f} min decoded, beyond "
                        "the limit (its header announced less)."
                    )
                sink.add(block)
        except AudioError:
            raise
        except _ERRORS as exc:
            raise AudioError(
                "The audio file is truncated or corrupt: decoding failed part-way "
                f"(after {filled / max(info.sample_rate, 1):.1f} s)."
            ) from exc
    return sink
