"""turkmood.audio: every supported format decodes to mono float64 at 44.1 kHz; every bad input
raises AudioError with a specific message (never a decoder traceback)."""

from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from turkmood.audio import load_audio, probe_duration
from turkmood.constants import ANALYSIS_SR, MAX_DURATION_S, MIN_DURATION_S
from turkmood.errors import AudioError

FIXTURES = Path(__file__).parent / "fixtures" / "audio"


def _sine(sr: int, seconds: float = 2.0, freq: float = 440.0, amp: float = 0.5) -> np.ndarray:
    t = np.arange(int(round(seconds * sr))) / sr
    return amp * np.sin(2 * np.pi * freq * t + 0.1)


def _crossings_per_s(y: np.ndarray, sr: int) -> float:
    return np.count_nonzero(y[1:] * y[:-1] < 0) / y.size * sr / 2


def _write(path: Path, data: np.ndarray, sr: int, **kw) -> Path:
    sf.write(str(path), data, sr, **kw)
    return path


# --- formats and bit depths ------------------------------------------------------------------


@pytest.mark.parametrize("subtype", ["PCM_U8", "PCM_16", "PCM_24", "PCM_32", "FLOAT", "DOUBLE"])
def test_wav_bit_depths_decode_exactly(tmp_path, subtype):
    y = _sine(ANALYSIS_SR)
    path = _write(tmp_path / f"s_{subtype}.wav", y, ANALYSIS_SR, subtype=subtype)
    out, sr = load_audio(path)
    assert sr == ANALYSIS_SR
    assert out.dtype == np.float64 and out.ndim == 1 and out.flags.c_contiguous
    # Equal to what libsndfile reads (q / 2**(bits-1)), i.e. what MIRtoolbox sees.
    expected, _ = sf.read(str(path), dtype="float64")
    np.testing.assert_array_equal(out, expected)
    step = {"PCM_U8": 2**-7, "PCM_16": 2**-15, "PCM_24": 2**-23, "PCM_32": 2**-31}.get(subtype, 0)
    assert np.max(np.abs(out - y)) <= step + 1e-7


@pytest.mark.parametrize(
    ("fmt", "subtype", "ext", "sr", "tol"),
    [
        ("FLAC", "PCM_16", "flac", ANALYSIS_SR, 0.5),
        ("FLAC", "PCM_24", "flac", 96_000, 0.5),
        ("OGG", "VORBIS", "ogg", ANALYSIS_SR, 5.0),
        ("OGG", "OPUS", "opus", 48_000, 5.0),
        ("MP3", "MPEG_LAYER_III", "mp3", ANALYSIS_SR, 5.0),
    ],
)
def test_compressed_formats_decode(tmp_path, fmt, subtype, ext, sr, tol):
    if fmt not in sf.available_formats() or subtype not in sf.available_subtypes(fmt):
        pytest.skip(f"libsndfile {sf.__libsndfile_version__} cannot write {fmt}/{subtype}")
    path = _write(tmp_path / f"s.{ext}", _sine(sr, 3.0, 1000.0), sr, format=fmt, subtype=subtype)
    out, out_sr = load_audio(path)
    assert out_sr == ANALYSIS_SR
    assert abs(out.size / ANALYSIS_SR - 3.0) < 0.1  # codec delay/padding only
    assert abs(_crossings_per_s(out, ANALYSIS_SR) - 1000.0) < tol
    assert 0.3 < np.sqrt(np.mean(out**2)) < 0.4  # 0.5/sqrt(2) = 0.354


@pytest.mark.parametrize("sr", [8_000, 22_050, 48_000, 96_000])
def test_other_rates_are_resampled_to_44k1(tmp_path, sr):
    path = _write(tmp_path / "s.wav", _sine(sr, 2.0, 1000.0), sr, subtype="FLOAT")
    out, out_sr = load_audio(path)
    assert out_sr == ANALYSIS_SR
    assert abs(out.size - 2.0 * ANALYSIS_SR) <= 1
    # Same tone after resampling: 1000 crossings/s and the same level (away from the edges).
    assert abs(_crossings_per_s(out, ANALYSIS_SR) - 1000.0) < 1.0
    middle = out[ANALYSIS_SR // 4 : -ANALYSIS_SR // 4]
    assert np.sqrt(np.mean(middle**2)) == pytest.approx(0.5 / np.sqrt(2), rel=1e-3)


def test_stereo_and_multichannel_are_averaged(tmp_path):
    a, b = _sine(ANALYSIS_SR, freq=440.0), _sine(ANALYSIS_SR, freq=660.0, amp=0.2)
    path = _write(tmp_path / "st.wav", np.column_stack([a, b]), ANALYSIS_SR, subtype="DOUBLE")
    out, _ = load_audio(path)
    np.testing.assert_allclose(out, (a + b) / 2, atol=1e-15)

    chans = np.column_stack([_sine(ANALYSIS_SR, freq=100.0 * (k + 1), amp=0.1) for k in range(6)])
    path6 = _write(tmp_path / "six.wav", chans, ANALYSIS_SR, subtype="DOUBLE")
    out6, _ = load_audio(path6)
    np.testing.assert_allclose(out6, chans.mean(axis=1), atol=1e-15)


def test_bytes_filelike_and_unseekable_sources(tmp_path):
    path = _write(tmp_path / "s.flac", _sine(ANALYSIS_SR), ANALYSIS_SR)
    ref, _ = load_audio(path)
    data = path.read_bytes()
    np.testing.assert_array_equal(load_audio(data)[0], ref)
    np.testing.assert_array_equal(load_audio(bytearray(data))[0], ref)
    np.testing.assert_array_equal(load_audio(str(path))[0], ref)
    with open(path, "rb") as fh:
        np.testing.assert_array_equal(load_audio(fh)[0], ref)

    class Unseekable(io.RawIOBase):
        def __init__(self, payload: bytes):
            self._inner = io.BytesIO(payload)

        def readable(self):
            return True

        def seekable(self):
            return False

        def readinto(self, buf):
            chunk = self._inner.read(len(buf))
            buf[: len(chunk)] = chunk
            return len(chunk)

    np.testing.assert_array_equal(load_audio(Unseekable(data))[0], ref)


def test_probe_duration_reads_header_only(tmp_path):
    path = _write(tmp_path / "s.wav", _sine(22_050, 3.0), 22_050)
    assert probe_duration(path) == pytest.approx(3.0)
    assert probe_duration(path.read_bytes()) == pytest.approx(3.0)
    with pytest.raises(AudioError, match="not a readable audio file"):
        probe_duration(b"definitely not audio" * 10)


def test_music_fixture_loads():
    path = FIXTURES / "mus_wesnoth_sad.flac"
    if not path.exists():
        pytest.skip("music fixture not present")
    y, sr = load_audio(path)
    assert sr == ANALYSIS_SR and 29.0 < y.size / sr < 31.0
    assert np.isfinite(y).all() and 0.0 < np.abs(y).max() <= 1.0


# --- bad input: every case is a specific AudioError ---------------------------------------------


def test_empty_inputs(tmp_path):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    for source in (empty, b"", io.BytesIO(b"")):
        with pytest.raises(AudioError, match="empty"):
            load_audio(source)


def test_missing_path_and_wrong_type(tmp_path):
    with pytest.raises(AudioError, match="not found"):
        load_audio(tmp_path / "nope.wav")
    with pytest.raises(AudioError, match="Not a file"):
        load_audio(tmp_path)
    with pytest.raises(AudioError, match="Cannot read audio from a int"):
        load_audio(42)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "payload",
    [
        b"hello, this is a text file\n" * 50,
        b"%PDF-1.4\n" + bytes(range(256)) * 8,
        b"\x00" * 4096,
        b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42isom" + b"\x00" * 2048,  # AAC/M4A
    ],
    ids=["text", "pdf", "zeros", "m4a"],
)
def test_not_audio(tmp_path, payload):
    path = tmp_path / "song.mp3"
    path.write_bytes(payload)
    with pytest.raises(AudioError, match="not a readable audio file"):
        load_audio(path)


def _cut_in_half(tmp_path: Path, fmt: str, subtype: str, ext: str) -> Path:
    if fmt not in sf.available_formats() or subtype not in sf.available_subtypes(fmt):
        pytest.skip(f"cannot write {fmt}/{subtype}")
    noise = 0.1 * np.random.default_rng(0).standard_normal(ANALYSIS_SR * 4)
    full = _write(tmp_path / f"full.{ext}", noise, ANALYSIS_SR, format=fmt, subtype=subtype)
    data = full.read_bytes()
    cut = tmp_path / f"cut.{ext}"
    cut.write_bytes(data[: len(data) // 2])
    return cut


@pytest.mark.parametrize(
    ("fmt", "subtype", "ext"), [("FLAC", "PCM_16", "flac"), ("MP3", "MPEG_LAYER_III", "mp3")]
)
def test_truncated_files_are_refused(tmp_path, fmt, subtype, ext):
    with pytest.raises(AudioError, match="truncated or corrupt"):
        load_audio(_cut_in_half(tmp_path, fmt, subtype, ext))


@pytest.mark.parametrize(
    ("fmt", "subtype", "ext"), [("WAV", "PCM_16", "wav"), ("OGG", "VORBIS", "ogg")]
)
def test_truncated_wav_ogg_decode_the_part_present(tmp_path, fmt, subtype, ext):
    # These containers carry no trustworthy total length: libsndfile sizes them from the bytes
    # present, so the first ~2 s of the 4 s are decoded (documented in turkmood.audio).
    y, sr = load_audio(_cut_in_half(tmp_path, fmt, subtype, ext))
    assert 1.5 < y.size / sr < 2.5
    assert 0.08 < np.sqrt(np.mean(y**2)) < 0.12


def test_too_short(tmp_path):
    path = _write(tmp_path / "short.wav", _sine(ANALYSIS_SR, MIN_DURATION_S / 2), ANALYSIS_SR)
    with pytest.raises(AudioError, match="too short"):
        load_audio(path)


def test_too_long_is_refused_from_header_fast(tmp_path):
    sr = 8_000
    n = int((MAX_DURATION_S + 60) * sr)
    path = tmp_path / "long.wav"
    with sf.SoundFile(str(path), "w", sr, 1, subtype="PCM_U8") as fh:
        block = np.full(sr * 60, 0.25, dtype=np.float32)
        for _ in range(n // block.size):
            fh.write(block)
    start = time.perf_counter()
    with pytest.raises(AudioError, match="too long"):
        load_audio(path)
    assert time.perf_counter() - start < 0.5  # header only: no decoding of ~21 minutes


@pytest.mark.parametrize("amp", [0.0, 1e-6])
def test_silent(tmp_path, amp):
    path = _write(
        tmp_path / "quiet.wav", _sine(ANALYSIS_SR, 2.0, amp=amp), ANALYSIS_SR, subtype="FLOAT"
    )
    with pytest.raises(AudioError, match="silent"):
        load_audio(path)


def test_cancelling_stereo_is_silent(tmp_path):
    y = _sine(ANALYSIS_SR)
    path = _write(tmp_path / "phase.wav", np.column_stack([y, -y]), ANALYSIS_SR, subtype="FLOAT")
    with pytest.raises(AudioError, match="silent"):
        load_audio(path)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_samples_are_refused(tmp_path, bad):
    y = _sine(ANALYSIS_SR)
    y[1234] = bad
    path = _write(tmp_path / "bad.wav", y, ANALYSIS_SR, subtype="FLOAT")
    with pytest.raises(AudioError, match="NaN or infinite"):
        load_audio(path)


def test_rate_too_low(tmp_path):
    path = _write(tmp_path / "low.wav", _sine(4_000, 2.0, 300.0), 4_000)
    with pytest.raises(AudioError, match="sample rate 4000 Hz is too low"):
        load_audio(path)


def test_absurd_rates_and_channel_counts_are_refused_before_decoding(tmp_path):
    import numpy as np
    import soundfile as sf

    from turkmood.audio import load_audio
    from turkmood.errors import AudioError

    fast = tmp_path / "fast.wav"
    sf.write(fast, np.zeros((384_000, 1)) + 0.1, 384_000)
    with pytest.raises(AudioError, match="sample rate 384000 Hz is too high"):
        load_audio(fast)
    wide = tmp_path / "wide.wav"
    sf.write(wide, np.full((44_100 * 2, 16), 0.1), 44_100)
    with pytest.raises(AudioError, match="16 channels; at most 8"):
        load_audio(wide)


def test_the_decoded_size_is_budgeted_from_the_header(tmp_path, monkeypatch):
    import numpy as np
    import soundfile as sf

    from turkmood import audio
    from turkmood.errors import AudioError

    clip = tmp_path / "clip.wav"
    t = np.arange(96_000 * 3) / 96_000
    sf.write(clip, 0.3 * np.sin(2 * np.pi * 440 * t), 96_000)
    y, _ = audio.load_audio(clip)  # 3 s at 96 kHz: 2.3 MB decoded, fine
    assert y.size == 3 * 44_100
    monkeypatch.setattr(audio, "MAX_DECODED_BYTES", 1024**2)
    with pytest.raises(AudioError, match="too long for its sample rate"):
        audio.load_audio(clip)


def test_out_of_memory_becomes_an_audio_error(tmp_path, monkeypatch):
    import numpy as np
    import soundfile as sf

    from turkmood import audio
    from turkmood.errors import AudioError

    clip = tmp_path / "clip.wav"
    sf.write(clip, np.full(44_100 * 2, 0.2), 44_100)

    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(audio, "_decode_mono", no_memory)
    with pytest.raises(AudioError, match="out of memory"):
        audio.load_audio(clip)


@pytest.mark.parametrize("sr", [48_000, 96_000])
def test_streamed_resampling_equals_resampling_the_whole_signal(tmp_path, sr):
    import soxr

    from turkmood.constants import RESAMPLE_BLOCK_FRAMES, RESAMPLE_QUALITY

    n = 3 * RESAMPLE_BLOCK_FRAMES + 12_345  # several resampler steps and a ragged end
    rng = np.random.default_rng(7)
    y = 0.2 * np.sin(2 * np.pi * 440 * np.arange(n) / sr) + 0.01 * rng.standard_normal(n)
    path = tmp_path / "rate.flac"
    sf.write(path, y, sr, subtype="PCM_24")
    native, _ = sf.read(path, dtype="float64")
    got, got_sr = load_audio(path)
    assert got_sr == ANALYSIS_SR
    np.testing.assert_array_equal(got, soxr.resample(native, sr, ANALYSIS_SR, RESAMPLE_QUALITY))


def test_a_high_rate_file_never_holds_its_whole_native_rate_signal(tmp_path):
    import tracemalloc

    sr, seconds = 96_000, 150
    t = np.arange(sr * seconds) / sr
    path = tmp_path / "hi_rate.flac"
    sf.write(path, np.stack([0.3 * np.sin(2 * np.pi * 220 * t)] * 2, axis=1), sr)
    del t
    native_mono_bytes = sr * seconds * 8
    tracemalloc.start()
    try:
        y, _ = load_audio(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert y.size == pytest.approx(ANALYSIS_SR * seconds, abs=2)
    # was: the 96 kHz mono signal (110 MB) and its 44.1 kHz copy (51 MB) at once
    assert peak < y.nbytes + native_mono_bytes / 2


def test_files_holding_too_many_samples_over_all_channels_are_refused_from_the_header(tmp_path):
    from turkmood.constants import MAX_INPUT_SAMPLES

    sr, channels = 96_000, 8
    minutes = MAX_INPUT_SAMPLES / (sr * channels) / 60 + 1  # under the length limit
    assert minutes * 60 < MAX_DURATION_S
    path = tmp_path / "multichannel.flac"
    with sf.SoundFile(str(path), "w", sr, channels, subtype="PCM_16", format="FLAC") as fh:
        block = np.full((sr * 60, channels), 1000, dtype=np.int16)
        for _ in range(int(np.ceil(minutes))):
            fh.write(block)
    start = time.perf_counter()
    with pytest.raises(AudioError, match="million samples .* Mix it down to stereo"):
        load_audio(path)
    assert time.perf_counter() - start < 0.5  # header only
    # a 96 kHz stereo file is not refused by the rule
    stereo = tmp_path / "stereo.flac"
    sf.write(stereo, np.full((sr * 3, 2), 0.1), sr)
    assert load_audio(stereo)[0].size == ANALYSIS_SR * 3
