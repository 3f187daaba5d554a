"""Benchmark the feature extractor (a benchmark, not a test).

Prints, in one process (the comparisons that count are ratios measured in the same run):
- cold first call (fresh interpreter: imports + first extraction of a 30 s clip), in a subprocess;
- warm 30 s extraction with the default extraction threads (EXTRACT_THREADS) and with one,
  wall and CPU seconds (median of repeats);
- a naive librosa extraction of a comparable feature set on the same clip (single-threaded
  BLAS, as always here), timed alternately with ours, and the ratios ours / librosa of the wall
  and of the CPU seconds (median of the per-pair ratios);
- one 30 s clip through ``analyze_signal`` (features + prediction), and a 5-minute song through
  it in this process and on a warm window pool, with the pooled song's ratio to the clip;
- the window-pool workers' memory (RSS, and USS: the pages no other process shares);
- Essentia's MusicExtractor on a WAV of the same clip, when ``essentia`` is installed
  (bench/requirements-bench.txt);
- the MIRtoolbox oracle's seconds per 30 s clip as recorded in tests/fixtures/oracle_timing.csv
  (measured when the fixtures were made; the oracle is not run here), and the ratio.

Wall time includes waiting for a core on a shared machine (the load average is printed at the
start and the end); CPU seconds count every thread of this process.

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


def paired(ours, theirs, repeats: int) -> dict[str, float]:
    """Time ``ours`` and ``theirs`` alternately ``repeats`` times (so load changes hit both).

    Returns the medians of each one's wall and CPU seconds and the medians of the per-pair
    ratios ours / theirs.
    """
    rows = []
    for _ in range(repeats):
        pair = []
        for fn in (ours, theirs):
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            pair += [time.perf_counter() - t0, time.process_time() - c0]
        rows.append(pair)
    w_o, c_o, w_t, c_t = (statistics.median(col) for col in zip(*rows, strict=True))
    return {
        "ours_wall": w_o,
        "ours_cpu": c_o,
        "theirs_wall": w_t,
        "theirs_cpu": c_t,
        "wall_ratio": statistics.median(r[0] / r[2] for r in rows),
        "cpu_ratio": statistics.median(r[1] / r[3] for r in rows),
    }


def worker_memory(pool) -> list[tuple[float, float]]:
    """(RSS MB, USS MB) of each live worker of a ProcessPoolExecutor."""
    import psutil

    out = []
    for pid in sorted(getattr(pool, "_processes", {}) or {}):
        info = psutil.Process(pid).memory_full_info()
        out.append((info.rss / 1e6, info.uss / 1e6))
    return out


def essentia_seconds(y: np.ndarray, sr: int, repeats: int) -> tuple[float, float] | str:
    """Median (wall, CPU) s of Essentia's MusicExtractor on a float WAV of ``y``, or why not."""
    try:
        import essentia
        import essentia.standard as es
    except ImportError as error:
        return f"not installed ({error}); pip install -r bench/requirements-bench.txt"
    import tempfile

    import soundfile as sf

    essentia.log.infoActive = False
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "clip.wav")
        sf.write(path, y, sr, subtype="FLOAT")
        es.MusicExtractor()(path)  # warm-up
        return timed(lambda: es.MusicExtractor()(path), repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    load_start = os.getloadavg()[0]

    from turkmood.analyze import analyze_signal
    from turkmood.features import extract_features, parallel
    from turkmood.features.fft import backend
    from turkmood.model import cached_model

    cold = subprocess.run(
        [sys.executable, "-c", COLD_SNIPPET], cwd=ROOT, capture_output=True, text=True, check=True
    )
    cold_s, cold_cpu = map(float, cold.stdout.strip().splitlines()[-1].split())

    clip = test_signal(30.0)
    extract_features(clip, ANALYSIS_SR)  # warm-up
    naive_librosa(clip, ANALYSIS_SR)  # warm-up (numba compilation)
    n_threads = parallel.threads()
    vs_librosa = paired(
        lambda: extract_features(clip, ANALYSIS_SR),
        lambda: naive_librosa(clip, ANALYSIS_SR),
        args.repeats,
    )
    parallel.set_threads(1)
    one_wall, one_cpu = timed(lambda: extract_features(clip, ANALYSIS_SR), args.repeats)
    parallel.set_threads(None)

    model = cached_model()
    clip_s, clip_cpu = timed(lambda: analyze_signal(clip, ANALYSIS_SR, model), args.repeats)
    song = test_signal(300.0, seed=1)
    song_s, song_cpu = timed(lambda: analyze_signal(song, ANALYSIS_SR, model), 3)
    n_windows = len(analyze_signal(song, ANALYSIS_SR, model).timeline)
    from turkmood.window_pool import pool_size, start_window_pool

    pool = start_window_pool()
    memory = []
    if pool is not None:
        memory_idle = worker_memory(pool)
        pooled_s, pooled_cpu = timed(lambda: analyze_signal(song, ANALYSIS_SR, model, pool), 3)
        memory = worker_memory(pool)
        n_workers = pool_size(pool)
        pool.shutdown()
    ess = essentia_seconds(clip, ANALYSIS_SR, 3)

    oracle = oracle_seconds()
    print(
        f"load average (1 min): {load_start:.2f} at the start, {os.getloadavg()[0]:.2f} at the "
        f"end, on {os.cpu_count()} cores; FFT library: {backend()}"
    )
    print(
        f"cold first call (import + 30 s clip, fresh process): {cold_s:.3f} s wall, "
        f"{cold_cpu:.3f} s CPU"
    )
    print(
        f"warm extraction, 30 s clip, {n_threads} extraction thread(s) (median of "
        f"{args.repeats}): {vs_librosa['ours_wall']:.3f} s wall, {vs_librosa['ours_cpu']:.3f} s "
        "CPU"
    )
    print(
        f"warm extraction, 30 s clip, 1 extraction thread: {one_wall:.3f} s wall, "
        f"{one_cpu:.3f} s CPU"
    )
    print(
        f"naive librosa comparable set, same clip, timed alternately with ours: "
        f"{vs_librosa['theirs_wall']:.3f} s wall, {vs_librosa['theirs_cpu']:.3f} s CPU"
    )
    print(
        f"  ours / librosa, WALL: {vs_librosa['wall_ratio']:.3f}   (target <= 0.25)   "
        f"ours / librosa, CPU: {vs_librosa['cpu_ratio']:.3f}   (median of per-pair ratios)"
    )
    print(
        f"one 30 s clip, analyze_signal (features + prediction): {clip_s:.3f} s wall, "
        f"{clip_cpu:.3f} s CPU"
    )
    print(
        f"5-minute song, analyze_signal in this process ({n_windows} windows): {song_s:.3f} s "
        f"wall, {song_cpu:.3f} s CPU  -> {song_s / clip_s:.2f}x the clip"
    )
    if pool is not None:
        print(
            f"5-minute song, windows on a warm pool of {n_workers} workers (1 thread each): "
            f"{pooled_s:.3f} s wall ({pooled_cpu:.3f} s CPU in this process)  -> "
            f"{pooled_s / clip_s:.2f}x the clip (target <= 4)"
        )
        for k, ((rss0, uss0), (rss, uss)) in enumerate(zip(memory_idle, memory, strict=False)):
            print(
                f"  worker {k}: RSS {rss0:.0f} MB idle -> {rss:.0f} MB after the song; "
                f"USS (its own pages) {uss0:.0f} -> {uss:.0f} MB"
            )
    if isinstance(ess, str):
        print(f"Essentia MusicExtractor: {ess}")
    else:
        print(
            f"Essentia MusicExtractor, same clip as a float WAV (decode + all its descriptors): "
            f"{ess[0]:.3f} s wall, {ess[1]:.3f} s CPU  -> ours / Essentia wall "
            f"{vs_librosa['ours_wall'] / ess[0]:.3f}"
        )
    if oracle is not None:
        oracle_s, n_clips = oracle
        print(
            f"MIRtoolbox oracle (Octave), 30 s clip: median of {n_clips} music clips' summed "
            f"call times in tests/fixtures/oracle_timing.csv (recorded in a loaded batch run): "
            f"{oracle_s:.1f} s  -> ours is {oracle_s / vs_librosa['ours_wall']:.0f}x faster "
            "(wall)"
        )
    else:
        print("MIRtoolbox oracle timing: tests/fixtures/oracle_timing.csv not found")


if __name__ == "__main__":
    main()
