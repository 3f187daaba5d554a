"""Fixtures of the API tests: real uvicorn processes on 127.0.0.1, each with a fresh home."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.launch import ApiServer

ADMIN_KEY = "s3cret-admin-key-for-tests"


@pytest.fixture(scope="package")
def server(tmp_path_factory) -> Iterator[ApiServer]:
    """A service with no admin key (admin routes locked), default capacity."""
    running = ApiServer(tmp_path_factory.mktemp("api_home")).start()
    yield running
    running.stop()


@pytest.fixture(scope="package")
def small_server(tmp_path_factory) -> Iterator[ApiServer]:
    """A service with an admin key and room for one running + one waiting request."""
    running = ApiServer(
        tmp_path_factory.mktemp("api_small_home"),
        env={"TURKMOOD_API_KEY": ADMIN_KEY},
        args=["--workers", "1", "--queue", "1", "--max-upload-mb", "8"],
    ).start()
    yield running
    running.stop()
