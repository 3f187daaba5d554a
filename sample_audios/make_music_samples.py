"""Write the real-music sample clips of ``sample_audios/music/`` and their index ``music.json``.

Not needed to run the app (the files are committed); this documents, and can redo, exactly how
they were made. Two sources, chosen by a rule fixed before the model was run on any of them:

1. Human-composed game music from Debian 12 ("bookworm") packages: every track of
   ``wesnoth-1.16-music`` (58 files, also looked through: singularity-music, hyperrogue-music,
   pushover-data, planetblupi-music-ogg, drascula-music, fretsonfire-songs-*) whose **title
   names one of the four emotions or an emotion word that maps to one**, and that is longer than
   30 s. Two qualify: "Sad" (the composer's word) and "Vengeful Pursuit" ("vengeful", mapped to
   angry by the engineer who picked it — a reading of the title, not a listener's judgement).
   No track title names happiness or calm.
2. AI-generated music (ACE-Step 1.5, not performed by people) of the adaptation catalogue
   ``/work/shared/data/adaptation`` (MIT): the first track (``_1``, seed 101) of each of its
   five generation mood words, copied byte for byte. Its labels are a person's mapping of the
   mood word: happy→happy, energetic→angry, nostalgic→sad, calm→relax, tender→relax.

Usage (from the repository root)::

    mkdir -p /tmp/musdl && cd /tmp/musdl && apt-get download wesnoth-1.16-music \\
        && dpkg -x wesnoth-1.16-music_*.deb x_wesnoth-1.16-music && cd -
    python sample_audios/make_music_samples.py /tmp/musdl /work/shared/data/adaptation

Debian excerpts: decoded with libsndfile (``soundfile``) to float, cut [offset, offset + 30 s),
channels averaged, rounded to 16-bit (x·32768, clipped) and written as FLAC — the processing of
``tests/fixtures/make_music_excerpts.py``; "Sad" is the same excerpt (8-38 s) as the fixture
``tests/fixtures/audio/mus_wesnoth_sad.flac``, sample for sample. Offsets: "Sad" keeps the
fixture's; "Vengeful Pursuit" is the central 30 s (start rounded down to a whole second).

The model's answers on these clips are recorded separately by ``sample_audios/record_verdicts.py``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

HERE = Path(__file__).resolve().parent
FOLDER = HERE / "music"
INDEX = FOLDER / "music.json"
SR = 44_100
DUR_S = 30.0
WES = "x_wesnoth-1.16-music/usr/share/games/wesnoth/1.16/data/core/music"
WES_PACKAGE = "Debian 12 package wesnoth-1.16-music (1:1.16.9-1)"
#: The package's copyright file puts the whole package under the GNU GPL version 2 or later.
WES_LICENCE = "GPL-2.0-or-later"
GPL_TEXT = Path("/usr/share/common-licenses/GPL-2")  # Debian's copy of the licence text
#: The catalogue's upstream notice: MIT, no attribution required.
ACE_LICENCE = "MIT"
ACE_ORIGIN = (
    "AI-generated with ACE-Step 1.5 (not performed by people), from the adaptation catalogue "
    "of the immich-memories project"
)
MOOD_MAP = {
    "happy": "happy",
    "energetic": "angry",
    "nostalgic": "sad",
    "calm": "relax",
    "tender": "relax",
}

#: Debian excerpts: file, source file, offset s, emotion, title, composer, year, provenance.
DEBIAN = (
    {
        "file": "wesnoth_sad.flac",
        "source_file": "sad.ogg",
        "offset_s": 8.0,
        "emotion": "sad",
        "title": "Sad",
        "author": "Tyler Johnson",
        "year": 2010,
        "label_source": "composer's title",
        "label_provenance": (
            "The composer titled the piece \u201cSad\u201d; the label is that word. No listener "
            "rated it."
        ),
    },
    {
        "file": "wesnoth_vengeful_pursuit.flac",
        "source_file": "vengeful.ogg",
        "offset_s": 165.0,
        "emotion": "angry",
        "title": "Vengeful Pursuit",
        "author": "Jeremy Nicoll",
        "year": 2007,
        "label_source": "mapping of the composer's title",
        "label_provenance": (
            "The composer titled the piece \u201cVengeful Pursuit\u201d; the engineer who picked "
            "it mapped the word \u201cvengeful\u201d to angry. A reading of the title, not a "
            "listener's judgement."
        ),
    },
)

#: ACE-Step tracks: the ``_1`` track of each mood word.
ACE = ("happy", "energetic", "nostalgic", "calm", "tender")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def debian_excerpt(source: Path, offset_s: float) -> np.ndarray:
    """Mono int16 excerpt [offset, offset + 30 s) of ``source`` (44.1 kHz)."""
    y, sr = sf.read(source, dtype="float64", always_2d=True)
    if sr != SR:
        raise SystemExit(f"{source} is at {sr} Hz; this script expects {SR} Hz")
    seg = y[round(offset_s * sr) : round(offset_s * sr) + round(DUR_S * sr)].mean(axis=1)
    return np.clip(np.round(seg * 32768.0), -32768, 32767).astype(np.int16)


def main(debian_root: Path, catalogue: Path) -> None:
    FOLDER.mkdir(exist_ok=True)
    entries = []
    for item in DEBIAN:
        source = debian_root / WES / item["source_file"]
        path = FOLDER / item["file"]
        pcm = debian_excerpt(source, item["offset_s"])
        sf.write(path, pcm, SR, format="FLAC", subtype="PCM_16")
        offset = item["offset_s"]
        entries.append(
            {
                "file": item["file"],
                "emotion": item["emotion"],
                "duration_s": round(len(pcm) / SR, 3),
                "description": f"\u201c{item['title']}\u201d by {item['author']} ({item['year']})",
                "made_by": "human",
                "origin": "human-composed game music (The Battle for Wesnoth)",
                "title": item["title"],
                "author": item["author"],
                "year": item["year"],
                "label_source": item["label_source"],
                "label_provenance": item["label_provenance"],
                "licence": WES_LICENCE,
                "licence_file": "GPL-2.txt",
                "source": f"{WES_PACKAGE}: /{WES.split('/', 1)[1]}/{item['source_file']}",
                "processing": (
                    f"excerpt {offset:g}\u2013{offset + DUR_S:g} s, channels averaged, 16-bit FLAC"
                ),
                "sha256": sha256(path),
            }
        )
        print(f"wrote {path.name} ({path.stat().st_size / 1e6:.2f} MB)")
    for mood in ACE:
        source = catalogue / f"{mood}_acoustic_1.opus"
        path = FOLDER / source.name
        shutil.copyfile(source, path)
        emotion = MOOD_MAP[mood]
        info = sf.info(path)
        entries.append(
            {
                "file": path.name,
                "emotion": emotion,
                "duration_s": round(info.duration, 3),
                "description": f"AI-generated acoustic track, mood word \u201c{mood}\u201d",
                "made_by": "ai",
                "origin": ACE_ORIGIN,
                "title": source.stem,
                "author": "generated with ACE-Step 1.5 (immich-memories project)",
                "year": None,
                "mood_tag": mood,
                "label_source": "mapping of a generation mood word",
                "label_provenance": (
                    f"Generated from the mood word \u201c{mood}\u201d; a person mapped that word "
                    f"to {emotion}. A weak label: no listener rated this track."
                ),
                "licence": ACE_LICENCE,
                "licence_file": "LICENSE-MUSIC",
                "source": "adaptation catalogue (shared/data/adaptation), copied unchanged",
                "processing": "the catalogue's Opus file, unchanged",
                "sha256": sha256(path),
            }
        )
        print(f"copied {path.name} ({path.stat().st_size / 1e6:.2f} MB)")
    shutil.copyfile(GPL_TEXT, FOLDER / "GPL-2.txt")
    shutil.copyfile(catalogue / "LICENSE-MUSIC", FOLDER / "LICENSE-MUSIC")
    index = {
        "generator": "sample_audios/make_music_samples.py",
        "kind": "music",
        "samples": entries,
    }
    INDEX.write_text(json.dumps(index, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {INDEX.relative_to(HERE.parent)}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]))
