"""Running a batch to a CSV file: schedulers, incremental writing and ``--resume``.

The flow of ``python -m turkmood predict``:

1. every input file is hashed (sha256 of its bytes) in this process;
2. with ``resume``, files whose ``(name, hash)`` already has a row in the output CSV are skipped,
   and a file whose content is there under another name gets a copy of that row (no re-scoring);
   files with identical content in one run are scored once;
3. the remaining files go to a scheduler, which runs :func:`turkmood.batch.score_path` on each:
   ``serial`` (this process), ``processes`` (``concurrent.futures.ProcessPoolExecutor``, the
   model loaded once per worker by its initializer) or ``dask`` (``dask.distributed``: a
   ``LocalCluster`` or an existing scheduler address);
4. each finished row is appended to the CSV and flushed at once, so an interrupted run loses
   only the files in flight; a torn last line is dropped on resume;
5. at the end the rows are sorted by file name (then hash) and the file is replaced atomically,
   so the final CSV does not depend on completion order, job count or interruptions.
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path

from turkmood.batch import (
    FileResult,
    batch_columns,
    check_model,
    hash_path,
    log_result,
    results_table,
    score_path,
    score_source,
)
from turkmood.constants import DASK_CONNECT_TIMEOUT_S
from turkmood.errors import TurkMoodError
from turkmood.model import LoadedModel, cached_model
from turkmood.results import HASH_COLUMN, neutralise_formula, to_csv_bytes
from turkmood.workers import init_worker

#: Start method of the process pool: a clean server process forks the workers (no inherited
#: threads or open files of the CLI process).
_MP_START = "forkserver"


@dataclass(frozen=True)
class Task:
    """One file to score: its path (also its name in the CSV) and content hash."""

    path: str
    sha256: str


@dataclass
class BatchSummary:
    """What happened to the inputs of one run."""

    n_files: int = 0
    n_ok: int = 0
    n_skipped: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)


# --- schedulers ---------------------------------------------------------------------------------


def run_serial(tasks: Sequence[Task], model: LoadedModel) -> Iterator[FileResult]:
    """Score tasks one after the other in this process."""
    for task in tasks:
        yield score_source(task.path, Path(task.path), model, task.sha256)


def _warm_up(model_name: str | None, owner_pid: int) -> None:
    """Process-pool initializer: :func:`turkmood.workers.init_worker` (a killed CLI leaves no
    orphans; one BLAS thread), and the model loaded (and verified) once."""
    init_worker(owner_pid)
    cached_model(model_name)


def run_processes(tasks: Sequence[Task], model_name: str, jobs: int) -> Iterator[FileResult]:
    """Score tasks on ``jobs`` worker processes, yielding results as they finish."""
    context = multiprocessing.get_context(_MP_START)
    # workers fork with the code imported and the extractor loaded (shared pages); the fork
    # server is one per process, so every pool asks for the extractor preload
    context.set_forkserver_preload(["turkmood.features.preload", "turkmood.batch"])
    with ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_warm_up,
        initargs=(model_name, os.getpid()),
    ) as pool:
        futures = [pool.submit(score_path, t.path, model_name, t.sha256) for t in tasks]
        try:
            for future in as_completed(futures):
                yield future.result()
        except BrokenProcessPool as exc:
            raise TurkMoodError(
                "a worker process died (out of memory?); the rows finished so far are saved — "
                "re-run with --resume to score the rest"
            ) from exc
        finally:
            for future in futures:
                future.cancel()


def run_dask(
    tasks: Sequence[Task], model_name: str, jobs: int, address: str | None = None
) -> Iterator[FileResult]:
    """Score tasks on a dask.distributed cluster (a local one with ``jobs`` workers by default).

    With ``address`` the tasks go to that scheduler; its workers must see the same file paths
    (shared storage) and have turkmood and the same model files installed.
    """
    try:
        from dask.distributed import Client, LocalCluster
        from dask.distributed import as_completed as dask_completed
    except ImportError as exc:
        raise TurkMoodError(
            "--scheduler dask needs the optional dependency: pip install 'turkmood[dask]'"
        ) from exc
    cluster = None
    if address:
        try:
            client = Client(address, timeout=DASK_CONNECT_TIMEOUT_S)
        except OSError as exc:
            raise TurkMoodError(f"cannot reach the dask scheduler at {address}: {exc}") from exc
    else:
        cluster = LocalCluster(
            n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    try:
        futures = client.map(
            score_path,
            [t.path for t in tasks],
            [model_name] * len(tasks),
            [t.sha256 for t in tasks],
            pure=False,
        )
        for future in dask_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # noqa: BLE001 - e.g. KilledWorker; score_path never raises
                raise TurkMoodError(
                    f"the dask cluster failed ({type(exc).__name__}: {exc}); the rows finished "
                    "so far are saved — re-run with --resume to score the rest"
                ) from exc
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# --- the results file ---------------------------------------------------------------------------


def read_results_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and complete rows of a results CSV, as text; a torn last line is dropped."""
    text = Path(path).read_text(encoding="utf-8")
    if text and not text.endswith("\n"):
        text = text[: text.rfind("\n") + 1]
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return [], []
    header = rows[0]
    return header, [r for r in rows[1:] if len(r) == len(header)]


def _write_rows(handle, rows: Sequence[Sequence[str]]) -> None:
    csv.writer(handle, lineterminator="\n").writerows(rows)


class ResultsFile:
    """A results CSV opened for appending: every row is written and flushed when it arrives."""

    def __init__(self, path: Path, columns: Sequence[str], rows: Sequence[Sequence[str]] = ()):
        self.path = Path(path)
        self.columns = list(columns)
        self._replace_with(rows, sort=False)
        self._handle = open(self.path, "a", encoding="utf-8", newline="")  # noqa: SIM115

    def _replace_with(self, rows: Sequence[Sequence[str]], sort: bool) -> None:
        """Atomically rewrite the file with the header and ``rows`` (sorted if asked)."""
        if sort:
            keys = [self.columns.index("file"), self.columns.index(HASH_COLUMN)]
            rows = sorted(rows, key=lambda r: [r[k] for k in keys])
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            _write_rows(handle, [self.columns, *rows])
        os.replace(tmp, self.path)

    def append_frame(self, frame) -> None:
        """Append the rows of a results table (same columns) and flush."""
        self._handle.write(to_csv_bytes(frame[self.columns], header=False).decode("utf-8"))
        self._handle.flush()

    def append_row(self, row: Sequence[str]) -> None:
        """Append one row given as CSV field texts and flush."""
        _write_rows(self._handle, [row])
        self._handle.flush()

    def close(self) -> None:
        self._handle.close()

    def finish(self) -> None:
        """Close, then sort all rows by file name and hash (deterministic final order)."""
        self.close()
        _, rows = read_results_csv(self.path)
        self._replace_with(rows, sort=True)


def _previous_rows(out: Path, columns: list[str], model: LoadedModel) -> list[list[str]]:
    """Rows of an earlier run to keep with ``--resume`` (checked to match this run)."""
    if not out.is_file():
        return []
    header, rows = read_results_csv(out)
    if not header:
        return []
    if header != columns:
        with_features = len(header) > len(columns)
        raise TurkMoodError(
            f"{out} has different columns than this run would write; re-run with the same "
            f"options as before ({'with' if with_features else 'without'} --features) or write "
            "to a new file"
        )
    version = columns.index("model_version")
    others = sorted({r[version] for r in rows} - {model.version})
    if others:
        raise TurkMoodError(
            f"{out} holds results of model {', '.join(others)}, not {model.version}; "
            "resume with the same --model or write to a new file"
        )
    return rows


# --- the whole run ------------------------------------------------------------------------------


def run_batch(
    paths: Sequence[str | Path],
    out: str | Path,
    model: LoadedModel,
    *,
    jobs: int = 1,
    include_features: bool = False,
    resume: bool = False,
    scheduler: str = "processes",
    address: str | None = None,
    progress: Callable[[str, bool], None] | None = None,
    log_source: str | None = None,
) -> BatchSummary:
    """Score ``paths`` into the CSV ``out``; ``progress(name, ok)`` follows every input file.

    With ``log_source`` (``"cli"``, ``"api"``…) every newly scored file also goes to the
    prediction log (rows kept by ``resume`` are not logged again).

    Raises :class:`TurkMoodError` for an unusable ``--resume`` file or a failed scheduler
    (rows finished before the failure stay in ``out``).
    """
    out = Path(out)
    columns = batch_columns(include_features)
    kept = _previous_rows(out, columns, model) if resume else []
    i_file, i_hash, i_error = (columns.index(c) for c in ("file", HASH_COLUMN, "error"))
    done = {(r[i_file], r[i_hash]): r for r in kept if r[i_hash]}
    by_hash = {r[i_hash]: r for r in kept if r[i_hash]}

    summary = BatchSummary(n_files=len(paths))

    def record(name: str, error: str) -> None:
        if error:
            summary.errors.append((name, error))
        else:
            summary.n_ok += 1
        if progress is not None:
            progress(name, not error)

    try:
        writer = ResultsFile(out, columns, kept)
    except OSError as exc:
        raise TurkMoodError(f"cannot write the results file {out}: {exc.strerror or exc}") from exc
    try:
        groups: dict[str, list[str]] = {}
        tasks: list[Task] = []
        for path in paths:
            name = str(path)
            sha, read_error = hash_path(path)
            if read_error:
                failed = FileResult(name, None, read_error, "")
                writer.append_frame(results_table([failed], model.version, include_features, True))
                record(name, read_error)
            elif (neutralise_formula(name), sha) in done:
                summary.n_skipped += 1
                record(name, done[neutralise_formula(name), sha][i_error])
            elif sha in by_hash:
                row = list(by_hash[sha])
                row[i_file] = str(neutralise_formula(name))
                writer.append_row(row)
                record(name, row[i_error])
            elif sha in groups:
                groups[sha].append(name)
            else:
                groups[sha] = [name]
                tasks.append(Task(name, sha))

        if scheduler == "dask":
            results = run_dask(tasks, model.name, jobs, address)
        elif jobs > 1 and len(tasks) > 1:
            results = run_processes(tasks, model.name, min(jobs, len(tasks)))
        else:
            results = run_serial(tasks, model)
        for result in results:
            result = check_model(result, model.version)
            copies = [replace(result, name=n) for n in groups[result.sha256]]
            writer.append_frame(results_table(copies, model.version, include_features, True))
            if log_source is not None:
                for copy in copies:
                    log_result(copy, log_source)
            for copy in copies:
                record(copy.name, copy.error or "")
        writer.finish()
    except OSError as exc:
        writer.close()
        raise TurkMoodError(f"writing {out} failed: {exc.strerror or exc}") from exc
    except BaseException:
        writer.close()
        raise
    summary.errors.sort()
    return summary
