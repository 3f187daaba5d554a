"""End-to-end: the real app in a real browser (uploads, predictions, download, every page)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from browser_helpers import screenshot, wait_idle

from turkmood import predict_features
from turkmood.analyze import analyze
from turkmood.constants import CLASSES, FEATURE_NAMES
from turkmood.model import load_model
from ui.text import decision_text

pytestmark = pytest.mark.e2e

AUDIO = Path(__file__).resolve().parents[1] / "fixtures" / "audio"

#: Bundled rows uploaded on Analyze: one from each class block of the file.
ANALYZE_ROWS = [5, 110, 215, 320]
BATCH_ROWS = 40


def _write_upload(tmp_path, frame: pd.DataFrame, rows, name: str) -> tuple[pd.DataFrame, str]:
    table = frame.iloc[rows].reset_index(drop=True)
    upload = pd.concat(
        [pd.DataFrame({"file": [f"clip_{i:03d}.wav" for i in rows]}), table[list(FEATURE_NAMES)]],
        axis=1,
    )
    path = tmp_path / name
    upload.to_csv(path, index=False)
    return upload, str(path)


def _no_exception(page) -> None:
    assert page.get_by_test_id("stException").count() == 0


def test_analyze_upload_shows_the_library_prediction(app_url, page, bundled_frame, tmp_path):
    upload, path = _write_upload(tmp_path, bundled_frame, ANALYZE_ROWS, "analyze.csv")
    page.goto(app_url)
    wait_idle(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(path)
    page.get_by_text("Results —").wait_for()
    wait_idle(page)
    page.locator("[data-testid='stPlotlyChart']").first.wait_for()
    _no_exception(page)

    expected = predict_features(upload[list(FEATURE_NAMES)], load_model())
    shown = page.locator("[data-testid='stMarkdownContainer'] p").filter(
        has_text=re.compile(r"^Decision: ")
    )
    assert shown.all_inner_texts() == [
        f"Decision: {decision_text(row)}" for _, row in expected.iterrows()
    ]
    screenshot(page, "analyze", readme=True)


def test_analyze_bad_table_shows_message_not_traceback(app_url, page, bundled_frame, tmp_path):
    upload, _ = _write_upload(tmp_path, bundled_frame, [1, 2], "x.csv")
    path = tmp_path / "bad.csv"
    upload.drop(columns=["_Pulseclarity_Mean"]).to_csv(path, index=False)
    page.goto(app_url)
    wait_idle(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    error = page.get_by_test_id("stAlertContentError")
    error.wait_for()
    wait_idle(page)
    assert "_Pulseclarity_Mean" in error.inner_text()
    _no_exception(page)
    screenshot(page, "analyze-error")


def _assert_app_navigation(page) -> None:
    """A bookmarked page URL still runs app.py: its navigation titles, not file names."""
    nav = page.get_by_test_id("stSidebarNav").inner_text()
    assert "Model card" in nav and "Batch" in nav, nav
    assert "app" not in nav.split(), nav


def test_batch_download_has_the_expected_rows(app_url, page, bundled_frame, tmp_path):
    rows = list(np.random.default_rng(7).choice(len(bundled_frame), BATCH_ROWS, replace=False))
    upload, path = _write_upload(tmp_path, bundled_frame, rows, "batch.csv")
    page.goto(f"{app_url}/batch")
    wait_idle(page)
    _assert_app_navigation(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(path)
    button = page.get_by_test_id("stDownloadButton").locator("button")
    button.wait_for()
    wait_idle(page)
    page.locator("[data-testid='stPlotlyChart']").first.wait_for()
    _no_exception(page)
    screenshot(page, "batch", readme=True)

    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename == "turkmood_batch.csv"
    got = pd.read_csv(io.BytesIO(Path(download.path()).read_bytes()))
    model = load_model()
    expected = predict_features(upload[list(FEATURE_NAMES)], model)
    assert got["file"].tolist() == upload["file"].tolist()
    assert got["decision"].tolist() == expected["decision"].tolist()
    assert got["predicted"].tolist() == expected["predicted"].tolist()
    np.testing.assert_allclose(
        got[[f"p_{c}" for c in CLASSES]].to_numpy(), expected[list(CLASSES)].to_numpy(), atol=1e-4
    )
    assert set(got["model_version"]) == {model.version}


def test_model_card_page_renders_charts(app_url, page):
    page.goto(f"{app_url}/model_card")
    page.locator("[data-testid='stPlotlyChart']").nth(1).wait_for()
    wait_idle(page)
    _assert_app_navigation(page)
    _no_exception(page)
    screenshot(page, "model_card", readme=True)


def test_analyze_audio_upload_shows_song_verdict_and_timeline(app_url, page, tmp_path):
    # two 30 s fixtures back to back: a 60 s song analysed in two windows
    parts = [sf.read(AUDIO / name) for name in ("mus_wesnoth_sad.flac", "mus_wesnoth_frantic.flac")]
    mono = [y if y.ndim == 1 else y.mean(axis=1) for y, _ in parts]
    path = tmp_path / "two_moods.wav"
    sf.write(path, np.concatenate(mono), parts[0][1], subtype="PCM_16")
    expected = analyze(path, load_model())

    page.goto(app_url)
    wait_idle(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    page.get_by_text("Emotion over the song").wait_for()
    wait_idle(page)
    _no_exception(page)
    shown = page.locator("[data-testid='stMarkdownContainer'] p").filter(
        has_text=re.compile(r"^Decision: ")
    )
    assert shown.all_inner_texts() == [f"Decision: {decision_text(expected.track.iloc[0])}"]
    assert len(expected.timeline) == 2
    screenshot(page, "analyze_audio_two_moods")  # the README shot: test_analyze_browser.py
