"""``python -m turkmood app``: start the Streamlit app with a server that is ready when it answers.

``streamlit run app.py`` imports nothing until the first visitor connects: that first page then
paid for importing scikit-learn, SHAP, Plotly and the feature code (~2-4 s on 2 cores) while the
background warm-up (model, explainer, worker pool) competed with it for the same cores. Here the
same server is started by Streamlit's own command line, and a background thread first imports
what the pages use, then runs the app's warm-up (:func:`ui.resources.warm_up_in_background`, the
same cached resources a page asks for) — while the server is already answering. A visitor who
comes earlier waits on the same imports and caches, never for work done twice.
"""

from __future__ import annotations

import importlib
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

#: The Streamlit script (the multipage entry point).
APP_PATH = Path(__file__).resolve().parent.parent / "app.py"
#: Libraries the pages import (the slowest first), imported before the server is up.
LIBRARY_MODULES = ("sklearn.pipeline", "pandas", "scipy.signal", "shap", "plotly.graph_objects")
#: The app's own modules, imported once Streamlit's runtime exists (their caches belong to it).
APP_MODULES = ("ui.resources", "ui.widgets", "ui.analyze_report", "ui.analyze_feedback")
#: Seconds between two looks for Streamlit's runtime while the server starts.
RUNTIME_POLL_S = 0.05


def preload() -> None:
    """Import the libraries, wait for Streamlit's runtime, start the app's warm-up (its own
    thread: the model first) and import the app's modules (all idempotent)."""
    for name in LIBRARY_MODULES:
        importlib.import_module(name)
    from streamlit import runtime

    while not runtime.exists():
        time.sleep(RUNTIME_POLL_S)
    from ui.resources import warm_up_in_background

    warm_up_in_background()
    for name in APP_MODULES:
        importlib.import_module(name)


def run(streamlit_args: Sequence[str] = ()) -> int:
    """Start the app's server (``streamlit run app.py`` plus ``streamlit_args``), preloading in
    the background; returns Streamlit's exit code."""
    threading.Thread(target=preload, name="turkmood-preload", daemon=True).start()
    from streamlit.web import cli

    try:
        cli.main(["run", str(APP_PATH), *streamlit_args], prog_name="streamlit")
    except SystemExit as exc:  # click ends the command with SystemExit
        return int(exc.code or 0)
    return 0


if __name__ == "__main__":  # pragma: no cover - python -m ui.launch
    raise SystemExit(run(sys.argv[1:]))
