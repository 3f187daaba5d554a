"""Real-browser fixtures: one app server (`python -m turkmood app`) per session, Debian's chromium.

The server listens on 127.0.0.1 on a free port and is stopped at the end of the session. The
browser is /usr/bin/chromium driven by Playwright (``playwright install`` is never run). When
the browser is missing the tests are skipped locally but FAIL when ``CI=true``.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_helpers import ARTIFACTS, ROOT, RUN_TIMEOUT_MS, missing_browser

from api.launch import answers, free_port, streamlit_command

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Seconds allowed for the server to answer /_stcore/health (2 shared cores in CI).
STARTUP_TIMEOUT_S = 120


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """Start the app (`python -m turkmood app`, as the README does) on a free local port;
    yield its base URL; stop it."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = ARTIFACTS / "streamlit-server.log"
    command = streamlit_command(port)
    with open(log_path, "wb") as log:
        server = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT_S
            while not answers(f"{url}/_stcore/health"):
                if server.poll() is not None:
                    pytest.fail(f"the app server exited with {server.returncode}; see {log_path}")
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"app server not healthy after {STARTUP_TIMEOUT_S}s; see {log_path}"
                    )
                time.sleep(0.5)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=15)


@pytest.fixture(scope="session")
def browser():
    """Headless Debian chromium through Playwright's sync API."""
    if not Path(CHROMIUM).is_file():
        missing_browser(f"{CHROMIUM} not found")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as exc:
        missing_browser(f"playwright is not installed: {exc}")
    with sync_playwright() as playwright:
        try:
            instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Error as exc:
            missing_browser(f"chromium could not be started: {exc}")
        yield instance
        instance.close()


@pytest.fixture()
def page(browser):
    """A fresh browser context (own session) with downloads enabled."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    context.set_default_timeout(RUN_TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    context.close()
