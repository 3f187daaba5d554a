"""Benchmark the feature extractor (a benchmark, not a test).

Prints, in one process (the comparisons that count are ratios measured in the same run):
- cold first call (fresh interpreter: imports + first extraction of a 30 s clip), in a subprocess;
- warm 30 s extraction with the default extraction threads (EXTRACT_THREADS) and with one, and
  a naive librosa extraction of a comparable feature set on the same clip (single-threaded
  BLAS, as always here), timed in rounds (one call of each per round), wall and CPU seconds,
  and the ratios ours / librosa of the wall and of the CPU seconds (medians of the per-round
  ratios);
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


def interleaved(fns: dict, repeats: int) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) seconds of each callable of ``fns``, ``repeats`` rounds, one call of each
    per round in turn, so that a change of load on a shared machine hits all of them alike."""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            times[name].append((time.perf_counter() - t0, time.process_time() - c0))
    return times


def median_ratio(times: dict, num: str, den: str, kind: int) -> float:
    """Median over the rounds of ``num``'s / ``den``'s seconds (kind 0: wall, 1: CPU)."""
    return statistics.median(a[kind] / b[kind] for a, b in zip(times[num], times[den], strict=True))


def medians(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    """Median wall and median CPU seconds."""
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


def worker_memory(pool) -> list[tuple[float, float]]:
    """(RSS MB, USS MB) of each live worker of a ProcessPoolExecutor, then of their parent (the
    fork server, whose pages the workers share)."""
    import psutil

    out, parent = [], None
    for pid in sorted(getattr(pool, "_processes", {}) or {}):
        process = psutil.Process(pid)
        info = process.memory_full_info()
        out.append((info.rss / 1e6, info.uss / 1e6))
        parent = process.parent()
    if parent is not None:
        info = parent.memory_full_info()
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
    parser.add_argument("--repeats", type=int, default=9)
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

    def one_thread() -> None:
        parallel.set_threads(1)
        try:
            extract_features(clip, ANALYSIS_SR)
        finally:
            parallel.set_threads(None)

    runs = interleaved(
        {
            "ours": lambda: extract_features(clip, ANALYSIS_SR),
            "ours_1": one_thread,
            "librosa": lambda: naive_librosa(clip, ANALYSIS_SR),
        },
        args.repeats,
    )

    model = cached_model()
    song = test_signal(300.0, seed=1)
    n_windows = len(analyze_signal(song, ANALYSIS_SR, model).timeline)
    from turkmood.window_pool import pool_size, start_window_pool

    pool = start_window_pool()
    songs = {
        "clip": lambda: analyze_signal(clip, ANALYSIS_SR, model),
        "song": lambda: analyze_signal(song, ANALYSIS_SR, model),
    }
    if pool is not None:
        memory_idle = worker_memory(pool)
        songs["pooled"] = lambda: analyze_signal(song, ANALYSIS_SR, model, pool)
    song_runs = interleaved(songs, 3)
    if pool is not None:
        memory = worker_memory(pool)
        n_workers = pool_size(pool)
        pool.shutdown()
    clip_s, clip_cpu = medians(song_runs["clip"])
    song_s, song_cpu = medians(song_runs["song"])
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
    ours_wall, ours_cpu = medians(runs["ours"])
    one_wall, one_cpu = medians(runs["ours_1"])
    librosa_wall, librosa_cpu = medians(runs["librosa"])
    print(
        f"warm extraction, 30 s clip, {n_threads} extraction threads (median of {args.repeats} "
        f"rounds, each round: ours, ours on 1 thread, librosa): {ours_wall:.3f} s wall, "
        f"{ours_cpu:.3f} s CPU"
    )
    print(f"  the same on 1 extraction thread: {one_wall:.3f} s wall, {one_cpu:.3f} s CPU")
    print(
        f"naive librosa comparable set, same clip: {librosa_wall:.3f} s wall, "
        f"{librosa_cpu:.3f} s CPU"
    )
    print(
        f"  ours / librosa, WALL: {median_ratio(runs, 'ours', 'librosa', 0):.3f} (target <= "
        f"0.25);  CPU: {median_ratio(runs, 'ours', 'librosa', 1):.3f}  (medians of the "
        "per-round ratios)"
    )
    print(
        f"  1 thread / librosa, WALL: {median_ratio(runs, 'ours_1', 'librosa', 0):.3f};  CPU: "
        f"{median_ratio(runs, 'ours_1', 'librosa', 1):.3f}"
    )
    print(
        f"one 30 s clip, analyze_signal (features + prediction; median of 3 rounds, each "
        f"round: clip, song, pooled song): {clip_s:.3f} s wall, {clip_cpu:.3f} s CPU"
    )
    print(
        f"5-minute song, analyze_signal in this process ({n_windows} windows): {song_s:.3f} s "
        f"wall, {song_cpu:.3f} s CPU  -> {median_ratio(song_runs, 'song', 'clip', 0):.2f}x the "
        "clip (wall)"
    )
    if pool is not None:
        pooled_s, pooled_cpu = medians(song_runs["pooled"])
        print(
            f"5-minute song, windows on a warm pool of {n_workers} workers (1 thread each): "
            f"{pooled_s:.3f} s wall ({pooled_cpu:.3f} s CPU in this process)  -> "
            f"{median_ratio(song_runs, 'pooled', 'clip', 0):.2f}x the clip (wall; target <= 4)"
        )
        for k, ((rss0, uss0), (rss, uss)) in enumerate(zip(memory_idle, memory, strict=False)):
            who = f"worker {k}" if k < n_workers else "their fork server"
            print(
                f"  {who}: RSS {rss0:.0f} MB idle -> {rss:.0f} MB after the songs; "
                f"USS (its own pages) {uss0:.0f} -> {uss:.0f} MB"
            )
    if isinstance(ess, str):
        print(f"Essentia MusicExtractor: {ess}")
    else:
        print(
            f"Essentia MusicExtractor, same clip as a float WAV (decode + all its descriptors): "
            f"{ess[0]:.3f} s wall, {ess[1]:.3f} s CPU  -> ours / Essentia wall "
            f"{ours_wall / ess[0]:.3f}"
        )
    if oracle is not None:
        oracle_s, n_clips = oracle
        print(
            f"MIRtoolbox oracle (Octave), 30 s clip: median of {n_clips} music clips' summed "
            f"call times in tests/fixtures/oracle_timing.csv (recorded in a loaded batch run): "
            f"{oracle_s:.1f} s  -> ours is {oracle_s / ours_wall:.0f}x faster (wall)"
        )
    else:
        print("MIRtoolbox oracle timing: tests/fixtures/oracle_timing.csv not found")


if __name__ == "__main__":
    main()
