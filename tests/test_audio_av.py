"""What libsndfile cannot read, decoded with PyAV (turkmood.audio_av): M4A/AAC and ALAC from phones
and stores, and MP3s whose header understates their length (read to the real end, with a note)."""

from __future__ import annotations

import io

import av
import numpy as np
import pytest
import soundfile as sf

from turkmood import audio
from turkmood.analyze import analyze
from turkmood.audio import decode_audio, load_audio, probe_duration
from turkmood.batch import expand_paths
from turkmood.batch_run import run_batch
from turkmood.constants import ANALYSIS_SR
from turkmood.errors import AudioError
from turkmood.model import cached_model

SR = ANALYSIS_SR


def _tone(seconds: float, freq: float = 330.0) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return (0.3 * np.sin(2 * np.pi * freq * t) * (1 + 0.5 * np.sin(2 * np.pi * 3 * t))).astype(
        np.float32
    )


def _encode(
    y: np.ndarray, container: str, codec: str, bit_rate: int | None = None, **options: str
) -> bytes:
    """``y`` (mono float32) encoded with FFmpeg (PyAV's wheel) into ``container`` bytes."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container, options=options) as out:
        stream = out.add_stream(codec, rate=SR, layout="mono")
        if bit_rate:
            stream.bit_rate = bit_rate
        size = stream.codec_context.frame_size or 1024
        fmt = stream.codec_context.format
        for start in range(0, len(y), size):
            chunk = y[start : start + size][None, :]
            if fmt.name.startswith("s16"):
                chunk = (chunk * 32767).astype(np.int16)
            elif fmt.name.startswith("s32"):
                chunk = (chunk * 2**31).astype(np.int32)
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(chunk), format=fmt.name, layout="mono"
            )
            frame.sample_rate = SR
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()


def _lying_mp3(loud_s: float = 2.0, quiet_s: float = 20.0) -> bytes:
    """A VBR-like MP3 with no Xing/Info header: 320 kbit/s first, then 32 kbit/s.

    libmpg123 estimates the length from the first frame's bitrate, so the header says about
    4 s for 22 s of audio.
    """
    first = _encode(_tone(loud_s), "mp3", "libmp3lame", 320_000, write_xing="0")
    rest = _encode(_tone(quiet_s, 220.0), "mp3", "libmp3lame", 32_000, write_xing="0")
    return first + rest


def test_m4a_aac_decodes_like_the_signal(tmp_path):
    y = _tone(5.0)
    path = tmp_path / "phone memo.m4a"
    path.write_bytes(_encode(y, "mp4", "aac", 128_000))
    with pytest.raises(sf.LibsndfileError):
        sf.info(str(path))  # libsndfile alone refuses it
    decoded, sr = load_audio(path)
    assert sr == SR
    assert abs(decoded.size / SR - 5.0) < 0.1  # AAC adds at most a frame or two of priming
    # same tone at the same level: RMS within 5 % of the source
    rms_in, rms_out = np.sqrt(np.mean(y**2)), np.sqrt(np.mean(decoded**2))
    assert abs(rms_out / rms_in - 1) < 0.05
    assert load_audio(path.read_bytes())[0].size == decoded.size  # bytes give the same
    assert abs(probe_duration(path) - 5.0) < 0.1


def test_alac_and_adts_aac_decode(tmp_path):
    y = _tone(3.0)
    alac = _encode(y, "ipod", "alac")
    decoded, _ = load_audio(alac)
    # lossless: the 16-bit samples come back to within one quantisation step
    n = min(decoded.size, y.size)
    assert np.max(np.abs(decoded[:n] - y[:n])) < 2 / 2**15
    adts = _encode(y, "adts", "aac", 128_000)
    assert abs(load_audio(adts)[0].size / SR - 3.0) < 0.1


def test_m4a_through_analyze_and_a_cut_m4a_is_a_clear_error(tmp_path):
    data = _encode(_tone(6.0), "mp4", "aac", 128_000)
    result = analyze(data)
    assert abs(result.duration_s - 6.0) < 0.1 and result.predicted
    with pytest.raises(AudioError):
        load_audio(data[: len(data) // 3])  # moov atom at the end is lost: unreadable


@pytest.mark.parametrize(
    "payload",
    [
        b"\x89PNG\r\n\x1a\n" + bytes(2048),
        b"WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n",
        bytes(np.random.default_rng(3).integers(0, 256, 50_000, dtype=np.uint8)),
    ],
    ids=["png", "subtitles", "random"],
)
def test_what_ffmpeg_could_probe_but_is_not_audio_is_refused(payload):
    with pytest.raises(AudioError, match="not a readable audio file"):
        load_audio(payload)


def test_mp3_whose_header_understates_its_length_is_read_to_the_end(tmp_path):
    data = _lying_mp3()
    path = tmp_path / "vbr.mp3"
    path.write_bytes(data)
    announced = sf.info(str(path)).duration
    assert announced < 6.0  # what libsndfile alone would have analysed
    decoded = decode_audio(path)
    assert abs(decoded.y.size / SR - 22.0) < 0.3
    assert len(decoded.notes) == 1 and "decoded to its real end" in decoded.notes[0]
    assert "22." in decoded.notes[0]
    result = analyze(path)
    assert abs(result.duration_s - 22.0) < 0.3
    assert result.notes[0] == decoded.notes[0]  # the note reaches the Analyze page and batch


def test_the_length_limit_holds_against_the_real_length(monkeypatch):
    monkeypatch.setattr(audio, "MAX_DURATION_S", 10.0)  # the real 22 s is over; the header 4 s
    with pytest.raises(AudioError, match="too long"):
        load_audio(_lying_mp3())


def test_an_honest_mp3_is_still_read_by_libsndfile(tmp_path):
    path = tmp_path / "cbr.mp3"
    path.write_bytes(_encode(_tone(4.0), "mp3", "libmp3lame", 128_000))
    decoded = decode_audio(path)
    assert decoded.notes == ()
    y, _ = sf.read(str(path))
    np.testing.assert_array_equal(decoded.y, y)  # mono already: libsndfile's samples, untouched


def test_a_folder_scores_m4a_and_reports_non_audio_in_its_own_row(tmp_path):
    folder = tmp_path / "album"
    folder.mkdir()
    (folder / "track.m4a").write_bytes(_encode(_tone(4.0), "mp4", "aac", 128_000))
    (folder / "cover.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(1000))
    out = tmp_path / "results.csv"
    summary = run_batch(expand_paths([folder]), out, cached_model(), log_source=None)
    assert summary.n_files == 2 and summary.n_ok == 1
    assert [name for name, _ in summary.errors] == [str(folder / "cover.jpg")]
    assert "not a readable audio file" in summary.errors[0][1]
