"""Benchmark the feature extractor (a benchmark, not a test).

Prints, in one process:
- cold first call (fresh interpreter: imports + first extraction of a 30 s clip), in a subprocess;
- warm seconds per 30 s clip (median of repeats, single core: BLAS/FFT threads limited to 1);
- warm seconds for a 5-minute song through ``analyze_signal`` (windows + timeline + prediction);
- a naive librosa extraction of a comparable feature set on the same clip, and the ratio;
- the MIRtoolbox oracle's seconds per 30 s clip as recorded in tests/fixtures/oracle_timing.csv
  (measured when the fixtures were made; the oracle is not run here), and the ratio.

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
t0 = time.perf_counter()
from turkmood.features import extract_features
rng = np.random.default_rng(0)
sr = 44100
t = np.arange(30 * sr) / sr
y = 0.3 * np.sin(2 * np.pi * 220 * t) * (1 + np.sign(np.sin(2 * np.pi * 2 * t))) / 2
y += 0.02 * rng.standard_normal(len(t))
extract_features(y, sr)
print(time.perf_counter() - t0)
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


def timed(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


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


def oracle_seconds() -> float | None:
    path = ROOT / "tests" / "fixtures" / "oracle_timing.csv"
    if not path.exists():
        return None
    import pandas as pd

    timing = pd.read_csv(path)
    numeric = timing.select_dtypes("number")
    if "total" in numeric.columns:
        return float(numeric["total"].median())
    return float(numeric.sum(axis=1).median())


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
    cold_s = float(cold.stdout.strip().splitlines()[-1])

    clip = test_signal(30.0)
    extract_features(clip, ANALYSIS_SR)  # warm-up
    warm = statistics.median(timed(lambda: extract_features(clip, ANALYSIS_SR), args.repeats))

    naive_librosa(clip, ANALYSIS_SR)  # warm-up (numba compilation)
    librosa_s = statistics.median(timed(lambda: naive_librosa(clip, ANALYSIS_SR), 3))

    model = cached_model()
    song = test_signal(300.0, seed=1)
    song_s = statistics.median(timed(lambda: analyze_signal(song, ANALYSIS_SR, model), 3))
    n_windows = len(analyze_signal(song, ANALYSIS_SR, model).timeline)

    oracle = oracle_seconds()
    print(f"cold first call (import + 30 s clip, fresh process): {cold_s:.3f} s  (target <= 5 s)")
    print(
        f"warm extraction, 30 s clip (median of {args.repeats}): {warm:.3f} s  (target <= 0.15 s)"
    )
    print(
        f"5-minute song, analyze_signal ({n_windows} windows + prediction): {song_s:.3f} s"
        "  (target <= 2 s)"
    )
    print(
        f"naive librosa comparable set, 30 s clip: {librosa_s:.3f} s  -> ours is "
        f"{librosa_s / warm:.2f}x faster"
    )
    if oracle is not None:
        print(
            f"MIRtoolbox oracle (Octave), 30 s clip, recorded in tests/fixtures/oracle_timing.csv: "
            f"{oracle:.1f} s  -> ours is {oracle / warm:.0f}x faster"
        )
    else:
        print("MIRtoolbox oracle timing: tests/fixtures/oracle_timing.csv not found")


if __name__ == "__main__":
    main()
