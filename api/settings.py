"""Run-time settings of the API service (from arguments and the environment)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from turkmood.constants import (
    API_KEY_ENV,
    API_MAX_INFLIGHT_BYTES,
    API_MAX_UPLOAD_MB,
    API_QUEUE,
    API_REQUEST_TIMEOUT_S,
    API_RETRY_AFTER_S,
    API_WORKERS,
)


@dataclass(frozen=True)
class Settings:
    """Capacity, limits and the admin key of one service instance."""

    workers: int = API_WORKERS
    queue: int = API_QUEUE
    max_upload_bytes: int = API_MAX_UPLOAD_MB * 1024**2
    max_inflight_bytes: int = API_MAX_INFLIGHT_BYTES
    timeout_s: float = API_REQUEST_TIMEOUT_S
    retry_after_s: int = API_RETRY_AFTER_S
    #: ``None`` when no key is configured: the admin routes answer 403.
    api_key: str | None = None


def settings_from_env(**overrides: object) -> Settings:
    """Settings with the admin key read from ``TURKMOOD_API_KEY`` (empty means none)."""
    key = os.environ.get(API_KEY_ENV, "").strip() or None
    values = {"api_key": key, **{k: v for k, v in overrides.items() if v is not None}}
    return Settings(**values)
