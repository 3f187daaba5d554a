"""End-to-end: the Drift page in a real browser (summary, audio drift, own data, JSON report)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from browser_helpers import screenshot, wait_idle

from turkmood.constants import FEATURE_NAMES
from turkmood.data import load_training_data
from turkmood.drift.evaluate import run_table_scenarios, worst_scenario
from turkmood.drift.holdout import make_holdout
from turkmood.drift.stats import feature_drift, verdict
from turkmood.model import load_model

pytestmark = pytest.mark.e2e

#: Audio drift in the browser runs on this many sample clips (7 extractions per clip).
AUDIO_CLIPS = 2
AUDIO_TIMEOUT_MS = 240_000


def _open_drift(page, app_url: str) -> None:
    """Start at the app root (so app.py's navigation runs), then follow the Drift link."""
    page.goto(app_url)
    wait_idle(page)
    page.get_by_test_id("stSidebarNav").get_by_text("Drift", exact=True).click()
    page.get_by_text("Hurts most:").wait_for()
    wait_idle(page)


def test_drift_page_summary_audio_own_data_and_report(app_url, page, bundled_frame, tmp_path):
    model = load_model()
    data = load_training_data()
    result = run_table_scenarios(make_holdout(model, data))
    worst = worst_scenario(result)

    _open_drift(page, app_url)
    assert page.get_by_test_id("stException").count() == 0
    paragraphs = page.locator("[data-testid='stMarkdownContainer'] p")
    headline = paragraphs.filter(has_text="Hurts most:").inner_text()
    assert f"Hurts most: {worst.title}" in headline
    assert f"{worst.delta_pp:+.1f} pp, {worst.impact}" in headline

    # audio-level drift on two sample clips
    page.get_by_text("Audio transform intensities").click()
    clips = page.get_by_test_id("stSlider").filter(has_text="Sample clips")
    thumb = clips.get_by_role("slider")
    thumb.focus()
    thumb.press("Home")
    for _ in range(AUDIO_CLIPS - 1):
        thumb.press("ArrowRight")
    wait_idle(page)
    page.get_by_text("Run audio-level drift on the sample clips").click()
    page.get_by_text(f"{AUDIO_CLIPS} sample clips").wait_for(timeout=AUDIO_TIMEOUT_MS)
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=AUDIO_TIMEOUT_MS
    )
    assert page.get_by_test_id("stException").count() == 0

    # own data: a feature table with a shifted tempo gets a plain verdict
    mine = bundled_frame[list(FEATURE_NAMES)].iloc[:60].copy()
    mine["_Tempo_Mean"] *= 1.5
    path = tmp_path / "mine.csv"
    mine.to_csv(path, index=False)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    expected = verdict(feature_drift(data.X, mine))
    page.get_by_text(expected, exact=False).wait_for()
    wait_idle(page)
    assert page.get_by_test_id("stException").count() == 0

    with page.expect_download() as info:
        page.get_by_text("Download the report (JSON)").click()
    report = json.loads(Path(info.value.path()).read_text())
    assert report["metadata"]["model_version"] == model.version
    assert report["metadata"]["split"]["held_out"] == len(result.get("baseline").X)
    shown = {s["key"]: s["accuracy"] for s in report["table_scenarios"]["results"]}
    assert shown == pytest.approx({s.key: s.accuracy for s in result.scenarios})
    assert len(report["audio_scenarios"]["clips"]) == AUDIO_CLIPS

    page.evaluate("() => document.querySelector(\"[data-testid='stMain']\").scrollTo(0, 0)")
    screenshot(page, "drift", readme=True)
