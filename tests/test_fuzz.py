"""Fuzzing the two input doors: random and mutated bytes into ``load_audio`` and the CSV reader.

Only clean failures are allowed: :class:`AudioError` for audio, :class:`TableError` (a
``ValueError``) for tables. Anything else, or a NaN in what comes back, fails the test. The
number of examples is bounded so the module runs in CI in well under a minute.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import soundfile as sf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from turkmood.audio import load_audio
from turkmood.constants import ANALYSIS_SR, DATA_PATH, FEATURE_NAMES
from turkmood.errors import AudioError, TableError
from turkmood.tables import read_feature_table

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _seed_audio() -> dict[str, bytes]:
    """Small valid files (1.2 s) in each container the loader accepts."""
    sr = 22_050
    t = np.arange(int(1.2 * sr)) / sr
    y = 0.3 * np.sin(2 * np.pi * 440 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t))
    out = {}
    for fmt, subtype in (
        ("WAV", "PCM_16"),
        ("WAV", "FLOAT"),
        ("FLAC", "PCM_16"),
        ("OGG", "VORBIS"),
        ("MP3", "MPEG_LAYER_III"),
    ):
        buffer = io.BytesIO()
        sf.write(buffer, y, sr, format=fmt, subtype=subtype)
        out[f"{fmt}/{subtype}"] = buffer.getvalue()
    return out


SEED_AUDIO = _seed_audio()
SEED_CSV = pd.read_csv(DATA_PATH, dtype=str, keep_default_na=False).head(8).to_csv(index=False)


@st.composite
def mutated(draw, seeds: list[bytes]) -> bytes:
    """A seed file with a few byte flips, a cut, an insertion or a header splice."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "zero_header", "dup"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[at] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[at:]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif op == "zero_header":
            data[: min(len(data), 64)] = bytes(min(len(data), 64))
        else:
            data[at:at] = data[at : at + draw(st.integers(1, 512))]
    return bytes(data)


def _check_audio(data: bytes) -> None:
    try:
        y, sr = load_audio(io.BytesIO(data))
    except AudioError as exc:
        assert str(exc)
        return
    assert sr == ANALYSIS_SR
    assert y.ndim == 1 and y.size > 0
    assert np.isfinite(y).all()


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes_into_load_audio(data: bytes):
    _check_audio(data)


@FUZZ
@given(
    st.sampled_from([b"RIFF", b"fLaC", b"OggS", b"ID3\x03", b"\xff\xfb"]),
    st.binary(max_size=4096),
)
def test_magic_plus_random_bytes_into_load_audio(magic: bytes, rest: bytes):
    _check_audio(magic + rest)


@FUZZ
@given(mutated(list(SEED_AUDIO.values())))
def test_mutated_audio_files_into_load_audio(data: bytes):
    _check_audio(data)


def _check_table(data: bytes) -> None:
    try:
        table = read_feature_table(data)
    except TableError as exc:
        assert isinstance(exc, ValueError) and str(exc)
        return
    assert list(table.features.columns) == list(FEATURE_NAMES)
    assert np.isfinite(table.features.to_numpy(dtype=float)).all()


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes_into_read_feature_table(data: bytes):
    _check_table(data)


@FUZZ
@given(mutated([SEED_CSV.encode()]))
def test_mutated_csv_into_read_feature_table(data: bytes):
    _check_table(data)


CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["nan", "NaN", "inf", "-inf", "1e999", "", " ", "NULL", "0x10", "1,5", "--1"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@FUZZ
@given(st.data())
def test_csv_with_fuzzed_cells_into_read_feature_table(data):
    table = pd.read_csv(io.StringIO(SEED_CSV), dtype=str, keep_default_na=False)
    for _ in range(data.draw(st.integers(1, 5))):
        row = data.draw(st.integers(0, len(table) - 1))
        column = data.draw(st.sampled_from(list(table.columns)))
        table.loc[row, column] = data.draw(CELL)
    _check_table(table.to_csv(index=False).encode())
