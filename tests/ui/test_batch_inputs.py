"""ui.batch_inputs: audio uploads and ZIP archives (limits, junk, bad members) → items."""

from __future__ import annotations

import io
import zipfile
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile as sf

from turkmood import archive
from turkmood.batch import bytes_sha256
from turkmood.errors import AudioError
from turkmood.model import load_model
from ui import batch_inputs
from ui.batch_inputs import ArchiveError, collect_items, is_zip, score_item, zip_items


def wav_bytes(seconds: float = 2.0, freq: float = 440.0, seed: int = 0) -> bytes:
    """A short tone with a little noise, as WAV bytes."""
    sr = 22_050
    t = np.arange(int(seconds * sr)) / sr
    y = 0.3 * np.sin(2 * np.pi * freq * t) + 0.02 * np.random.default_rng(seed).standard_normal(
        t.size
    )
    buffer = io.BytesIO()
    sf.write(buffer, y, sr, format="WAV")
    return buffer.getvalue()


def make_zip(members: dict[str, bytes], dirs: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for d in dirs:
            archive.writestr(zipfile.ZipInfo(d.rstrip("/") + "/"), b"")
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def upload(name: str, data: bytes) -> SimpleNamespace:
    return SimpleNamespace(name=name, getvalue=lambda: data, size=len(data))


def test_zip_members_are_listed_and_junk_is_noted():
    data = make_zip(
        {
            "album/a.wav": wav_bytes(),
            "album/B.FLAC": b"flac?",
            "album/cover.jpg": b"jpg",
            "__MACOSX/album/._a.wav": b"fork",
            ".hidden.wav": b"x",
            "nested.zip": b"zip",
        },
        dirs=("album", "empty"),
    )
    items, notes = zip_items("set.zip", data)
    assert [i.name for i in items] == ["set.zip/album/a.wav", "set.zip/album/B.FLAC"]
    assert items[0].load() == wav_bytes()
    assert notes == [
        "set.zip: skipped 2 hidden or system file(s) (__MACOSX/album/._a.wav, .hidden.wav).",
        "set.zip: ignored 2 file(s) that are not audio (album/cover.jpg, nested.zip).",
    ]


def test_zip_without_audio_says_so():
    items, notes = zip_items("docs.zip", make_zip({"readme.txt": b"hi"}))
    assert items == []
    assert "docs.zip contains no audio files." in notes


def test_unreadable_zip_is_an_archive_error():
    with pytest.raises(ArchiveError, match="not a readable ZIP archive"):
        zip_items("bad.zip", b"PK\x03\x04 this is not a zip")


def test_zip_bomb_limits(monkeypatch):
    data = make_zip({f"{i}.wav": b"\0" * 1000 for i in range(4)})
    monkeypatch.setattr(archive, "ZIP_MAX_MEMBERS", 3)
    with pytest.raises(ArchiveError, match="holds 4 audio files; at most 3"):
        zip_items("many.zip", data)
    monkeypatch.setattr(archive, "ZIP_MAX_MEMBERS", 10)
    monkeypatch.setattr(archive, "ZIP_MAX_TOTAL_BYTES", 3999)
    with pytest.raises(ArchiveError, match="would unpack to"):
        zip_items("big.zip", data)
    monkeypatch.setattr(archive, "ZIP_MAX_TOTAL_BYTES", 4000)
    monkeypatch.setattr(archive, "ZIP_MAX_MEMBER_BYTES", 999)
    items, _ = zip_items("ok.zip", data)
    with pytest.raises(AudioError, match="too large in the archive"):
        items[0].load()


def _count_zipfiles(monkeypatch) -> list[int]:
    """Every ZipFile the archive module opens appends to the returned list."""
    opened: list[int] = []
    real = zipfile.ZipFile
    monkeypatch.setattr(
        archive.zipfile, "ZipFile", lambda *a, **k: opened.append(1) or real(*a, **k)
    )
    return opened


def test_an_archive_of_many_entries_is_refused_before_its_directory_is_parsed(monkeypatch):
    # 200 000 empty entries (a few MB) used to cost ~2.5 s of directory parsing per audio member
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as out:
        for i in range(200_000):
            out.writestr(f"{i}", b"")
        out.writestr("a.wav", wav_bytes())
    parsed = []
    real = zipfile.ZipFile
    monkeypatch.setattr(
        archive.zipfile, "ZipFile", lambda *a, **k: parsed.append(1) or real(*a, **k)
    )
    with pytest.raises(ArchiveError, match="lists 200001 entries"):
        zip_items("bomb.zip", buffer.getvalue())
    assert parsed == []  # refused from the end record alone
    assert archive.directory_size(make_zip({"a.wav": b"1", "b.txt": b"2"}))[0] == 2


def test_members_share_one_parsed_directory(monkeypatch):
    data = make_zip({f"{i}.wav": wav_bytes(0.2, seed=i) for i in range(5)})
    opened = []
    real = zipfile.ZipFile
    monkeypatch.setattr(
        archive.zipfile, "ZipFile", lambda *a, **k: opened.append(1) or real(*a, **k)
    )
    items, _ = zip_items("set.zip", data)
    assert [item.load() for item in items] == [wav_bytes(0.2, seed=i) for i in range(5)]
    assert len(opened) == 1


def test_damaged_member_becomes_an_error_row():
    data = bytearray(make_zip({"a.wav": wav_bytes()}))
    start = data.index(b"a.wav") + len(b"a.wav")
    data[start + 100 : start + 400] = bytes(300)  # corrupt the compressed stream
    items, _ = zip_items("d.zip", bytes(data))
    result = score_item(items[0], load_model())
    assert result.analysis is None
    assert "damaged in the archive" in result.error


def test_collect_items_mixes_files_and_archives_and_keeps_going():
    good = wav_bytes(seed=1)
    uploads = [
        upload("one.wav", good),
        upload("broken.zip", b"nonsense"),
        upload("two.zip", make_zip({"x/two.ogg": b"ogg?"})),
    ]
    items, notes, errors = collect_items(uploads)
    assert [i.name for i in items] == ["one.wav", "two.zip/x/two.ogg"]
    assert notes == []
    assert len(errors) == 1 and errors[0].startswith("broken.zip is not a readable ZIP")
    assert is_zip("A.ZIP") and not is_zip("a.wav")


def test_score_item_hashes_the_content_and_analyses_it():
    model = load_model()
    data = wav_bytes(seed=2)
    result = score_item(batch_inputs.AudioItem("t.wav", lambda: data), model)
    assert result.error is None and result.sha256 == bytes_sha256(data)
    assert result.analysis.model_version == model.version


def test_unsafe_and_hidden_members_are_reported_not_dropped_silently():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("good.wav", b"RIFF")
        zf.writestr("../escape.wav", b"RIFF")
        zf.writestr("/abs/root.wav", b"RIFF")
        zf.writestr("__MACOSX/._good.wav", b"x")
    items, notes = zip_items("songs.zip", archive.getvalue())
    assert [i.name for i in items] == ["songs.zip/good.wav"]
    text = " ".join(notes)
    assert "skipped 2 file(s) whose path leaves the archive" in text
    assert "../escape.wav" in text
    assert "skipped 1 hidden or system file(s)" in text
