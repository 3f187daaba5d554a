"""``python -m turkmood app``: start the Streamlit app with a server that is ready when it answers.

``streamlit run app.py`` imports nothing until the first visitor connects: that first page then
paid for importing scikit-learn, SHAP, Plotly and the feature code (~2-4 s on 2 cores) and for
loading the model. Here the same server is started by Streamlit's own command line, and as soon
as it answers a background thread starts the app's warm-up
(:func:`ui.resources.warm_up_in_background`: the libraries, the model, the explainer and the
rest, the same cached resources a page asks for), while nobody waits for it yet: a server
started before class is ready when the first visitor comes. A visitor who comes earlier waits
on the same imports and caches, never for work done twice.

The one exception is the first start of a version on a machine: numba compiles the extractor's
kernels into its on-disk cache before the server starts (~5 s, said on the console), because a
first song would otherwise wait for that compilation in the middle of the warm-up.
"""

from __future__ import annotations

import sys
import threading
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

#: The Streamlit script (the multipage entry point).
APP_PATH = Path(__file__).resolve().parent.parent / "app.py"
#: Seconds between two looks at Streamlit's runtime while the server starts.
RUNTIME_POLL_S = 0.05


def _server_started() -> bool:
    """Whether Streamlit's server answers its health check (on this machine)."""
    from streamlit import config, runtime

    if not runtime.exists():
        return False
    url = f"http://127.0.0.1:{config.get_option('server.port')}/_stcore/health"
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except (OSError, ValueError):
        return False


def preload() -> None:
    """Once the server answers, start the app's warm-up (idempotent: a page asks for the same).

    Nothing is done before: work done while the server starts only delays its start (it holds
    the interpreter lock), and the app's caches belong to its runtime.
    """
    while not _server_started():
        time.sleep(RUNTIME_POLL_S)
    from ui.resources import warm_up_in_background

    warm_up_in_background()


def compile_extractor_once() -> None:
    """On the first start for this feature code (numba's cache of the extractor's kernels empty
    or stale), compile the kernels before the server answers, saying so: otherwise the first
    song sent waits for them (:mod:`turkmood.features.compile_cache`)."""
    from turkmood.features.compile_cache import compile_kernels, kernels_cached

    if kernels_cached():
        return
    print(
        "TurkMood: first start of this version on this machine: compiling the feature "
        "extractor (about 5-15 s, once)…",
        flush=True,
    )
    print(f"TurkMood: compiled in {compile_kernels():.1f} s.", flush=True)


def run(streamlit_args: Sequence[str] = ()) -> int:
    """Start the app's server (``streamlit run app.py`` plus ``streamlit_args``), preloading in
    the background (after compiling the extractor on a first start); returns Streamlit's exit
    code."""
    compile_extractor_once()
    threading.Thread(target=preload, name="turkmood-preload", daemon=True).start()
    from streamlit.web import cli

    try:
        cli.main(["run", str(APP_PATH), *streamlit_args], prog_name="streamlit")
    except SystemExit as exc:  # click ends the command with SystemExit
        return int(exc.code or 0)
    return 0


if __name__ == "__main__":  # pragma: no cover - python -m ui.launch
    raise SystemExit(run(sys.argv[1:]))
