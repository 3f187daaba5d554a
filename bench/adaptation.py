"""Adaptation bench: champion vs challenger on a small labelled catalogue, by grouped folds.

Usage: PYTHONPATH=. python bench/adaptation.py [--data DIR] [--quick] [--weights 1,2,5,10]

DIR (default /work/shared/data/adaptation) holds audio tracks and a ``labels.csv`` of
``path,emotion[,mood_tag]``. Every track is imported into a throw-away TURKMOOD_HOME (hash,
decode and features through ``turkmood.analyze.analyze``), then ``turkmood.learning.retrain``
chooses the user weight, trains the challenger fold by fold and compares it with the bundled
champion: per track (verdict = mean window probabilities) arousal agreement, confident-wrong
count, accuracy and macro-F1 over grouped folds (tracks sharing a ``_s<seed>`` suffix stay
together), and the UCI CV macro-F1 of both. Every number printed is measured by this run.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

# Runnable as `python bench/NAME.py`: put the project root on the import path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from turkmood.constants import HOME_ENV, USER_WEIGHT_GRID  # noqa: E402

DEFAULT_DATA = Path("/work/shared/data/adaptation")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--quick", action="store_true", help="fewer UCI folds, one user repeat")
    parser.add_argument("--weights", default=",".join(map(str, USER_WEIGHT_GRID)))
    args = parser.parse_args()

    print(f"command: {shlex.join([Path(sys.executable).name, *sys.argv])}")
    print(f"started: {_now()}")
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="turkmood-bench-") as home:
        os.environ[HOME_ENV] = home  # labels and reports of this run only
        from turkmood.learning.compare import format_table
        from turkmood.learning.labels import import_labels_csv
        from turkmood.learning.retrain import RetrainConfig, retrain

        imported = import_labels_csv(args.data / "labels.csv")
        print(f"labels: {imported.summary()} ({time.perf_counter() - start:.0f} s)")
        for line, path, reason in imported.errors:
            print(f"  line {line} ({path}): {reason}")
        weights = tuple(int(w) for w in args.weights.split(","))
        config = (
            RetrainConfig.quick(weights=weights) if args.quick else RetrainConfig(weights=weights)
        )
        result = retrain(
            config=config, progress=lambda m: print(f"[retrain] {m}", file=sys.stderr, flush=True)
        )
    report = result.report
    print()
    print(format_table(report))
    print()
    print("weight  user macro-F1  user arousal  UCI macro-F1")
    for w, c in report["weight_choice"]["candidates"].items():
        print(
            f"{w:>6}  {c['user_macro_f1']:13.3f}  {c['user_arousal']:12.3f}  "
            f"{c['uci_macro_f1']:12.3f}"
        )
    print(f"caveat: {report['weight_choice']['caveat']}")
    print()
    print("per track (first repeat; challenger out of fold):")
    champ = report["user"]["champion"]["tracks_first_repeat"]
    chall = report["user"]["challenger"]["tracks_first_repeat"]
    width = max(len(t["clip_name"]) for t in champ)
    print(f"{'track'.ljust(width)}  label   champion        challenger")
    for a, b in zip(champ, chall, strict=True):
        print(
            f"{a['clip_name'].ljust(width)}  {a['emotion']:<6}  "
            f"{a['predicted']:<6} {a['confidence']:.2f}     "
            f"{b['predicted']:<6} {b['confidence']:.2f}"
        )
    print(f"finished: {_now()} ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
