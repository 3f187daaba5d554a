"""Benchmark batch scoring (a benchmark, not a test).

1. Writes N distinct 30 s clips (the ten fixture songs at several gains, so every file has its
   own content hash) and times ``python -m turkmood predict DIR --jobs 1`` and ``--jobs 2`` as
   whole processes (start-up, model loading and worker start included). Prints wall time,
   clips/s and the speed-up, and checks that both runs wrote the identical CSV.
2. Writes one song of M minutes (the fixture songs back to back) and scores it with
   ``--jobs 1`` in a child process; prints that process's peak resident memory
   (``os.wait4`` rusage ``ru_maxrss``) against the 1 GiB budget.

BLAS/OpenMP threads are limited to one everywhere, so the speed-up measures process
parallelism only.

Run: python bench/batch.py [--clips 40] [--repeats 1] [--song-minutes 10] [--skip-song]
"""

from __future__ import annotations

import argparse
import filecmp
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
AUDIO = ROOT / "tests" / "fixtures" / "audio"
GIB = 1024**3
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _songs() -> list[tuple[np.ndarray, int]]:
    out = []
    for path in sorted(AUDIO.glob("mus_*.flac")):
        y, sr = sf.read(path)
        out.append((y if y.ndim == 1 else y.mean(axis=1), sr))
    return out


def write_clips(folder: Path, n: int) -> list[Path]:
    """``n`` distinct 30 s clips: fixture songs scaled by different gains."""
    songs = _songs()
    paths = []
    for i in range(n):
        y, sr = songs[i % len(songs)]
        gain = 0.9 - 0.05 * (i // len(songs))
        path = folder / f"clip_{i:03d}.wav"
        sf.write(path, gain * y, sr, subtype="PCM_16")
        paths.append(path)
    return paths


def write_song(path: Path, minutes: float) -> Path:
    """One long song: the fixture songs back to back until ``minutes`` are filled."""
    songs = _songs()
    sr = songs[0][1]
    parts, total = [], 0
    while total < minutes * 60 * sr:
        y, _ = songs[len(parts) % len(songs)]
        parts.append(y)
        total += y.size
    sf.write(path, np.concatenate(parts)[: int(minutes * 60 * sr)], sr, subtype="PCM_16")
    return path


def run_predict(args: list[str]) -> tuple[float, int]:
    """Run ``python -m turkmood predict ARGS``; return wall seconds and the process's peak RSS.

    ``os.wait4`` gives the rusage of that process (and of children it waited for), so the peak
    is exact for ``--jobs 1``, where everything runs in the one process."""
    command = [sys.executable, "-m", "turkmood", "predict", *args, "--quiet"]
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=ROOT, env=ENV, stderr=log)
        _, status, usage = os.wait4(proc.pid, 0)  # rusage of this child alone
        seconds = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        log.seek(0)
        if code != 0:
            raise SystemExit(f"predict failed ({code}): {log.read().decode()}")
    return seconds, usage.ru_maxrss * 1024  # ru_maxrss is in KiB on Linux


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=40)
    parser.add_argument("--song-minutes", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=1, help="runs per setting (best kept)")
    parser.add_argument("--skip-song", action="store_true")
    args = parser.parse_args(argv)
    load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"load average before: {load} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="turkmood-bench-") as tmp:
        tmp = Path(tmp)
        clips = tmp / "clips"
        clips.mkdir()
        write_clips(clips, args.clips)
        print(f"{args.clips} clips of 30 s in {clips}")
        runs: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(args.repeats):  # alternate, so a busy spell hits both settings alike
            for jobs in (1, 2):
                out = tmp / f"jobs{jobs}.csv"
                seconds, _ = run_predict([str(clips), "--out", str(out), "--jobs", str(jobs)])
                runs[jobs].append(seconds)
        times = {jobs: min(r) for jobs, r in runs.items()}
        for jobs, seconds in times.items():
            every = ", ".join(f"{t:.1f}" for t in runs[jobs])
            print(
                f"--jobs {jobs}: best {seconds:6.1f} s wall ({every}), "
                f"{args.clips / seconds:.2f} clips/s"
            )
        same = filecmp.cmp(tmp / "jobs1.csv", tmp / "jobs2.csv", shallow=False)
        print(f"speed-up --jobs 2 vs --jobs 1: {times[1] / times[2]:.2f}x (identical CSV: {same})")
        load = " ".join(f"{v:.2f}" for v in os.getloadavg())
        print(f"load average after the clip runs: {load}")
        if not args.skip_song:
            song = write_song(tmp / "song.wav", args.song_minutes)
            seconds, peak = run_predict([str(song), "--out", str(tmp / "song.csv")])
            verdict = "under" if peak < GIB else "OVER"
            print(
                f"{args.song_minutes:g}-minute song: {seconds:.1f} s wall, peak RSS "
                f"{peak / 1024**2:.0f} MiB ({verdict} the 1 GiB budget)"
            )


if __name__ == "__main__":
    main()
