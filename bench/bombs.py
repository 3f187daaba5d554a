"""Resource-bomb inputs against the library's real entry points, each in a fresh subprocess.

Usage: ``python bench/bombs.py [--big]``

Crafts hostile audio, ZIP and CSV inputs in a temporary directory and feeds each to the entry
point the app and API use (``turkmood.analyze.analyze``, ``turkmood.archive.zip_items``,
``turkmood.tables.read_feature_table`` then ``turkmood.model.predict_features``) in a new
Python process, which prints one JSON line: the outcome (a ``TurkMoodError``'s message, or
``UNEXPECTED <type>: msg`` for any other exception), wall and CPU seconds of the call and the
process's peak RSS. A row is within budget at <= 1024 MB peak RSS and <= 30 s CPU.
``--big`` makes the blank-line CSV 199 MB (the issue's size) instead of 20 MB. One legal input
(19 minutes of 96 kHz stereo, the most samples a file may hold) shows the largest cost a valid
upload may have; the peak RSS of a process that only imported, and of one that also analysed a
3 s signal once (what a warm server has already paid), are printed as baselines.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
import tempfile
import wave
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
TRAINING_CSV = ROOT / "turkmood" / "data" / "Acoustic_Features.csv"
BUDGET_MB = 1024.0
BUDGET_CPU_S = 30.0
CHILD_TIMEOUT_S = 900.0
#: the largest rate libsndfile's FLAC writer accepts (1 000 000 Hz is refused)
HUGE_FLAC_RATE = 655_350
DC = 16_384  # int16 half scale: a constant, loud (not silent) signal

# The child: run one entry point on one file, print {"outcome", "wall", "cpu", "rss_mb"} and the
# peak RSS after the imports and (audio) after decoding. ``analyze`` is decode_audio followed by
# analyze_signal; the audio case calls the two itself to tell which one needs the memory.
CHILD = r"""
import json, resource, sys, time
kind, path = sys.argv[1], sys.argv[2]
from turkmood.errors import TurkMoodError
from turkmood.analyze import analyze, analyze_signal
from turkmood.audio import decode_audio
from turkmood.archive import zip_items
from turkmood.model import predict_features
from turkmood.tables import read_feature_table

stages = {"imports": None, "decode": None}

def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux

def run():
    if kind == "none":
        return "imports only"
    if kind == "warm":  # what a server has paid once before any upload: kernels, FFT plans
        import numpy as np
        t = np.arange(3 * 44_100) / 44_100
        analyze_signal(0.3 * np.sin(2 * np.pi * 220 * t), 44_100)
        return "a 3 s signal analysed"
    if kind == "audio":  # analyze(path) in its two steps, to see which one needs the memory
        decoded = decode_audio(path)
        stages["decode"] = rss_mb()
        analyze_signal(decoded.y, decoded.sr, notes=decoded.notes)
        return "analysed"
    if kind == "zip":
        with open(path, "rb") as handle:
            items, notes = zip_items("bomb.zip", handle.read())
        for item in items:
            analyze(item.load())
        return f"analysed {len(items)} member(s)" + (f"; {notes[0]}" if notes else "")
    table = read_feature_table(path)
    predict_features(table.features)
    return f"read {len(table.features)} rows"

def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime

stages["imports"] = rss_mb()
wall0, cpu0 = time.perf_counter(), cpu()
try:
    outcome = run()
except TurkMoodError as exc:
    outcome = str(exc)
except BaseException as exc:
    outcome = f"UNEXPECTED {type(exc).__name__}: {exc}"
wall, spent = time.perf_counter() - wall0, cpu() - cpu0
print(json.dumps({"outcome": outcome, "wall": wall, "cpu": spent, "rss_mb": rss_mb(), **stages}))
"""


@dataclass(frozen=True)
class Bomb:
    """One crafted input: its label, the entry point kind and a writer of its file."""

    label: str
    kind: str  # "audio", "zip" or "csv"
    make: Callable[[Path], None]
    suffix: str


def write_dc_flac(path: Path, sr: int, channels: int, seconds: float) -> None:
    """A 16-bit FLAC of constant (DC) samples, written block by block."""
    block = np.full((min(sr * 10, round(sr * seconds)), channels), DC, dtype=np.int16)
    left = round(sr * seconds)
    with sf.SoundFile(path, "w", sr, channels, format="FLAC", subtype="PCM_16") as handle:
        while left > 0:
            n = min(left, len(block))
            handle.write(block[:n])
            left -= n


def wav_bytes(sr: int, channels: int, seconds: float) -> bytes:
    """A 16-bit PCM WAV of a quiet tone (the wave module writes any channel count)."""
    t = np.arange(round(sr * seconds)) / sr
    tone = (0.3 * 32767 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(sr)
        out.writeframes(np.repeat(tone[:, None], channels, axis=1).tobytes())
    return buffer.getvalue()


def write_zip(path: Path, members: dict[str, bytes], empty: int = 0) -> None:
    """A ZIP of ``members`` after ``empty`` empty entries (ZIP64 when beyond 65 535)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(empty):
            archive.writestr(f"empty/{i:06d}.txt", b"")
        for name, data in members.items():
            archive.writestr(name, data)


def training_rows(n: int) -> tuple[list[str], list[list[str]]]:
    """Header and the first ``n`` data rows of the training table, as text."""
    with TRAINING_CSV.open(newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = [next(reader) for _ in range(n)]
    return header, rows


def write_wide_csv(path: Path, extra: int, rows: int = 3) -> None:
    """Real training rows with ``extra`` additional numeric columns."""
    header, data = training_rows(rows)
    lines = [",".join(header + [f"x{i}" for i in range(extra)])]
    lines += [",".join(row + ["0"] * extra) for row in data]
    path.write_text("\n".join(lines) + "\n")


def write_blank_csv(path: Path, megabytes: int) -> None:
    """A file of nothing but newlines."""
    with path.open("wb") as handle:
        chunk = b"\n" * 1024**2
        for _ in range(megabytes):
            handle.write(chunk)


def write_overflow_csv(path: Path) -> None:
    """One real training row with a feature cell set to 1e39 (beyond float32's range)."""
    header, rows = training_rows(1)
    rows[0][header.index("_Tempo_Mean")] = "1e39"
    path.write_text(",".join(header) + "\n" + ",".join(rows[0]) + "\n")


def bombs(big: bool) -> list[Bomb]:
    """The inputs, in the order of the issue."""
    blank_mb = 199 if big else 20
    return [
        Bomb(
            f"FLAC {HUGE_FLAC_RATE} Hz x 8 ch, 2 min DC",
            "audio",
            lambda p: write_dc_flac(p, HUGE_FLAC_RATE, 8, 120),
            ".flac",
        ),
        Bomb(
            "FLAC 96 kHz x 8 ch, 19 min DC",
            "audio",
            lambda p: write_dc_flac(p, 96_000, 8, 19 * 60),
            ".flac",
        ),
        Bomb(
            "FLAC 96 kHz x 2 ch, 19 min DC (legal)",
            "audio",
            lambda p: write_dc_flac(p, 96_000, 2, 19 * 60),
            ".flac",
        ),
        Bomb(
            "ZIP of a 1024-ch WAV (2 s, 44.1 kHz)",
            "zip",
            lambda p: write_zip(p, {"wide.wav": wav_bytes(44_100, 1024, 2.0)}),
            ".zip",
        ),
        Bomb("CSV +40 000 columns (3 rows)", "csv", lambda p: write_wide_csv(p, 40_000), ".csv"),
        Bomb("CSV 300 000 columns (3 rows)", "csv", lambda p: write_wide_csv(p, 300_000), ".csv"),
        Bomb(
            f"CSV of {blank_mb} MB blank lines",
            "csv",
            lambda p: write_blank_csv(p, blank_mb),
            ".csv",
        ),
        Bomb(
            "ZIP 200 000 empty entries + 1 WAV",
            "zip",
            lambda p: write_zip(p, {"song.wav": wav_bytes(22_050, 1, 5.0)}, empty=200_000),
            ".zip",
        ),
        Bomb("CSV real row, _Tempo_Mean=1e39", "csv", write_overflow_csv, ".csv"),
    ]


def craft(index: int, path: Path, big: bool) -> None:
    """Write bomb ``index`` in its own process, so the bench's RSS stays small.

    Linux starts a forked child's ``ru_maxrss`` at its parent's RSS, so a parent grown by
    crafting (a 1024-channel WAV is 360 MB of arrays) would inflate every child's peak.
    """
    command = [sys.executable, __file__, "--craft", str(index), str(path)]
    subprocess.run(command + (["--big"] if big else []), check=True)


def run_child(kind: str, path: Path) -> dict:
    """Run the entry point in a fresh interpreter; its JSON line (or why there is none)."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, kind, str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        return {"outcome": f"TIMEOUT after {CHILD_TIMEOUT_S:.0f} s", "wall": CHILD_TIMEOUT_S}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"outcome": f"CRASHED (exit {done.returncode}): {tail}"}
    return json.loads(lines[-1])


def size_text(n: int) -> str:
    """A file size in KB or MB."""
    return f"{n / 1024**2:.1f} MB" if n >= 1024**2 else f"{n / 1024:.1f} KB"


def number(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def main() -> None:
    """Craft every bomb, run it in a child, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", action="store_true", help="199 MB blank-line CSV (default 20)")
    parser.add_argument("--craft", nargs=2, metavar=("INDEX", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    big = args.big
    if args.craft:  # internal: write one bomb (see craft)
        bombs(big)[int(args.craft[0])].make(Path(args.craft[1]))
        return
    print(f"blank-line CSV: {'199 MB (--big)' if big else '20 MB (default; --big for 199 MB)'}")
    header = (
        f"{'input':<38} {'size':>9}  {'outcome':<70} {'wall s':>7} {'CPU s':>7} "
        f"{'RSS MB':>7}  budget"
    )
    print(header)
    print("-" * len(header))
    stages = []
    with tempfile.TemporaryDirectory(prefix="bombs-") as tmp:
        baseline = run_child("none", Path(tmp))
        warm = run_child("warm", Path(tmp))
        for i, bomb in enumerate(bombs(big)):
            path = Path(tmp) / f"bomb{i}{bomb.suffix}"
            craft(i, path, big)
            size = path.stat().st_size
            result = run_child(bomb.kind, path)
            path.unlink()
            rss, cpu = result.get("rss_mb"), result.get("cpu")
            ok = rss is not None and cpu is not None and rss <= BUDGET_MB and cpu <= BUDGET_CPU_S
            outcome = " ".join(result["outcome"].split())[:70]
            print(
                f"{bomb.label:<38} {size_text(size):>9}  {outcome:<70} "
                f"{number(result.get('wall')):>7} {number(cpu):>7} {number(rss):>7}  "
                f"{'yes' if ok else 'NO'}",
                flush=True,
            )
            if result.get("decode") is not None:
                stages.append(f"  {bomb.label}: peak RSS {result['decode']:.0f} MB after decoding")
    print(f"peak RSS after the imports alone: {baseline.get('rss_mb', float('nan')):.0f} MB")
    print(
        f"peak RSS after the imports and one 3 s analysis (compiled kernels, FFT plans, thread "
        f"arenas: paid once per server, before any upload): {warm.get('rss_mb', float('nan')):.0f}"
        " MB"
    )
    print("\n".join(stages))
    print("not run here: /dev/shm exhaustion (needs a 64 MB /dev/shm, e.g. Docker's default)")


if __name__ == "__main__":
    main()
