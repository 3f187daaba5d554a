"""``python -m turkmood serve``: the API under uvicorn."""

from __future__ import annotations

import uvicorn

from api.app import create_app
from api.settings import settings_from_env


def serve(
    host: str,
    port: int,
    workers: int | None = None,
    queue: int | None = None,
    max_upload_mb: int | None = None,
) -> None:
    """Run the service until interrupted (one uvicorn process; its own worker pool)."""
    max_bytes = None if max_upload_mb is None else max_upload_mb * 1024**2
    app = create_app(settings_from_env(workers=workers, queue=queue, max_upload_bytes=max_bytes))
    uvicorn.run(app, host=host, port=port, log_level="info", timeout_graceful_shutdown=5)
