"""Emotion tags per format: round trip read back with mutagen itself, audio untouched, dry run."""

from __future__ import annotations

import hashlib

import av
import mutagen
import numpy as np
import pytest
import soundfile as sf

from turkmood.cli import main
from turkmood.constants import TAG_CONFIDENCE, TAG_EMOTION, TAG_MODEL
from turkmood.errors import TagError
from turkmood.tags import read_tags, write_tags

SR = 44_100
VERSION = "soft_vote_calibrated@eb72f387c917"


def _signal(seconds: float = 2.5) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    left = 0.3 * np.sin(2 * np.pi * 330 * t) * (1 + 0.5 * np.sin(2 * np.pi * 3 * t))
    return np.stack([left, 0.8 * left], axis=1)


def _m4a(path) -> None:
    """An AAC-in-MP4 file encoded with PyAV (FFmpeg in its wheel)."""
    y = _signal().astype(np.float32)
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=SR, layout="stereo")
        frame_len = 1024
        for start in range(0, len(y), frame_len):
            chunk = np.ascontiguousarray(y[start : start + frame_len].T)
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate = SR
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def _make(folder, fmt: str):
    if fmt == "m4a":
        path = folder / "clip.m4a"
        _m4a(path)
        return path
    ext, kind = {
        "mp3": ("mp3", "MP3"),
        "flac": ("flac", "FLAC"),
        "ogg": ("ogg", "OGG"),
        "opus": ("opus", "OGG"),
        "wav": ("wav", "WAV"),
    }[fmt]
    path = folder / f"clip.{ext}"
    subtype = {"opus": "OPUS", "ogg": "VORBIS", "mp3": "MPEG_LAYER_III"}.get(fmt)
    sf.write(path, _signal(), 48_000 if fmt == "opus" else SR, format=kind, subtype=subtype)
    return path


def _decoded(path) -> np.ndarray:
    """Every decoded sample (PyAV decodes all formats here, including AAC)."""
    with av.open(str(path)) as container:
        frames = [f.to_ndarray() for f in container.decode(audio=0)]
    return np.concatenate(frames, axis=1)


def _raw_tags(path) -> dict[str, str]:
    """The three tags as mutagen itself reads them (not through turkmood.tags)."""
    audio = mutagen.File(path)
    out = {}
    for key in (TAG_EMOTION, TAG_CONFIDENCE, TAG_MODEL):
        if path.suffix in (".mp3", ".wav"):
            out[key] = str(audio.tags[f"TXXX:{key}"].text[0])
        elif path.suffix == ".m4a":
            out[key] = bytes(audio.tags[f"----:com.turkmood:{key}"][0]).decode()
        else:
            out[key] = audio.tags[key][0]
    return out


@pytest.mark.parametrize("fmt", ["mp3", "flac", "ogg", "opus", "m4a", "wav"])
def test_round_trip_keeps_the_audio(tmp_path, fmt):
    path = _make(tmp_path, fmt)
    before = _decoded(path)
    if fmt == "flac":
        md5_before = mutagen.File(path).info.md5_signature
    write = write_tags(path, "relax", 0.83127, VERSION)
    assert write.written and not write.unchanged
    expected = {TAG_EMOTION: "relax", TAG_CONFIDENCE: "0.8313", TAG_MODEL: VERSION}
    assert _raw_tags(path) == expected
    assert read_tags(path) == expected
    after = _decoded(path)
    assert after.shape == before.shape and np.array_equal(after, before)
    if fmt == "flac":
        assert mutagen.File(path).info.md5_signature == md5_before
    again = write_tags(path, "relax", 0.83127, VERSION)
    assert again.unchanged and not again.written
    write_tags(path, "angry", 0.9, VERSION)  # a new verdict replaces the old one
    assert read_tags(path)[TAG_EMOTION] == "angry"


def test_dry_run_changes_no_byte(tmp_path):
    path = _make(tmp_path, "flac")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    write = write_tags(path, "happy", 0.5, VERSION, dry_run=True)
    assert write.dry_run and not write.written and write.tags[TAG_EMOTION] == "happy"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_bad_files_and_values_are_clear_errors(tmp_path):
    text = tmp_path / "notes.mp3"
    text.write_text("not audio")
    with pytest.raises(TagError, match="not a taggable audio file|cannot read"):
        write_tags(text, "happy", 0.5, VERSION)
    with pytest.raises(TagError, match="no such file"):
        read_tags(tmp_path / "missing.flac")
    good = _make(tmp_path, "flac")
    with pytest.raises(TagError, match="expected one of"):
        write_tags(good, "bored", 0.5, VERSION)
    with pytest.raises(TagError, match="between 0 and 1"):
        write_tags(good, "sad", 1.5, VERSION)


def test_predict_write_tags_equals_the_csv(tmp_path, capsys):
    import csv

    folder = tmp_path / "music"
    folder.mkdir()
    flac = _make(folder, "flac")
    (folder / "broken.mp3").write_bytes(b"\xff\xfb" + b"\x00" * 50)
    out = tmp_path / "out.csv"
    assert main(["predict", str(folder), "--out", str(out), "--quiet", "--dry-run"]) == 2
    digest = hashlib.sha256(flac.read_bytes()).hexdigest()
    assert (
        main(["predict", str(folder), "--out", str(out), "--quiet", "--write-tags", "--dry-run"])
        == 0
    )
    assert hashlib.sha256(flac.read_bytes()).hexdigest() == digest
    assert "would write" in capsys.readouterr().out
    assert main(["predict", str(folder), "--out", str(out), "--quiet", "--write-tags"]) == 0
    rows = {r["file"]: r for r in csv.DictReader(out.open())}
    row = rows[str(flac)]
    assert read_tags(flac) == {
        TAG_EMOTION: row["predicted"],
        TAG_CONFIDENCE: f"{float(row['confidence']):.4f}",
        TAG_MODEL: row["model_version"],
    }
    assert rows[str(folder / "broken.mp3")]["error"]


def test_aiff_and_id3v23_and_other_tags_are_kept(tmp_path):
    from mutagen.id3 import ID3, TIT2

    aiff = tmp_path / "clip.aiff"
    sf.write(aiff, _signal(), SR, format="AIFF")
    before, _ = sf.read(aiff)
    assert write_tags(aiff, "sad", 0.6, VERSION).format == "AIFF"
    after, _ = sf.read(aiff)
    assert np.array_equal(after, before)
    assert str(mutagen.File(aiff).tags[f"TXXX:{TAG_EMOTION}"].text[0]) == "sad"
    mp3 = _make(tmp_path, "mp3")
    tags = ID3()
    tags.add(TIT2(encoding=3, text=["Üsküdar"]))
    tags.save(mp3, v2_version=3)
    write_tags(mp3, "happy", 0.9, VERSION)
    kept = ID3(mp3)
    assert kept.version[:2] == (2, 3)  # an ID3v2.3 tag is not upgraded behind the user's back
    assert str(kept["TIT2"]) == "Üsküdar" and read_tags(mp3)[TAG_EMOTION] == "happy"


def test_a_file_that_cannot_be_tagged_does_not_stop_the_others(tmp_path, capsys):
    flac = _make(tmp_path, "flac")
    caf = tmp_path / "clip.caf"  # libsndfile scores it, mutagen cannot tag it
    sf.write(caf, _signal(), SR, format="CAF")
    caf_bytes = caf.read_bytes()
    out = tmp_path / "out.csv"
    args = ["predict", str(flac), str(caf), "--out", str(out), "--quiet", "--write-tags"]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "clip.caf: not a taggable audio file" in err and "could not tag 1 file(s)" in err
    assert "tagged 1 file(s)" in err
    assert read_tags(flac)[TAG_MODEL] and caf.read_bytes() == caf_bytes
