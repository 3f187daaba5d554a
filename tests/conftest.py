"""Shared test setup: make the project importable and expose its root and a sample table."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from turkmood.constants import DATA_PATH, HOME_ENV

ROOT = Path(__file__).resolve().parent.parent  # pyproject's pythonpath makes turkmood importable


@pytest.fixture(scope="session")
def project_root() -> Path:
    """The repository root (where app.py lives)."""
    return ROOT


@pytest.fixture(scope="session")
def bundled_frame() -> pd.DataFrame:
    """The bundled UCI table as read from disk (label + 50 features), never modified."""
    return pd.read_csv(DATA_PATH)


@pytest.fixture(scope="session", autouse=True)
def isolated_home(tmp_path_factory) -> Path:
    """Every test (and every server a test starts) keeps user state in a throw-away home."""
    home = tmp_path_factory.mktemp("turkmood_home")
    previous = os.environ.get(HOME_ENV)
    os.environ[HOME_ENV] = str(home)
    yield home
    if previous is None:
        os.environ.pop(HOME_ENV, None)
    else:
        os.environ[HOME_ENV] = previous
