"""Back-to-back windows (30 s hop, the app's choice) against 50 % overlap (15 s hop).

Usage: PYTHONPATH=. python bench/window_hop.py [--songs N] [--minutes M] [--model NAME]

Builds N songs of M minutes from the ten 30 s music fixtures in a fixed pseudo-random order
(seeded), analyses each in this process with both hops, and prints per song the number of
windows, the time, the track decision of each and the largest difference between the two
track probability vectors; then how often the predicted emotion agrees. Every number printed is
measured by this script on this machine.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

# Runnable as `python bench/NAME.py`: put the project root on the import path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from turkmood.analyze import Analysis, analyze_signal  # noqa: E402
from turkmood.audio import load_audio  # noqa: E402
from turkmood.constants import ANALYSIS_SR, CLASSES, SEED  # noqa: E402
from turkmood.model import load_model  # noqa: E402
from turkmood.ood import training_detector  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "audio"
HOPS_S = (30.0, 15.0)


def timed_analysis(y: np.ndarray, model, hop_s: float) -> tuple[Analysis, float]:
    """The app's analysis of ``y`` (in this process) with windows every ``hop_s``, and seconds."""
    start = time.perf_counter()
    analysis = analyze_signal(y, ANALYSIS_SR, model, hop_s=hop_s)
    return analysis, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=8)
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--model", default=None)
    args = parser.parse_args()

    model = load_model(args.model)
    training_detector()  # fitted once per process (the app does it at start-up), not timed
    clips = [load_audio(p)[0] for p in sorted(FIXTURES.glob("mus_*.flac"))]
    rng = np.random.default_rng(SEED)
    n = int(args.minutes * 60 * ANALYSIS_SR)
    agree, max_diffs, times = 0, [], {hop: [] for hop in HOPS_S}
    print(f"model {model.version}; {args.songs} songs of {args.minutes:g} min")
    for i in range(args.songs):
        order = rng.permutation(len(clips))
        song = np.concatenate([clips[k] for k in order])
        while len(song) < n:
            song = np.concatenate([song, song])
        song = song[:n]
        results = {hop: timed_analysis(song, model, hop) for hop in HOPS_S}
        tracks = {
            hop: a.track.loc[0, list(CLASSES)].to_numpy(float) for hop, (a, _) in results.items()
        }
        diff = float(np.abs(tracks[HOPS_S[0]] - tracks[HOPS_S[1]]).max())
        agree += results[HOPS_S[0]][0].predicted == results[HOPS_S[1]][0].predicted
        max_diffs.append(diff)
        for hop, (_, seconds) in results.items():
            times[hop].append(seconds)
        print(
            f"song {i + 1}: "
            + "; ".join(
                f"hop {hop:g} s: {len(a.timeline)} windows {seconds:.2f} s {a.decision}"
                for hop, (a, seconds) in results.items()
            )
            + f"; max |prob diff| {diff:.3f}"
        )
    print(
        f"same predicted emotion in {agree}/{args.songs} songs; max |prob diff| median "
        f"{np.median(max_diffs):.3f}, max {max(max_diffs):.3f}; median time "
        + ", ".join(f"hop {hop:g} s {np.median(times[hop]):.2f} s" for hop in HOPS_S)
        + f" (ratio {np.median(times[HOPS_S[1]]) / np.median(times[HOPS_S[0]]):.2f}x)"
    )


if __name__ == "__main__":
    main()
