"""The single upload entry point of the Analyze and Batch pages."""

from __future__ import annotations

import pytest

from turkmood.constants import FEATURE_NAMES
from turkmood.errors import TableError
from ui.inputs import AUDIO_TYPES, UPLOAD_TYPES, features_from_upload, is_audio, row_names


def test_csv_upload_is_read_and_named(bundled_frame):
    data = bundled_frame.head(3).to_csv(index=False).encode()
    table = features_from_upload("Songs.CSV", data)
    assert list(table.features.columns) == list(FEATURE_NAMES)
    assert row_names(table, "row") == ["row 1", "row 2", "row 3"]


def test_name_column_is_used_for_row_names(bundled_frame):
    frame = bundled_frame.head(2).assign(file=["a.wav", "b.wav"])
    table = features_from_upload("t.csv", frame.to_csv(index=False).encode())
    assert row_names(table, "row") == ["a.wav", "b.wav"]


def test_non_tables_are_refused_by_the_table_reader():
    with pytest.raises(TableError, match="is not a feature table"):
        features_from_upload("song.mp3", b"ID3")


def test_audio_is_recognised_by_extension():
    assert is_audio("Song.FLAC") and is_audio("a.b.mp3") and is_audio("x.wav")
    assert not is_audio("table.csv") and not is_audio("noextension")
    assert set(UPLOAD_TYPES) == {"csv", *AUDIO_TYPES}
