"""Command-line entry: ``python -m turkmood {train,predict-table} ...``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from turkmood.errors import TurkMoodError


def _cmd_train(args: argparse.Namespace, rest: list[str]) -> int:
    from turkmood import train

    return train.main(rest)


def _cmd_predict_table(args: argparse.Namespace, rest: list[str]) -> int:
    from turkmood.model import load_model, predict_features
    from turkmood.results import results_frame, to_csv_bytes
    from turkmood.tables import read_feature_table

    table = read_feature_table(args.csv)
    for notice in table.notices:
        print(f"note: {notice}", file=sys.stderr)
    model = load_model(args.model)
    preds = predict_features(table.features, model)
    if "file" in table.meta:
        names = table.meta["file"].tolist()
    else:
        names = [f"row {i + 1}" for i in range(len(preds))]
    frame = results_frame(
        names, preds, model.version, features=table.features if args.features else None
    )
    data = to_csv_bytes(frame)
    if args.out:
        Path(args.out).write_bytes(data)
        print(f"wrote {len(frame)} rows to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(data.decode("utf-8"))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per job."""
    parser = argparse.ArgumentParser(prog="python -m turkmood", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    train_p = sub.add_parser(
        "train", help="train and evaluate the models, write models/", add_help=False
    )
    train_p.set_defaults(func=_cmd_train)
    table_p = sub.add_parser("predict-table", help="predict emotions for a feature-table CSV")
    table_p.add_argument("csv", help="CSV with the 50 feature columns of the UCI table")
    table_p.add_argument("--out", help="write the results CSV here (default: stdout)")
    table_p.add_argument("--model", help="shipped model name (default: the default model)")
    table_p.add_argument("--features", action="store_true", help="include the 50 features")
    table_p.set_defaults(func=_cmd_predict_table)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit code (2 with a clear message on bad input)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if rest and args.command != "train":
        parser.error(f"unrecognised arguments: {' '.join(rest)}")
    try:
        return args.func(args, rest)
    except TurkMoodError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
