"""AppTest helpers: run the real app (app.py with st.navigation) and switch pages."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest, app_test

from turkmood.constants import FEATURE_NAMES
from turkmood.model import LoadedModel, load_model

#: Generous per-run timeout: the CI machine has 2 shared cores and the first run loads a model.
TIMEOUT_S = 120
#: Rows of the bundled table used as an "uploaded" table (one per class block of the file).
SAMPLE_ROWS = [0, 150, 250, 350]


class _NavigationPagesManager(PagesManager):
    """PagesManager that records the app as an ``st.navigation`` app, as the server does.

    The live server flips ``PagesManager.uses_pages_directory`` to False the first time app.py
    calls ``st.navigation`` and keeps it. AppTest resets the flag before every run (streamlit
    PR #14217); with a ``pages/`` folder it would then take the legacy pages-directory route on
    reruns (the app keeps its pages in ``app_pages/`` for that reason; this guard stays): it
    runs the page file without app.py, so the sidebar and model selector vanish. Re-applying
    the server's state keeps reruns faithful to the app.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


@pytest.fixture(autouse=True)
def _navigation_app(monkeypatch):
    monkeypatch.setattr(app_test, "PagesManager", _NavigationPagesManager, raising=False)
    monkeypatch.setattr(PagesManager, "uses_pages_directory", PagesManager.uses_pages_directory)


@pytest.fixture()
def open_page(project_root) -> Callable[[str], AppTest]:
    """Start the app, run it once, switch to ``app_pages/<name>.py`` and run that page."""

    def _open(page: str) -> AppTest:
        at = AppTest.from_file(str(project_root / "app.py"), default_timeout=TIMEOUT_S)
        at.run()
        assert not at.exception, at.exception
        if page != "analyze":  # Analyze is the default page
            at.switch_page(f"app_pages/{page}.py").run()
        return at

    return _open


@pytest.fixture(scope="session")
def sample_table(bundled_frame) -> pd.DataFrame:
    """A small upload: a ``file`` name column plus the 50 features of four bundled rows."""
    rows = bundled_frame.iloc[SAMPLE_ROWS].reset_index(drop=True)
    names = pd.DataFrame({"file": [f"song_{i}.wav" for i in SAMPLE_ROWS]})
    return pd.concat([names, rows[list(FEATURE_NAMES)]], axis=1)


@pytest.fixture(scope="session")
def default_model() -> LoadedModel:
    """The shipped default model, loaded directly (not through the app's cache)."""
    return load_model()
