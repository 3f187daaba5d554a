"""Helpers shared by the real-browser tests (paths, waiting, screenshots)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Screenshots and server logs of every run (gitignored).
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
#: One good screenshot per page, used by the README.
SCREENSHOTS = ROOT / "docs" / "screenshots"
#: Milliseconds allowed for one script run in the browser (2 shared cores in CI).
RUN_TIMEOUT_MS = 90_000
#: Tallest screenshot taken (pixels).
MAX_SHOT_PX = 4000
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def wait_idle(page) -> None:
    """Wait until the app's script run has finished."""
    page.wait_for_selector(IDLE, timeout=RUN_TIMEOUT_MS)


def screenshot(page, name: str, readme: bool = False) -> Path:
    """Full-page screenshot under test-artifacts/e2e/; also into docs/screenshots/ if asked."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    # Streamlit scrolls inside its main container, so grow the viewport to the content height.
    height = page.evaluate(
        "() => document.querySelector(\"[data-testid='stMain']\")?.scrollHeight ?? 0"
    )
    width = page.viewport_size["width"] if page.viewport_size else 1400
    page.set_viewport_size({"width": width, "height": max(800, min(int(height), MAX_SHOT_PX))})
    page.wait_for_timeout(500)
    page.screenshot(path=str(path), full_page=True)
    if readme:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, SCREENSHOTS / f"{name}.png")
    return path


def missing_browser(reason: str) -> None:
    """No usable browser: FAIL when ``CI=true`` (CI must run these tests), skip otherwise."""
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"real-browser tests cannot run in CI: {reason}")
    pytest.skip(reason)
