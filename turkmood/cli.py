"""Command-line entry of TurkMood (``python -m turkmood COMMAND``)."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from turkmood.constants import (
    API_HOST,
    API_MAX_UPLOAD_MB,
    API_PORT,
    API_QUEUE,
    API_WORKERS,
    APP_HOST,
    APP_PORT,
    MODELS_DIR,
    PACKAGE_VERSION,
    SEED,
    USER_WEIGHT_GRID,
)
from turkmood.errors import TurkMoodError

_DESCRIPTION = "TurkMood: which of four emotions (happy, sad, angry, relax) a song carries."
_EXAMPLES = """examples:
  python -m turkmood predict song.mp3                 print the verdict of one song
  python -m turkmood predict music/ --out results.csv score a folder into a CSV
  python -m turkmood predict-table features.csv       score a table of the 50 features
  python -m turkmood app                              the web app on http://127.0.0.1:8501
  python -m turkmood serve --port 8000                the REST API (docs at /docs)
  python -m turkmood retrain --labels labels.csv      train a challenger on your labels
  python -m turkmood models                           list models, champion marked

models (--model): {models}; default: the current champion."""
#: Commands that decode many audio files: libmpg123's own stderr lines are filtered out there.
_DECODING_COMMANDS = frozenset({"predict", "retrain"})
#: Commands that hand unknown options on (to the trainer, to Streamlit).
_PASS_THROUGH_COMMANDS = frozenset({"train", "app"})
_MODEL_HELP = "model name (list: python -m turkmood models; default: the current champion)"


def _cmd_train(args: argparse.Namespace, rest: list[str]) -> int:
    from turkmood import train

    return train.main(rest)


def _cmd_precompute(args: argparse.Namespace, rest: list[str]) -> int:
    from turkmood.data import load_training_data
    from turkmood.precomputed import write_classroom

    out = Path(args.models_dir)
    entry = write_classroom(out, load_training_data())
    print(f"wrote {out / entry['file']} (sha256 {entry['sha256'][:12]}…) and its manifest entry")
    return 0


def _cmd_predict_table(args: argparse.Namespace, rest: list[str]) -> int:
    from turkmood.model import load_model, predict_features
    from turkmood.ood import check_features
    from turkmood.results import results_frame, to_csv_bytes
    from turkmood.tables import read_feature_table

    table = read_feature_table(args.csv)
    for notice in table.notices:
        print(f"note: {notice}", file=sys.stderr)
    model = load_model(args.model)
    verdicts = check_features(table.features)
    preds = predict_features(table.features, model, verdicts)
    if "file" in table.meta:
        names = table.meta["file"].tolist()
    else:
        names = [f"row {i + 1}" for i in range(len(preds))]
    frame = results_frame(
        names,
        preds,
        model.version,
        ood=[r.is_ood for r in verdicts],
        features=table.features if args.features else None,
    )
    data = to_csv_bytes(frame)
    if args.out:
        Path(args.out).write_bytes(data)
        print(f"wrote {len(frame)} rows to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(data.decode("utf-8"))
    return 0


def _cmd_predict(args: argparse.Namespace, rest: list[str]) -> int:
    from turkmood.batch import expand_paths
    from turkmood.model import load_model

    if args.jobs < 1:
        print("error: --jobs must be at least 1", file=sys.stderr)
        return 2
    if args.address and args.scheduler != "dask":
        print("error: --address needs --scheduler dask", file=sys.stderr)
        return 2
    if args.dry_run and not args.write_tags:
        print("error: --dry-run only applies to --write-tags", file=sys.stderr)
        return 2
    if args.resume and not args.out:
        print("error: --resume needs --out (the CSV to resume)", file=sys.stderr)
        return 2
    paths = expand_paths(args.paths)
    if not paths:
        print("error: no files found for " + " ".join(args.paths), file=sys.stderr)
        return 2
    if not args.out:  # print the verdicts: the CSV goes to a throw-away folder
        with tempfile.TemporaryDirectory(prefix="turkmood-predict-") as folder:
            out = Path(folder) / "results.csv"
            code = _predict_into(args, paths, load_model(args.model), out, printed=True)
            if out.exists():
                print(readable_results(out))
            return code
    return _predict_into(args, paths, load_model(args.model), Path(args.out), printed=False)


def readable_results(csv_path: Path) -> str:
    """The results CSV as lines a person reads: the verdict, its confidence, the probabilities."""
    import pandas as pd

    from turkmood.constants import CLASSES
    from turkmood.results import FAILED

    table = pd.read_csv(csv_path, keep_default_na=False, dtype=str)
    lines = []
    for _, row in table.iterrows():
        name = str(row["file"]).removeprefix("'")
        if row["status"] == FAILED:
            lines.append(f"{name}: failed — {row['error']}")
            continue
        probs = ", ".join(f"{c} {float(row[f'p_{c}']):.2f}" for c in CLASSES)
        lines.append(
            f"{name}: {row['decision']} (confidence {float(row['confidence']):.2f}; {probs}; "
            f"{float(row['duration_s']):.1f} s)"
        )
    return "\n".join(lines)


def _predict_into(
    args: argparse.Namespace, paths: list[Path], model: object, out: Path, printed: bool
) -> int:
    """Score ``paths`` into ``out`` with a progress bar; the exit code.

    ``printed``: the caller prints the verdicts (no --out), so the summary names no file.
    """
    from tqdm import tqdm

    from turkmood.batch_run import run_batch

    with tqdm(total=len(paths), unit="file", file=sys.stderr, disable=args.quiet) as bar:

        def progress(name: str, ok: bool) -> None:
            bar.set_postfix_str(("" if ok else "failed: ") + Path(name).name[-30:])
            bar.update(1)

        try:
            summary = run_batch(
                paths,
                out,
                model,
                jobs=args.jobs,
                include_features=args.features,
                resume=args.resume,
                scheduler=args.scheduler,
                address=args.address,
                progress=progress,
                log_source="cli",
            )
        except KeyboardInterrupt:
            bar.close()
            where = "" if printed else f"; their rows are in {out} — re-run with --resume to finish"
            print(f"\ninterrupted after {bar.n} file(s){where}", file=sys.stderr)
            return 130
    skipped = f" ({summary.n_skipped} already in the file)" if summary.n_skipped else ""
    wrote = "" if printed else f"; wrote {out}"
    print(f"scored {summary.n_ok} of {summary.n_files} file(s){skipped}{wrote}", file=sys.stderr)
    if not printed:  # printed mode shows each failure in its own line on stdout
        for name, error in summary.errors:
            print(f"  {name}: {error}", file=sys.stderr)
    if args.write_tags:
        _write_tags(out, paths, args.dry_run)
    return 0 if summary.n_ok else 1


def _cmd_serve(args: argparse.Namespace, rest: list[str]) -> int:
    import importlib

    # the API face lives beside the library (api/); imported only for this command
    server = importlib.import_module("api.server")
    server.serve(
        args.host,
        args.port,
        workers=args.workers,
        queue=args.queue,
        max_upload_mb=args.max_upload_mb,
    )
    return 0


def _cmd_app(args: argparse.Namespace, rest: list[str]) -> int:
    import importlib

    # the app face lives beside the library (ui/, app.py); imported only for this command
    launch = importlib.import_module("ui.launch")
    return launch.run(["--server.address", args.host, "--server.port", str(args.port), *rest])


def _cmd_retrain(args: argparse.Namespace, rest: list[str]) -> int:
    from turkmood.learning.compare import format_table
    from turkmood.learning.labels import import_labels_csv, labels_from_feedback
    from turkmood.learning.retrain import RetrainConfig, retrain, write_report

    def progress(msg: str) -> None:
        print(f"[retrain] {msg}", file=sys.stderr, flush=True)

    try:
        weights = tuple(int(w) for w in args.weights.split(",") if w.strip())
    except ValueError:
        weights = ()
    if not weights or min(weights) < 1:
        print("error: --weights takes positive integers such as 1,2,5,10", file=sys.stderr)
        return 2
    if args.labels:
        progress(f"importing labels from {Path(args.labels).name}")
        imported = import_labels_csv(args.labels)
        progress(imported.summary())
        for line, path, reason in imported.errors:
            progress(f"  line {line} ({path!r}): {reason}")
    if args.feedback:
        progress(f"copied {labels_from_feedback()} feedback answer(s) into the labels")
    options = {"seed": args.seed, "weights": weights}
    if args.quick and args.thorough:
        print("error: --quick and --thorough exclude each other", file=sys.stderr)
        return 2
    if args.quick:
        config = RetrainConfig.quick(**options)
    elif args.thorough:
        config = RetrainConfig.thorough(**options)
    else:
        config = RetrainConfig(**options)
    result = retrain(config=config, progress=progress)
    print(format_table(result.report))
    path = write_report(result.report)
    progress(f"wrote the comparison report to {path}")
    if args.no_register:
        return 0
    from turkmood.learning.challenger import register_challenger

    version = register_challenger(result)
    progress(
        f"registered challenger version {version}; `python -m turkmood promote` applies the gate"
    )
    return 0


def _cmd_models(args: argparse.Namespace, rest: list[str]) -> int:
    from turkmood.serving import model_listing

    listing = model_listing()
    print(f"{'':2}{'model':24} {'source':9} {'aliases':22} {'macro-F1':>9}  notes")
    for m in listing["models"]:
        mark = "* " if m["champion"] else "  "
        f1 = m["cv"].get("macro_f1")
        aliases = ",".join(m.get("aliases", [])) or "-"
        f1_text = f"{f1:9.3f}" if f1 is not None else f"{'-':>9}"
        print(f"{mark}{m['name']:24} {m['source']:9} {aliases:22} {f1_text}  {m.get('note', '')}")
    print("* champion (used by the app, the API, batch and predict unless --model is given)")
    return 0


def _print_result(result) -> int:
    print(result.message)
    return 0 if result.done else 1


def _cmd_promote(args: argparse.Namespace, rest: list[str]) -> int:
    from turkmood.learning.registry import promote

    return _print_result(promote(force=args.force, reason=args.reason or ""))


def _cmd_rollback(args: argparse.Namespace, rest: list[str]) -> int:
    from turkmood.learning.registry import rollback

    return _print_result(rollback())


def _write_tags(out: str, paths: list[Path], dry_run: bool) -> None:
    """``predict --write-tags``: tag every scored file; failures are reported per file."""
    from turkmood.tags import tag_scored_files

    outcomes = tag_scored_files(out, paths, dry_run=dry_run)
    n_failed = 0
    for outcome in outcomes:
        if outcome.error:
            n_failed += 1
            print(f"  tags not written: {outcome.error}", file=sys.stderr)
        elif dry_run:
            write = outcome.write
            pairs = ", ".join(f"{k}={v}" for k, v in write.tags.items())
            state = "already tagged" if write.unchanged else "would write"
            print(f"{outcome.path}: {state} {pairs} ({write.format}, {write.scheme})")
    n_done = len(outcomes) - n_failed
    if dry_run:
        print(f"dry run: {n_done} file(s) could be tagged; nothing was changed", file=sys.stderr)
    else:
        n_same = sum(1 for o in outcomes if o.write is not None and o.write.unchanged)
        same = f" ({n_same} already tagged)" if n_same else ""
        print(f"tagged {n_done} file(s){same}", file=sys.stderr)
    if n_failed:
        print(f"could not tag {n_failed} file(s)", file=sys.stderr)


def _model_names() -> list[str]:
    """Names of the shipped models (empty when the manifest cannot be read)."""
    from turkmood.model import available_models

    try:
        return available_models()
    except (OSError, ValueError, TurkMoodError):
        return []


def _version() -> str:
    """``turkmood X.Y.Z`` (the installed distribution's, else the source tree's)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        number = version("turkmood")
    except PackageNotFoundError:
        number = PACKAGE_VERSION
    return f"turkmood {number}"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per job."""
    parser = argparse.ArgumentParser(
        prog="python -m turkmood",
        description=_DESCRIPTION,
        epilog=_EXAMPLES.format(models=", ".join(_model_names())),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True)
    train_p = sub.add_parser(
        "train", help="train and evaluate the models, write models/", add_help=False
    )
    train_p.set_defaults(func=_cmd_train)
    pre_p = sub.add_parser(
        "precompute",
        help="recompute the Classroom's feature rankings and t-SNE map of a models folder",
        description="Compute, for every model in DIR's manifest, the feature ranking by mean "
        "|SHAP| and the t-SNE map of the training songs; write DIR/classroom.json and its "
        "checksum into DIR/manifest.json (models untouched). `train` does this itself.",
    )
    pre_p.add_argument(
        "models_dir", nargs="?", default=str(MODELS_DIR), help="models folder (default: models/)"
    )
    pre_p.set_defaults(func=_cmd_precompute)
    table_p = sub.add_parser("predict-table", help="predict emotions for a feature-table CSV")
    table_p.add_argument("csv", help="CSV with the 50 feature columns of the UCI table")
    table_p.add_argument("--out", help="write the results CSV here (default: stdout)")
    table_p.add_argument("--model", help=_MODEL_HELP)
    table_p.add_argument("--features", action="store_true", help="include the 50 features")
    table_p.set_defaults(func=_cmd_predict_table)
    pred_p = sub.add_parser(
        "predict",
        help="predict emotions for audio files, folders or globs",
        description="Score audio files: with --out into one results CSV (rows sorted by file "
        "name), without it printed as readable lines. Exit code 0 when at least one file was "
        "scored; a bad file gets its error in its row.",
    )
    pred_p.add_argument(
        "paths", nargs="+", help="audio files, folders (recursive) or glob patterns"
    )
    pred_p.add_argument(
        "--out",
        help="results CSV to write (rows appear as done); without it the verdicts are printed",
    )
    pred_p.add_argument("--model", help=_MODEL_HELP)
    pred_p.add_argument("--features", action="store_true", help="include the 50 features")
    pred_p.add_argument(
        "--jobs", type=int, default=1, help="worker processes (or dask workers); default 1"
    )
    pred_p.add_argument(
        "--resume",
        action="store_true",
        help="keep the rows already in --out and skip files whose content hash is there",
    )
    pred_p.add_argument(
        "--scheduler",
        choices=["processes", "dask"],
        default="processes",
        help="processes: local process pool (default); dask: dask.distributed "
        "(needs the 'dask' extra)",
    )
    pred_p.add_argument(
        "--address", help="dask scheduler address (default: start a LocalCluster of --jobs workers)"
    )
    pred_p.add_argument("--quiet", action="store_true", help="no progress bar")
    pred_p.add_argument(
        "--write-tags",
        action="store_true",
        help="also write emotion, confidence and model version into each scored file's tags "
        "(ID3 TXXX for MP3/WAV/AIFF, Vorbis comments for FLAC/Ogg/Opus); audio data untouched",
    )
    pred_p.add_argument(
        "--dry-run",
        action="store_true",
        help="with --write-tags: print the tags that would be written, change no file",
    )
    pred_p.set_defaults(func=_cmd_predict)
    app_p = sub.add_parser(
        "app",
        help="run the web app (Streamlit), warmed up while it starts",
        description="Start the Streamlit app (app.py). Unlike a plain `streamlit run app.py`, "
        "the libraries, the model and the explainer are loaded while the server starts, so "
        "the first page does not wait for them. Other Streamlit options (e.g. "
        "--server.headless true) are passed on.",
    )
    app_p.add_argument("--host", default=APP_HOST, help=f"address to bind (default {APP_HOST})")
    app_p.add_argument("--port", type=int, default=APP_PORT, help=f"port (default {APP_PORT})")
    app_p.set_defaults(func=_cmd_app)
    serve_p = sub.add_parser(
        "serve",
        help="run the REST API (FastAPI + uvicorn; OpenAPI docs at /docs)",
        description="Serve the REST API. Admin routes need TURKMOOD_API_KEY set on the server "
        "(Authorization: Bearer <key>); without it they answer 403.",
    )
    serve_p.add_argument("--host", default=API_HOST, help=f"address to bind (default {API_HOST})")
    serve_p.add_argument("--port", type=int, default=API_PORT, help=f"port (default {API_PORT})")
    serve_p.add_argument(
        "--workers", type=int, help=f"analysis worker processes (default {API_WORKERS})"
    )
    serve_p.add_argument(
        "--queue",
        type=int,
        help=f"requests that may wait beyond the running ones before 503 (default {API_QUEUE})",
    )
    serve_p.add_argument(
        "--max-upload-mb",
        type=int,
        help=f"largest upload per request in MB (default {API_MAX_UPLOAD_MB}, as the app)",
    )
    serve_p.set_defaults(func=_cmd_serve)
    retrain_p = sub.add_parser(
        "retrain",
        help="retrain a challenger on the UCI rows + your labels and compare it with the champion",
        description="Import labels (optional), train the challenger, compare it with the "
        "champion (UCI CV + grouped CV on your tracks), print the table and write the JSON "
        "report under TURKMOOD_HOME.",
    )
    retrain_p.add_argument("--labels", help="CSV of path,emotion to import first")
    retrain_p.add_argument(
        "--feedback", action="store_true", help="copy the app's feedback answers in first"
    )
    retrain_p.add_argument("--quick", action="store_true", help="fewer folds and repeats")
    retrain_p.add_argument(
        "--thorough", action="store_true", help="more repeats of both CVs (about twice the time)"
    )
    retrain_p.add_argument("--seed", type=int, default=SEED, help="random seed")
    retrain_p.add_argument(
        "--weights",
        default=",".join(str(w) for w in USER_WEIGHT_GRID),
        help="user-row weights to choose from (multiples of a UCI row)",
    )
    retrain_p.add_argument(
        "--no-register", action="store_true", help="only compare; do not register a challenger"
    )
    retrain_p.set_defaults(func=_cmd_retrain)
    models_p = sub.add_parser(
        "models", help="list bundled and registered models with aliases and metrics"
    )
    models_p.set_defaults(func=_cmd_models)
    promote_p = sub.add_parser(
        "promote",
        help="make the challenger champion if it passes the gate (admin)",
        description="The challenger becomes champion only if it beats the champion on your "
        "tracks (same folds) and its UCI macro-F1 is at most 0.02 lower. Recorded in the "
        "audit log.",
    )
    promote_p.add_argument("--force", action="store_true", help="override the gate")
    promote_p.add_argument("--reason", help="why the gate is overridden (required with --force)")
    promote_p.set_defaults(func=_cmd_promote)
    rollback_p = sub.add_parser("rollback", help="restore the previous champion (admin)")
    rollback_p.set_defaults(func=_cmd_rollback)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit code (2 with a clear message on bad input)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if rest and args.command not in _PASS_THROUGH_COMMANDS:
        parser.error(f"unrecognised arguments: {' '.join(rest)}")
    try:
        if args.command in _DECODING_COMMANDS:
            from turkmood.stderr_filter import filtered_stderr

            with filtered_stderr():
                return args.func(args, rest)
        return args.func(args, rest)
    except TurkMoodError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
