"""Benchmark the feature extractor (a benchmark, not a test).

Prints, in one process:
- cold first call (fresh interpreter: imports + first extraction of a 30 s clip), in a subprocess;
- warm seconds per 30 s clip (median of repeats, single core: BLAS/FFT threads limited to 1);
- warm seconds for a 5-minute song through ``analyze_signal`` (windows + timeline + prediction);
- a naive librosa extraction of a comparable feature set on the same clip, and the ratio;
- the MIRtoolbox oracle's seconds per 30 s clip as recorded in tests/fixtures/oracle_timing.csv
  (measured when the fixtures were made; the oracle is not run here), and the ratio.

Each timing is given as wall seconds and CPU seconds of the process: on a shared machine the
wall time includes waiting for a core (the load average is printed).

Run: python bench/extract.py [--repeats N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from turkmood.constants import ANALYSIS_SR  # noqa: E402

COLD_SNIPPET = """
import time, numpy as np
t0, c0 = time.perf_counter(), time.process_time()
from turkmood.features import extract_features
rng = np.random.default_rng(0)
sr = 44100
t = np.arange(30 * sr) / sr
y = 0.3 * np.sin(2 * np.pi * 220 * t) * (1 + np.sign(np.sin(2 * np.pi * 2 * t))) / 2
y += 0.02 * rng.standard_normal(len(t))
extract_features(y, sr)
print(time.perf_counter() - t0, time.process_time() - c0)
"""


def test_signal(seconds: float, seed: int = 0) -> np.ndarray:
    """A music-like test signal: plucked notes on a pulse, plus a little noise."""
    rng = np.random.default_rng(seed)
    sr = ANALYSIS_SR
    n = int(seconds * sr)
    y = 0.01 * rng.standard_normal(n)
    note = int(0.25 * sr)
    env = np.exp(-np.arange(note) / (0.08 * sr))
    freqs = 220 * 2 ** (rng.integers(0, 12, size=n // note + 1) / 12)
    for i, start in enumerate(range(0, n - note, note)):
        tt = np.arange(note) / sr
        tone = np.sin(2 * np.pi * freqs[i] * tt) + 0.3 * np.sin(4 * np.pi * freqs[i] * tt)
        y[start : start + note] += 0.2 * env * tone
    return y


def timed(fn, repeats: int) -> tuple[float, float]:
    """Median wall and median CPU seconds (this process, all threads) of ``repeats`` calls.

    The CPU time is reported too because the machine is shared: under load the wall time
    includes waiting for a core, the CPU time much less so.
    """
    wall, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu)


def naive_librosa(y: np.ndarray, sr: int) -> dict[str, float]:
    """What other projects do: frame-wise librosa features averaged (a comparable set)."""
    import librosa

    feats = {
        "rms": librosa.feature.rms(y=y).mean(),
        "zcr": librosa.feature.zero_crossing_rate(y).mean(),
        "centroid": librosa.feature.spectral_centroid(y=y, sr=sr).mean(),
        "bandwidth": librosa.feature.spectral_bandwidth(y=y, sr=sr).mean(),
        "rolloff": librosa.feature.spectral_rolloff(y=y, sr=sr).mean(),
        "flatness": librosa.feature.spectral_flatness(y=y).mean(),
        "tempo": float(np.atleast_1d(librosa.beat.beat_track(y=y, sr=sr)[0])[0]),
        "onsets": len(librosa.onset.onset_detect(y=y, sr=sr)),
    }
    feats.update({f"mfcc{i}": v for i, v in enumerate(librosa.feature.mfcc(y=y, sr=sr).mean(1))})
    feats.update(
        {f"chroma{i}": v for i, v in enumerate(librosa.feature.chroma_stft(y=y, sr=sr).mean(1))}
    )
    return feats


def oracle_seconds() -> tuple[float, int] | None:
    """Median over the 30 s music fixtures of the oracle's seconds per clip, and the clip count.

    tests/fixtures/oracle_timing.csv has one row per (file, MIRtoolbox call) with its seconds;
    a clip's total is the sum of its calls' seconds. Only the ``mus_*`` files (30 s music
    excerpts) are used: the synthetic fixtures have other lengths (e.g. 10 s of silence).
    """
    path = ROOT / "tests" / "fixtures" / "oracle_timing.csv"
    if not path.exists():
        return None
    import pandas as pd

    timing = pd.read_csv(path)
    per_clip = timing.groupby("file")["seconds"].sum()
    music = per_clip[per_clip.index.str.startswith("mus_")]
    if music.empty:
        return None
    return float(music.median()), int(music.size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    from turkmood.analyze import analyze_signal
    from turkmood.features import extract_features
    from turkmood.model import cached_model

    cold = subprocess.run(
        [sys.executable, "-c", COLD_SNIPPET], cwd=ROOT, capture_output=True, text=True, check=True
    )
    cold_s, cold_cpu = map(float, cold.stdout.strip().splitlines()[-1].split())

    clip = test_signal(30.0)
    extract_features(clip, ANALYSIS_SR)  # warm-up
    warm, warm_cpu = timed(lambda: extract_features(clip, ANALYSIS_SR), args.repeats)

    naive_librosa(clip, ANALYSIS_SR)  # warm-up (numba compilation)
    librosa_s, librosa_cpu = timed(lambda: naive_librosa(clip, ANALYSIS_SR), 3)

    model = cached_model()
    song = test_signal(300.0, seed=1)
    song_s, song_cpu = timed(lambda: analyze_signal(song, ANALYSIS_SR, model), 3)
    n_windows = len(analyze_signal(song, ANALYSIS_SR, model).timeline)
    from turkmood.window_pool import pool_size, start_window_pool

    pool = start_window_pool()
    if pool is not None:
        pooled_s, _ = timed(lambda: analyze_signal(song, ANALYSIS_SR, model, pool), 3)
        n_workers = pool_size(pool)
        pool.shutdown()

    oracle = oracle_seconds()
    print(f"load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(
        f"cold first call (import + 30 s clip, fresh process): {cold_s:.3f} s wall, "
        f"{cold_cpu:.3f} s CPU  (target <= 5 s)"
    )
    print(
        f"warm extraction, 30 s clip (median of {args.repeats}): {warm:.3f} s wall, "
        f"{warm_cpu:.3f} s CPU  (target <= 0.15 s)"
    )
    print(
        f"5-minute song, analyze_signal ({n_windows} windows + prediction): {song_s:.3f} s wall, "
        f"{song_cpu:.3f} s CPU  (target <= 2 s)"
    )
    if pool is not None:
        print(
            f"5-minute song, windows on a warm pool of {n_workers} workers: {pooled_s:.3f} s wall "
            f"(target <= 2 s)  -> {song_s / pooled_s:.2f}x the in-process run"
        )
    print(
        f"naive librosa comparable set, 30 s clip: {librosa_s:.3f} s wall, {librosa_cpu:.3f} s "
        f"CPU  -> librosa CPU / ours CPU = {librosa_cpu / warm_cpu:.2f}"
    )
    if oracle is not None:
        oracle_s, n_clips = oracle
        print(
            f"MIRtoolbox oracle (Octave), 30 s clip: median of {n_clips} music clips' summed "
            f"call times in tests/fixtures/oracle_timing.csv (recorded in a loaded batch run): "
            f"{oracle_s:.1f} s  -> ours is {oracle_s / warm:.0f}x faster (wall)"
        )
    else:
        print("MIRtoolbox oracle timing: tests/fixtures/oracle_timing.csv not found")


if __name__ == "__main__":
    main()
