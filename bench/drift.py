"""Benchmark the drift report (a benchmark, not a test).

Prints, single-threaded (BLAS/OpenMP threads limited to 1):
- the one-off fit of the held-out model (clone of the default model on the training part;
  the page caches it per model);
- the report for all table scenarios (6 scenarios: predictions, accuracy / macro-F1 and PSI + KS
  for 50 features each, plus building the JSON and CSV report), median of repeats;
- fit + report, i.e. a cold first computation;
- optionally (``--audio N``) the audio-level drift of N sample clips (10 s excerpts, 6 transforms).

The target of issue 6 is "report for all table scenarios < 5 s".

Run: python bench/drift.py [--repeats N] [--audio N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from turkmood.data import load_training_data  # noqa: E402
from turkmood.drift.audio_run import load_sample_clips, run_audio_drift  # noqa: E402
from turkmood.drift.evaluate import run_table_scenarios  # noqa: E402
from turkmood.drift.holdout import make_holdout  # noqa: E402
from turkmood.drift.report import build_report, metadata, report_csv, report_json  # noqa: E402
from turkmood.model import load_model  # noqa: E402

TARGET_S = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--audio", type=int, default=0, help="sample clips for audio drift")
    args = parser.parse_args()

    model = load_model()
    data = load_training_data()
    t0 = time.perf_counter()
    holdout = make_holdout(model, data)
    fit_s = time.perf_counter() - t0

    times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        result = run_table_scenarios(holdout)
        report = build_report(result, metadata(holdout, model.name, "bench"))
        report_json(report)
        report_csv(report)
        times.append(time.perf_counter() - t0)
    report_s = statistics.median(times)

    base = result.get("baseline")
    print(f"model                       {model.version}")
    print(f"split                       {holdout.sizes} (seed {holdout.seed})")
    print(f"held-out baseline accuracy  {base.accuracy:.4f}  macro-F1 {base.macro_f1:.4f}")
    print(f"fit held-out model (once)   {fit_s:.2f} s")
    print(
        f"table scenarios report      {report_s:.2f} s median of {args.repeats} "
        f"(min {min(times):.2f}, max {max(times):.2f})"
    )
    total = fit_s + report_s
    verdict = "OK" if total < TARGET_S else "OVER"
    print(f"cold: fit + report          {total:.2f} s  (target < {TARGET_S:g} s: {verdict})")

    if args.audio:
        clips = load_sample_clips(args.audio)
        t0 = time.perf_counter()
        audio = run_audio_drift(clips, model, data.X)
        audio_s = time.perf_counter() - t0
        print(
            f"audio drift                 {audio_s:.1f} s for {len(clips)} clips x "
            f"(1 + {len(audio.scenarios)}) extractions of {audio.excerpt_s:g} s excerpts"
        )


if __name__ == "__main__":
    main()
