"""The FastAPI application: start-up (warm workers, resume jobs), errors as JSON, metrics."""

from __future__ import annotations

import logging
import threading
import time
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.capacity import WorkPool
from api.jobs import JobRunner
from api.metrics import Metrics
from api.routes import router
from api.settings import Settings, settings_from_env
from turkmood.errors import (
    AudioError,
    NotFoundError,
    RegistryError,
    TableError,
    TurkMoodError,
    UnknownModelError,
)

log = logging.getLogger("turkmood.api")
_CALLER_ERRORS = (AudioError, TableError, UnknownModelError)
#: Errors of modules the app does not import up front, by class name.
_UNPROCESSABLE = frozenset({"JobError", "LabelError", "FeedbackError"})
#: The registry or the labels cannot do that now (no challenger, nothing to roll back, no labels).
_CONFLICTS = frozenset({"RetrainError"})


def _start(app: FastAPI) -> None:
    """Warm the worker pool (model, OOD detector, compiled extractor), then mark ready."""
    from turkmood.serving import warm_up

    try:
        app.state.model_version = warm_up()
        app.state.metrics.model.labels(app.state.model_version).set(1)
        app.state.pool.warm()
        app.state.ready = True
    except Exception as exc:  # noqa: BLE001 - health keeps answering 503 with the reason
        app.state.start_error = f"{type(exc).__name__}: {exc}"
        log.error("the service could not start: %s", app.state.start_error)


@asynccontextmanager
async def _lifespan(app: FastAPI):
    settings: Settings = app.state.settings
    app.state.pool = WorkPool(settings.workers, settings.queue, settings.max_inflight_bytes)
    app.state.jobs = JobRunner()
    app.state.jobs.start()
    threading.Thread(target=_start, args=(app,), daemon=True, name="warm-up").start()
    try:
        yield
    finally:
        app.state.jobs.stop()
        app.state.pool.shutdown()


def _json_error(status: int, detail: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body",))
        parts.append(f"{where}: {error.get('msg', 'invalid')}" if where else error.get("msg", ""))
    return "; ".join(parts) or "invalid request"


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return _json_error(exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _json_error(422, _validation_message(exc))

    @app.exception_handler(TurkMoodError)
    async def turkmood_error(_: Request, exc: TurkMoodError) -> JSONResponse:
        if isinstance(exc, NotFoundError):
            return _json_error(404, str(exc))
        if isinstance(exc, _CALLER_ERRORS) or type(exc).__name__ in _UNPROCESSABLE:
            return _json_error(422, str(exc))
        if isinstance(exc, RegistryError) or type(exc).__name__ in _CONFLICTS:
            return _json_error(409, str(exc))
        log.error("server-side error: %s", exc)
        return _json_error(500, str(exc))

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return _json_error(500, f"internal error ({type(exc).__name__}); see the server log")


#: Room for the multipart framing around the file(s) when checking Content-Length.
_FRAMING_BYTES = 64 * 1024


def _install_size_guard(app: FastAPI) -> None:
    """Refuse a body whose declared length is past the upload limit before reading it."""

    @app.middleware("http")
    async def guard(request: Request, call_next):
        declared = request.headers.get("content-length", "")
        limit = app.state.settings.max_upload_bytes
        if declared.isdigit() and int(declared) > limit + _FRAMING_BYTES:
            return _json_error(413, f"the upload is larger than {limit // 1024**2} MB")
        return await call_next(request)


def _install_metrics(app: FastAPI) -> None:
    @app.middleware("http")
    async def count(request: Request, call_next):
        start = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            route = request.scope.get("route")
            path = getattr(route, "path", "unmatched")
            metrics = app.state.metrics
            metrics.requests.labels(path, request.method, str(status)).inc()
            metrics.latency.labels(path).observe(time.perf_counter() - start)

    @app.get("/metrics", include_in_schema=False)
    def prometheus() -> Response:
        return Response(generate_latest(app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service; ``settings`` default to the constants and ``TURKMOOD_API_KEY``."""
    # FastAPIOffline: FastAPI whose /docs and /redoc serve Swagger UI / ReDoc from the package,
    # not from a CDN (nothing is fetched from the network at run time)
    app = FastAPIOffline(
        title="TurkMood API",
        version="1",
        summary="Which of happy, sad, angry, relax a song carries, why, and how sure.",
        lifespan=_lifespan,
    )
    app.state.settings = settings or settings_from_env()
    app.state.metrics = Metrics()
    app.state.ready = False
    app.state.model_version = None
    app.state.start_error = None
    _install_errors(app)
    _install_size_guard(app)
    _install_metrics(app)
    app.include_router(router)
    return app
