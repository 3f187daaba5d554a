"""End-to-end latency of one song analysis, as the Analyze page does it (no UI).

Usage: PYTHONPATH=. python bench/latency.py [--runs N] [--model NAME] [--clip PATH]
       PYTHONPATH=. python bench/latency.py --shap-agreement [--model NAME]

Measures decode + 50 features + predict + SHAP explanation of the predicted class:
- a 30 s clip (default tests/fixtures/audio/mus_wesnoth_battle_epic.flac), N runs, median/p95/max;
- a 5-minute song (ten 30 s fixtures joined and written as FLAC), M runs (--song-runs, 5) in
  this process and M runs with the windows on the app's warm worker pool
  (``turkmood.window_pool``, started and timed once, as the app does), with the ratio;
and, separately, the page's pictures (waveform envelope + mel spectrogram) for both.
The SHAP explainer is built once per model (the page caches it) and that build time is printed
apart. The model and the OOD detector are loaded/fitted before timing (both are cached in the
app). Every number printed is measured on this machine by this script.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import soundfile as sf

# Runnable as `python bench/NAME.py`: put the project root on the import path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from turkmood.analyze import analyze  # noqa: E402
from turkmood.audio import load_audio  # noqa: E402
from turkmood.constants import ANALYSIS_SR  # noqa: E402
from turkmood.data import load_training_data  # noqa: E402
from turkmood.explain import build_explainer, explain  # noqa: E402
from turkmood.model import load_model  # noqa: E402
from turkmood.ood import training_detector  # noqa: E402
from turkmood.signal_views import mel_spectrogram_db, waveform_envelope  # noqa: E402
from turkmood.window_pool import pool_size, start_window_pool  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "audio"
DEFAULT_CLIP = FIXTURES / "mus_wesnoth_battle_epic.flac"
LONG_SONG_S = 300


def _timed(fn: Callable[[], object], runs: int) -> np.ndarray:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return np.array(times)


def _summary(label: str, times: np.ndarray) -> str:
    return (
        f"{label}: n={len(times)} median {np.median(times):.3f} s, "
        f"p95 {np.percentile(times, 95):.3f} s, max {times.max():.3f} s"
    )


def _five_minute_song(folder: Path) -> Path:
    """Ten different 30 s music fixtures joined into one 5-minute mono FLAC."""
    parts = []
    for path in sorted(FIXTURES.glob("mus_*.flac")):
        y, sr = load_audio(path)
        assert sr == ANALYSIS_SR
        parts.append(y)
    song = np.concatenate(parts)
    while len(song) < LONG_SONG_S * ANALYSIS_SR:
        song = np.concatenate([song, song])
    path = folder / "five_minutes.flac"
    sf.write(path, song[: LONG_SONG_S * ANALYSIS_SR], ANALYSIS_SR, subtype="PCM_16")
    return path


AGREEMENT_ROWS = (3, 50, 120, 200, 333)
AGREEMENT_NSAMPLES = (128, 256, 512)
REFERENCE_NSAMPLES = 2048


def shap_agreement(model, background) -> None:
    """How many of the top-10 SHAP features a bounded explanation shares with a 2048-coalition
    reference, and its correlation, on a few training rows (only for kernel explainers)."""
    from turkmood.model import predict_proba

    reference = build_explainer(model, background, nsamples=REFERENCE_NSAMPLES)
    if reference.kind != "kernel":
        print(f"{model.name} uses the exact {reference.kind} explainer; nothing to compare")
        return
    for nsamples in AGREEMENT_NSAMPLES:
        bounded = build_explainer(model, background, nsamples=nsamples)
        overlaps, corrs, times = [], [], []
        for i in AGREEMENT_ROWS:
            row = background.iloc[i]
            target = str(predict_proba(model, background.iloc[[i]]).iloc[0].idxmax())
            ref = explain(reference, row, target).table.set_index("feature")["shap"]
            start = time.perf_counter()
            got = explain(bounded, row, target).table.set_index("feature")["shap"][ref.index]
            times.append(time.perf_counter() - start)
            top_ref = set(ref.abs().nlargest(10).index)
            overlaps.append(len(top_ref & set(got.abs().nlargest(10).index)))
            corrs.append(float(np.corrcoef(ref, got)[0, 1]))
        print(
            f"nsamples {nsamples}: top-10 overlap {overlaps}, correlation "
            f"{[round(c, 2) for c in corrs]}, median time {np.median(times):.3f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--song-runs", type=int, default=5, help="runs of the 5-minute song")
    parser.add_argument("--model", default=None, help="shipped model name (default: default)")
    parser.add_argument("--clip", type=Path, default=DEFAULT_CLIP)
    parser.add_argument("--shap-agreement", action="store_true")
    args = parser.parse_args()

    model = load_model(args.model)
    background = load_training_data().X
    if args.shap_agreement:
        shap_agreement(model, background)
        return
    training_detector()
    start = time.perf_counter()
    explainer = build_explainer(model, background)
    build_s = time.perf_counter() - start
    print(
        f"model {model.version}; explainer {explainer.kind} ({explainer.units}), "
        f"built once in {build_s:.3f} s"
    )

    def run(path: Path, pool=None) -> None:
        analysis = analyze(path, model, pool)
        explain(explainer, analysis.track_features, analysis.predicted)

    def pictures(path: Path) -> None:
        y, sr = load_audio(path)
        waveform_envelope(y, sr)
        mel_spectrogram_db(y, sr)

    duration = sf.info(args.clip).duration
    run(args.clip)  # warm-up (imports, first-call caches)
    analysis = analyze(args.clip, model)
    shap_times = _timed(
        lambda: explain(explainer, analysis.track_features, analysis.predicted), args.runs
    )
    print(_summary("SHAP explanation only", shap_times))
    print(
        _summary(
            f"{args.clip.name} ({duration:.0f} s) end-to-end",
            _timed(lambda: run(args.clip), args.runs),
        )
    )
    print(_summary(f"{args.clip.name} pictures", _timed(lambda: pictures(args.clip), 3)))

    with tempfile.TemporaryDirectory() as tmp:
        song = _five_minute_song(Path(tmp))
        label = f"{LONG_SONG_S // 60}-minute song end-to-end"
        alone = _timed(lambda: run(song), args.song_runs)
        print(_summary(f"{label}, in this process (baseline)", alone))
        start = time.perf_counter()
        pool = start_window_pool()
        if pool is None:
            print("one CPU only: no worker pool")
        else:
            started = time.perf_counter() - start
            print(f"worker pool of {pool_size(pool)} started in {started:.2f} s")
            pooled = _timed(lambda: run(song, pool), args.song_runs)
            print(_summary(f"{label}, windows on the pool", pooled))
            print(f"ratio baseline / pool (medians): {np.median(alone) / np.median(pooled):.2f}x")
            pool.shutdown()
        print(
            _summary(f"{LONG_SONG_S // 60}-minute song pictures", _timed(lambda: pictures(song), 3))
        )


if __name__ == "__main__":
    main()
