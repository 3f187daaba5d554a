"""End-to-end Batch page with audio: three uploads, live progress, summary, CSV with features."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from browser_helpers import screenshot, wait_idle

from turkmood.analyze import analyze
from turkmood.batch import batch_columns
from turkmood.constants import CLASSES, FEATURE_NAMES
from turkmood.data import file_sha256
from turkmood.model import load_model

pytestmark = pytest.mark.e2e

AUDIO = Path(__file__).resolve().parents[1] / "fixtures" / "audio"
#: Fixture songs cut to a few seconds each (fast to analyse), plus one file that is not audio.
SONGS = {"sad.wav": "mus_wesnoth_sad.flac", "frantic.wav": "mus_wesnoth_frantic.flac"}


def _write_uploads(tmp_path: Path) -> list[Path]:
    paths = []
    for name, source in SONGS.items():
        y, sr = sf.read(AUDIO / source)
        y = y if y.ndim == 1 else y.mean(axis=1)
        sf.write(tmp_path / name, y[: 4 * sr], sr)
        paths.append(tmp_path / name)
    broken = tmp_path / "broken.mp3"
    broken.write_text("this is not an MP3 file\n" * 20)
    return [*paths, broken]


def test_batch_of_three_audio_files_downloads_one_csv(app_url, page, tmp_path):
    paths = _write_uploads(tmp_path)
    page.goto(f"{app_url}/batch")
    wait_idle(page)
    page.get_by_text("Include the 50 features in the CSV download").click()
    wait_idle(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files([str(p) for p in paths])
    button = page.get_by_test_id("stDownloadButton").locator("button")
    button.wait_for()
    wait_idle(page)
    page.locator("[data-testid='stPlotlyChart']").first.wait_for()
    assert page.get_by_test_id("stException").count() == 0
    metrics = page.get_by_test_id("stMetric").all_inner_texts()
    assert any(m.startswith("Songs") and m.endswith("3") for m in metrics)
    assert any(m.startswith("Failed") and m.endswith("1") for m in metrics)
    screenshot(page, "batch_audio")

    with page.expect_download() as info:
        button.click()
    got = pd.read_csv(io.BytesIO(Path(info.value.path()).read_bytes()), keep_default_na=False)
    assert list(got.columns) == batch_columns(include_features=True)
    assert got["file"].tolist() == [p.name for p in paths]
    model = load_model()
    assert set(got["model_version"]) == {model.version}
    assert got["sha256"].tolist() == [file_sha256(p) for p in paths]
    for path, (_, row) in zip(paths[:2], got.iterrows(), strict=False):
        expected = analyze(path, model)
        assert row["error"] == ""
        assert row["predicted"] == expected.predicted
        assert row["decision"] == expected.decision
        np.testing.assert_allclose(
            row[[f"p_{c}" for c in CLASSES]].astype(float),
            expected.track.loc[0, list(CLASSES)].astype(float),
            atol=1e-4,
        )
        np.testing.assert_allclose(
            row[list(FEATURE_NAMES)].astype(float), expected.features.mean(axis=0), rtol=1e-5
        )
    failed = got.iloc[2]
    assert "not a readable audio file" in failed["error"]
    assert failed["predicted"] == "" and failed["_Tempo_Mean"] == ""
