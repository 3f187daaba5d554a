"""Shared test setup: make the project importable and expose its root and a sample table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from turkmood.constants import DATA_PATH

ROOT = Path(__file__).resolve().parent.parent  # pyproject's pythonpath makes turkmood importable


@pytest.fixture(scope="session")
def project_root() -> Path:
    """The repository root (where app.py lives)."""
    return ROOT


@pytest.fixture(scope="session")
def bundled_frame() -> pd.DataFrame:
    """The bundled UCI table as read from disk (label + 50 features), never modified."""
    return pd.read_csv(DATA_PATH)
