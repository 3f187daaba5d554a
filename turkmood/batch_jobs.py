"""Batch jobs of the REST API: uploaded files → a job folder → the CLI's results CSV.

A job lives in ``TURKMOOD_HOME/jobs/<id>/``: ``job.json`` (status, counts, the original name of
every input), ``inputs/`` (the uploaded files, and the audio members of uploaded ZIPs, under
generated names so no user-supplied name ever becomes a path) and ``results.csv``, written by
:func:`turkmood.batch_run.run_batch` — the same code and columns as ``python -m turkmood predict``.
Jobs run with ``resume=True``: a job interrupted by a restart is started again and keeps the rows
it had finished, so it is never silently lost; a job whose inputs have disappeared is marked
failed with the reason.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import pandas as pd

from turkmood.archive import ArchiveError, is_audio_name, is_zip, zip_items
from turkmood.batch_run import read_results_csv, run_batch
from turkmood.constants import JOBS_DIR_NAME, ZIP_MAX_MEMBERS
from turkmood.errors import AudioError, NotFoundError, TurkMoodError
from turkmood.home import state_path
from turkmood.model import load_model
from turkmood.results import neutralise_formula, to_csv_bytes

__all__ = [
    "JOB_STATES",
    "JobError",
    "create_job",
    "job_status",
    "job_results_csv",
    "mark_failed",
    "run_job",
    "unfinished_jobs",
]

JOB_STATES = ("queued", "running", "done", "failed")
_ID = re.compile(r"^[0-9a-f]{32}$")
_RESULTS = "results.csv"


class JobError(TurkMoodError):
    """An unknown job id, or a job that cannot be created."""


def _jobs_root() -> Path:
    return state_path(JOBS_DIR_NAME)


def _job_dir(job_id: str) -> Path:
    if not _ID.match(job_id or ""):
        raise NotFoundError("unknown job id")
    path = _jobs_root() / job_id
    if not (path / "job.json").is_file():
        raise NotFoundError("unknown job id")
    return path


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write_state(folder: Path, state: dict) -> None:
    """Replace job.json atomically (a reader never sees half a file)."""
    state["updated_utc"] = _now()
    tmp = folder / f"job.json.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(state, indent=1))
    os.replace(tmp, folder / "job.json")


def _read_state(folder: Path) -> dict:
    return json.loads((folder / "job.json").read_text())


def _stored_name(index: int, name: str) -> str:
    """A generated file name keeping only a known audio extension of ``name``."""
    suffix = PurePosixPath(name).suffix.lower()
    return f"{index:05d}{suffix if is_audio_name(name) else '.unsupported'}"


def create_job(uploads: Sequence[tuple[str, bytes]], model_name: str | None = None) -> dict:
    """Store uploads (files and ZIPs of audio) as a queued job; its state dict.

    Unusable archives and ignored archive members are listed in ``notes``; a file that is not
    audio still gets its own row (with its error) in the results.
    """
    model = load_model(model_name)
    folder = _jobs_root() / uuid.uuid4().hex
    inputs = folder / "inputs"
    inputs.mkdir(parents=True)
    files: list[dict[str, str]] = []
    notes: list[str] = []

    def add(name: str, data: bytes) -> None:
        if len(files) >= ZIP_MAX_MEMBERS:
            raise JobError(f"a job takes at most {ZIP_MAX_MEMBERS} files")
        stored = _stored_name(len(files), name)
        (inputs / stored).write_bytes(data)
        files.append({"name": name, "stored": stored})

    try:
        for name, data in uploads:
            if is_zip(name):
                try:
                    items, remarks = zip_items(name, data)
                except ArchiveError as exc:
                    notes.append(str(exc))
                    continue
                notes += remarks
                for item in items:
                    try:
                        add(item.name, item.load())
                    except AudioError as exc:
                        notes.append(f"{item.name}: {exc}")
            else:
                add(name, data)
        if not files:
            raise JobError(
                "no audio files in the upload" + (f" ({'; '.join(notes)})" if notes else "")
            )
    except BaseException:
        for path in inputs.iterdir():
            path.unlink()
        inputs.rmdir()
        folder.rmdir()
        raise
    state = {
        "id": folder.name,
        "status": "queued",
        "created_utc": _now(),
        "model": model.name,
        "model_version": model.version,
        "n_files": len(files),
        "n_done": 0,
        "n_failed": 0,
        "notes": notes,
        "message": "",
        "files": files,
    }
    _write_state(folder, state)
    return public_state(state)


def public_state(state: dict) -> dict:
    """The state without the server-side file names."""
    return {k: v for k, v in state.items() if k != "files"}


def job_status(job_id: str) -> dict:
    """The public state of a job; JobError for an unknown id."""
    return public_state(_read_state(_job_dir(job_id)))


def run_job(job_id: str) -> dict:
    """Score a queued or interrupted job to its end (resuming its results file); final state.

    Any failure is recorded in the job (status ``failed`` with the reason), not raised.
    """
    folder = _job_dir(job_id)
    state = _read_state(folder)
    if state["status"] in ("done", "failed"):
        return public_state(state)
    paths = [folder / "inputs" / f["stored"] for f in state["files"]]
    state.update(status="running", n_done=0, n_failed=0)
    _write_state(folder, state)
    done = {"ok": 0, "failed": 0}

    def progress(name: str, ok: bool) -> None:
        done["ok" if ok else "failed"] += 1
        state.update(n_done=done["ok"] + done["failed"], n_failed=done["failed"])
        _write_state(folder, state)

    try:
        missing = [p.name for p in paths if not p.is_file()]
        if missing:
            raise JobError(f"{len(missing)} input file(s) of the job are gone")
        model = load_model(state["model"])
        if model.version != state["model_version"]:
            raise JobError(
                f"the job was queued for {state['model_version']}, the server now has "
                f"{model.version}; submit it again"
            )
        summary = run_batch(
            paths, folder / _RESULTS, model, resume=True, progress=progress, log_source="api"
        )
        state.update(
            status="done", n_done=summary.n_files, n_failed=len(summary.errors), message=""
        )
    except Exception as exc:  # noqa: BLE001 - a job records every failure in its state
        state.update(status="failed", message=str(exc) or type(exc).__name__)
    _write_state(folder, state)
    return public_state(state)


def mark_failed(job_id: str, message: str) -> None:
    """Record that a job's process ended without finishing it (e.g. it was killed)."""
    folder = _job_dir(job_id)
    state = _read_state(folder)
    if state["status"] in ("queued", "running"):
        state.update(status="failed", message=message)
        _write_state(folder, state)


def job_results_csv(job_id: str) -> bytes:
    """The job's results CSV with each row named by its original upload name."""
    folder = _job_dir(job_id)
    state = _read_state(folder)
    results = folder / _RESULTS
    if not results.is_file():
        raise JobError(f"job {job_id} has no results yet (status {state['status']})")
    columns, rows = read_results_csv(results)
    names = {
        str(neutralise_formula(str(folder / "inputs" / f["stored"]))): f["name"]
        for f in state["files"]
    }
    i_file = columns.index("file")
    for row in rows:
        row[i_file] = names.get(row[i_file], row[i_file])
    return to_csv_bytes(pd.DataFrame(rows, columns=columns))


def unfinished_jobs() -> list[str]:
    """Ids of jobs queued or running (e.g. when the server stopped), oldest first."""
    root = _jobs_root()
    if not root.is_dir():
        return []
    found = []
    for folder in root.iterdir():
        try:
            state = _read_state(folder)
        except (OSError, ValueError):
            continue
        if state.get("status") in ("queued", "running"):
            found.append((state.get("created_utc", ""), folder.name))
    return [job_id for _, job_id in sorted(found)]
