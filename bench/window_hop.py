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
import pandas as pd

# Runnable as `python bench/NAME.py`: put the project root on the import path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from turkmood.analyze import window_bounds  # noqa: E402
from turkmood.audio import load_audio  # noqa: E402
from turkmood.constants import ANALYSIS_SR, CLASSES, FEATURE_NAMES, SEED  # noqa: E402
from turkmood.decision import decide  # noqa: E402
from turkmood.features import extract_windows_with_flags  # noqa: E402
from turkmood.model import load_model, predict_proba  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "audio"
HOPS_S = (30.0, 15.0)


def track_probabilities(y: np.ndarray, model, hop_s: float) -> tuple[pd.Series, int, float]:
    """Mean window probabilities of ``y`` with windows every ``hop_s``; windows and seconds."""
    start = time.perf_counter()
    bounds = window_bounds(len(y), ANALYSIS_SR, hop_s=hop_s)
    vectors = extract_windows_with_flags(y, ANALYSIS_SR, bounds)
    features = pd.DataFrame([v.values for v in vectors], columns=list(FEATURE_NAMES))
    probs = predict_proba(model, features).mean(axis=0)
    return probs, len(bounds), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=8)
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--model", default=None)
    args = parser.parse_args()

    model = load_model(args.model)
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
        results = {hop: track_probabilities(song, model, hop) for hop in HOPS_S}
        verdicts = {
            hop: decide(pd.DataFrame([p], columns=list(CLASSES)))
            for hop, (p, _, _) in results.items()
        }
        diff = float(np.abs(results[HOPS_S[0]][0] - results[HOPS_S[1]][0]).max())
        same = verdicts[HOPS_S[0]].loc[0, "predicted"] == verdicts[HOPS_S[1]].loc[0, "predicted"]
        agree += same
        max_diffs.append(diff)
        for hop, (_, _, seconds) in results.items():
            times[hop].append(seconds)
        print(
            f"song {i + 1}: "
            + "; ".join(
                f"hop {hop:g} s: {results[hop][1]} windows {results[hop][2]:.2f} s "
                f"{verdicts[hop].loc[0, 'decision']}"
                for hop in HOPS_S
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
