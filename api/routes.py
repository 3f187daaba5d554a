"""API v1 routes: validate the request, call one ``turkmood`` function, serialise its result."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api import schemas
from api.auth import require_admin
from api.capacity import AtCapacity, WorkTimeout
from turkmood import batch_jobs, serving
from turkmood.constants import AUDIO_FORMATS_TEXT
from turkmood.learning.clip_store import keep_if_uncertain
from turkmood.telemetry.prediction_log import log_prediction, record_from_analysis

router = APIRouter(prefix="/api/v1")
_ERRORS = {
    413: {"model": schemas.Error, "description": "upload too large"},
    422: {"model": schemas.Error, "description": "unusable input (the message says why)"},
    503: {"model": schemas.Error, "description": "at capacity or still loading; see Retry-After"},
}


def _busy(request: Request, why: str) -> HTTPException:
    request.app.state.metrics.rejected.inc()
    retry = str(request.app.state.settings.retry_after_s)
    return HTTPException(503, why, headers={"Retry-After": retry})


def _pool(request: Request):
    if not request.app.state.ready:
        raise _busy(request, "the model is still loading")
    return request.app.state.pool


async def _read(upload: UploadFile, request: Request) -> bytes:
    """The upload's bytes, refused with 413 past the size limit (read in bounded chunks)."""
    limit = request.app.state.settings.max_upload_bytes
    chunks, size = [], 0
    while chunk := await upload.read(1 << 20):
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"the upload is larger than {limit // 1024**2} MB")
        chunks.append(chunk)
    return b"".join(chunks)


async def _on_pool(request: Request, nbytes: int, fn, *args):
    pool = _pool(request)
    metrics = request.app.state.metrics
    try:
        metrics.in_flight.inc()
        return await pool.run(request.app.state.settings.timeout_s, nbytes, fn, *args)
    except AtCapacity as exc:
        raise _busy(request, "the service is at capacity; retry shortly") from exc
    except WorkTimeout as exc:
        raise HTTPException(504, "the analysis took longer than the request timeout") from exc
    finally:
        metrics.in_flight.dec()


@router.get("/health", response_model=schemas.Health, responses={503: _ERRORS[503]})
def health(request: Request) -> dict:
    """``ok`` with the serving model version; 503 while the model is still loading."""
    if not request.app.state.ready:
        raise _busy(request, "the model is still loading")
    return {"status": "ok", "model_version": serving.champion_version()}


@router.get("/models", response_model=schemas.Models)
def models() -> dict:
    """Available models with their repeated-CV metrics; the champion marked."""
    return serving.model_listing()


@router.post("/predict", response_model=schemas.Prediction, responses=_ERRORS)
async def predict(
    request: Request,
    file: Annotated[UploadFile, File(description=f"audio: {AUDIO_FORMATS_TEXT}")],
    model: Annotated[str | None, Form(description="model name (default: the champion)")] = None,
    explain: Annotated[bool, Query(description="add the top SHAP reasons in plain words")] = False,
) -> dict:
    """Score one audio file: verdict, probabilities, OOD check, per-window timeline."""
    data = await _read(file, request)
    name = file.filename or "upload"
    model_name = serving.check_model_name(model)
    scored = await _on_pool(request, len(data), serving.score_clip, data, name, model_name, explain)
    metrics = request.app.state.metrics
    metrics.extraction.observe(scored.compute_s)
    metrics.predictions.labels(scored.analysis.predicted, scored.analysis.decision).inc()
    if scored.analysis.is_ood:
        metrics.ood.inc()
    record = record_from_analysis(
        scored.analysis,
        source="api",
        clip_hash=scored.clip_hash,
        clip_name=name,
        latency_s=scored.compute_s,
    )
    prediction_id = await run_in_threadpool(log_prediction, record)
    await run_in_threadpool(
        keep_if_uncertain, scored.clip_hash, data, scored.analysis.decision, scored.analysis.is_ood
    )
    return {**scored.payload, "clip_hash": scored.clip_hash, "prediction_id": prediction_id}


@router.post("/predict/features", response_model=schemas.FeaturePredictions, responses=_ERRORS)
async def predict_features(body: schemas.FeatureRequest) -> dict:
    """Score feature rows (the 50 UCI columns); missing, extra or non-finite columns → 422."""
    if (body.features is None) == (body.rows is None):
        raise HTTPException(422, 'give exactly one of "features" (one row) or "rows"')
    rows = [body.features] if body.features is not None else body.rows
    return await run_in_threadpool(serving.score_feature_rows, rows, body.model)


@router.post("/batch", response_model=schemas.Job, status_code=202, responses=_ERRORS)
async def batch(
    request: Request,
    files: Annotated[list[UploadFile], File(description="audio files and/or ZIPs of audio")],
    model: Annotated[str | None, Form()] = None,
) -> dict:
    """Queue a batch job; poll ``/batch/{id}``, then fetch ``/batch/{id}/results.csv``."""
    _pool(request)
    uploads, total = [], 0
    limit = request.app.state.settings.max_upload_bytes
    for upload in files:
        data = await _read(upload, request)
        total += len(data)
        if total > limit:
            raise HTTPException(413, f"the uploads are larger than {limit // 1024**2} MB")
        uploads.append((upload.filename or f"upload {len(uploads) + 1}", data))
    model_name = serving.check_model_name(model)
    state = await run_in_threadpool(batch_jobs.create_job, uploads, model_name)
    request.app.state.jobs.submit(state["id"])
    return state


@router.get("/batch/{job_id}", response_model=schemas.Job, responses={404: _ERRORS[422]})
def batch_status(job_id: str) -> dict:
    """Progress of a job: status, files done and failed."""
    return batch_jobs.job_status(job_id)


@router.get("/batch/{job_id}/results.csv", responses={404: _ERRORS[422]})
def batch_results(job_id: str) -> Response:
    """The job's results in the CLI's CSV schema (rows finished so far while it runs)."""
    return Response(batch_jobs.job_results_csv(job_id), media_type="text/csv")


@router.post("/feedback", response_model=schemas.FeedbackSaved, status_code=201)
async def feedback(body: schemas.FeedbackRequest) -> dict:
    """A person's label for a scored clip, into the app's feedback store."""
    return await run_in_threadpool(
        serving.save_label, body.emotion, body.prediction_id, body.clip_hash
    )


Admin = Annotated[None, Depends(require_admin)]


@router.post("/train", responses={401: _ERRORS[422], 403: _ERRORS[422]})
async def train(_: Admin) -> dict:
    """Admin: retrain a challenger on the user's labels."""
    return await run_in_threadpool(serving.admin_action, "train")


@router.post("/promote", responses={401: _ERRORS[422], 403: _ERRORS[422]})
async def promote(
    _: Admin, force: bool = False, reason: Annotated[str, Query(max_length=500)] = ""
) -> dict:
    """Admin: make the challenger champion if it passes the gate (or ``force`` with a reason)."""
    return await run_in_threadpool(serving.admin_action, "promote", force, reason)


@router.post("/rollback", responses={401: _ERRORS[422], 403: _ERRORS[422]})
async def rollback(_: Admin) -> dict:
    """Admin: restore the previous champion."""
    return await run_in_threadpool(serving.admin_action, "rollback")
