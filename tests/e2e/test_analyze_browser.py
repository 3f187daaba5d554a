"""Analyze page in a real browser: a 3-minute MP3, an unreadable file, then a sample clip."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from browser_helpers import screenshot, wait_idle

from turkmood.analyze import analyze
from turkmood.audio import load_audio
from turkmood.model import load_model
from ui.analyze_samples import list_samples
from ui.text import decision_text

pytestmark = pytest.mark.e2e

AUDIO = Path(__file__).resolve().parents[1] / "fixtures" / "audio"
#: Six different 30 s music fixtures make a 3-minute song.
SONG_PARTS = (
    "mus_wesnoth_sad.flac",
    "mus_wesnoth_frantic.flac",
    "mus_wesnoth_love_theme.flac",
    "mus_asc_machine_wars.flac",
    "mus_wesnoth_traveling_minstrels.flac",
    "mus_sectoid_feelings.flac",
)
DECISION = re.compile(r"^Decision: ")


def _decisions(page) -> list[str]:
    shown = page.locator("[data-testid='stMarkdownContainer'] p").filter(has_text=DECISION)
    return shown.all_inner_texts()


def _no_exception(page) -> None:
    assert page.get_by_test_id("stException").count() == 0


def _three_minute_mp3(folder: Path) -> Path:
    parts = [load_audio(AUDIO / name) for name in SONG_PARTS]
    sr = parts[0][1]
    path = folder / "three_minutes.mp3"
    sf.write(path, np.concatenate([y for y, _ in parts]), sr, format="MP3")
    return path


def test_three_minute_mp3_shows_verdict_timeline_and_why(app_url, page, tmp_path):
    path = _three_minute_mp3(tmp_path)
    expected = analyze(path, load_model())
    assert len(expected.timeline) > 1

    page.goto(app_url)
    wait_idle(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    page.get_by_text("Was this right?").wait_for()
    wait_idle(page)
    _no_exception(page)
    assert _decisions(page) == [f"Decision: {decision_text(expected.track.iloc[0])}"]
    assert page.get_by_role("heading", name=f"Why {expected.predicted}?").count() == 1
    assert page.get_by_test_id("stAudio").count() == 1
    # the timeline is the one Plotly chart; probabilities, SHAP, waveform, spectrogram and
    # circumplex are images
    assert page.locator("[data-testid='stPlotlyChart']").count() == 1
    assert page.get_by_test_id("stImage").count() == 5
    assert page.get_by_text("Emotion over the song", exact=False).count() >= 1
    assert page.get_by_text("derived from the four-class output", exact=False).count() >= 1
    labels = page.get_by_test_id("stDownloadButton").all_inner_texts()
    assert any("Export this analysis (JSON)" in t for t in labels)
    assert any("Export this analysis (CSV)" in t for t in labels)
    screenshot(page, "analyze_audio", readme=True)


def test_unreadable_file_is_a_message_and_the_page_stays_usable(app_url, page, tmp_path):
    broken = tmp_path / "broken.mp3"
    broken.write_bytes(b"ID3\x03\x00\x00\x00 this is not really an mp3 file" * 10)
    page.goto(app_url)
    wait_idle(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(broken))
    error = page.get_by_test_id("stAlertContentError")
    error.wait_for()
    wait_idle(page)
    assert "This audio file cannot be analysed" in error.inner_text()
    assert _decisions(page) == []
    _no_exception(page)

    samples = list_samples()
    if not samples:
        pytest.skip("no sample clips are bundled")
    page.get_by_text("Pick a sample clip").click()
    page.get_by_text("Was this right?").wait_for()
    wait_idle(page)
    _no_exception(page)
    expected = analyze(samples[0].path, load_model())
    assert _decisions(page) == [f"Decision: {decision_text(expected.track.iloc[0])}"]
