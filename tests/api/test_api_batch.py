"""Batch jobs through a real service: lifecycle, the CLI's schema, a restart mid-job."""

from __future__ import annotations

import io
import signal
import time
import zipfile

import httpx
import pytest

from api.launch import ROOT, ApiServer
from turkmood.batch import batch_columns

SAMPLES = sorted((ROOT / "sample_audios").glob("*.flac"))


def _wait(url: str, job_id: str, until, timeout_s: float = 300) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        state = httpx.get(f"{url}/api/v1/batch/{job_id}", timeout=30).json()
        if until(state):
            return state
        time.sleep(0.3)
    pytest.fail(f"job {job_id} did not reach the state in time: {state}")


def _csv_rows(url: str, job_id: str) -> tuple[list[str], list[list[str]]]:
    import csv

    text = httpx.get(f"{url}/api/v1/batch/{job_id}/results.csv", timeout=30).text
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


def test_batch_lifecycle_files_zip_and_a_bad_file(server):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("inner/" + SAMPLES[1].name, SAMPLES[1].read_bytes())
        zf.writestr("../escape.flac", SAMPLES[2].read_bytes())
        zf.writestr("readme.txt", "not audio")
    files = [
        ("files", (SAMPLES[0].name, SAMPLES[0].read_bytes())),
        ("files", ("songs.zip", archive.getvalue())),
        ("files", ("=cmd|calc.mp3", b"not audio at all")),
    ]
    created = httpx.post(f"{server.url}/api/v1/batch", files=files, timeout=60)
    assert created.status_code == 202, created.text
    job = created.json()
    assert job["status"] in ("queued", "running") and "files" not in job
    assert any("readme.txt" in note for note in job["notes"])
    done = _wait(server.url, job["id"], lambda s: s["status"] in ("done", "failed"))
    assert done["status"] == "done" and done["n_done"] == done["n_files"] == job["n_files"]
    columns, rows = _csv_rows(server.url, job["id"])
    assert columns == batch_columns(False, True)  # the CLI's results schema
    names = [r[0] for r in rows]
    assert SAMPLES[0].name in names and f"songs.zip/inner/{SAMPLES[1].name}" in names
    assert "'=cmd|calc.mp3" in names  # formula-neutralised, like the CLI
    bad = rows[names.index("'=cmd|calc.mp3")]
    assert bad[columns.index("error")] and not bad[columns.index("predicted")]
    assert done["n_failed"] == 1
    # every row with a verdict equals /predict on the same file (CSV rounds to 4 places)
    good = rows[names.index(SAMPLES[0].name)]
    direct = httpx.post(
        f"{server.url}/api/v1/predict",
        files={"file": (SAMPLES[0].name, SAMPLES[0].read_bytes())},
        timeout=120,
    ).json()
    assert float(good[columns.index("p_happy")]) == round(direct["probabilities"]["happy"], 4)
    assert "/" not in "".join(r[0] for r in rows if r[0].startswith(str(server.home)))


def test_batch_with_nothing_usable_is_422(server):
    r = httpx.post(
        f"{server.url}/api/v1/batch",
        files=[("files", ("broken.zip", b"PK\x03\x04 not really"))],
        timeout=30,
    )
    assert r.status_code == 422 and "broken.zip" in r.json()["detail"]


def test_a_job_survives_a_server_restart(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    first = ApiServer(home, args=["--workers", "1"]).start()
    try:
        files = [("files", (f"{i:02d}_{p.name}", p.read_bytes())) for i, p in enumerate(SAMPLES)]
        job = httpx.post(f"{first.url}/api/v1/batch", files=files, timeout=60).json()
        _wait(first.url, job["id"], lambda s: s["n_done"] >= 2)
    finally:
        first.stop(signal.SIGKILL)  # no chance to clean up
    second = ApiServer(home, args=["--workers", "1"]).start()
    try:
        done = _wait(second.url, job["id"], lambda s: s["status"] in ("done", "failed"))
        assert done["status"] == "done", done
        assert done["n_done"] == len(SAMPLES) and done["n_failed"] == 0
        columns, rows = _csv_rows(second.url, job["id"])
        names = [r[0] for r in rows]
        assert sorted(names) == sorted(name for _, (name, _) in files)  # each once, none lost
        assert all(r[columns.index("predicted")] for r in rows)
    finally:
        second.stop()
