"""Analyze page, song report: samples, model switch, explanation, pictures and feedback."""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from turkmood.analyze import analyze
from turkmood.constants import ADMIN_PASSWORD_ENV, CLASSES, FEATURE_NAMES, FEEDBACK_DB_ENV
from turkmood.feedback import read_audio, read_feedback
from turkmood.glossary import feature_info
from turkmood.model import available_models, load_model
from ui.analyze_samples import SYNTHETIC, list_samples, record_text
from ui.resources import MODEL_KEY
from ui.text import decision_text, md_escape

ROOT = Path(__file__).resolve().parents[2]
AUDIO = ROOT / "tests" / "fixtures" / "audio"
SAMPLE = "Pick a sample clip"
#: A one-window song report draws no Plotly chart (only the timeline of longer songs is one) ...
REPORT_CHARTS = 0
#: ... but images, cheap for the browser: probabilities, SHAP, waveform, spectrogram, circumplex.
REPORT_IMAGES = 5


@pytest.fixture(autouse=True)
def feedback_db(tmp_path, monkeypatch) -> Path:
    """Every test writes feedback to its own throw-away database."""
    path = tmp_path / "feedback.db"
    monkeypatch.setenv(FEEDBACK_DB_ENV, str(path))
    return path


@pytest.fixture(scope="module")
def short_clip() -> bytes:
    """6 s of a real-music fixture as FLAC bytes (short keeps the page test fast)."""
    y, sr = sf.read(AUDIO / "mus_wesnoth_traveling_minstrels.flac", dtype="float32")
    buffer = io.BytesIO()
    sf.write(buffer, y[: 6 * sr], sr, format="FLAC")
    return buffer.getvalue()


def _upload(at, name: str, data: bytes):
    at.file_uploader[0].set_value([(name, data, "audio/flac")])
    return at.run()


def _decisions(at) -> list[str]:
    prefix = "Decision: **"
    return [m.value[len(prefix) : -2] for m in at.markdown if m.value.startswith(prefix)]


def _charts(at) -> int:
    return len(at.get("plotly_chart"))


def _images(at) -> int:
    return len(at.get("image"))


def _download_labels(at) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def _feedback_downloads(at) -> list[str]:
    return [label for label in _download_labels(at) if "feedback" in label]


def test_picking_samples_shows_their_reports(open_page, default_model):
    samples = list_samples()
    if len(samples) < 2:
        pytest.skip("fewer than two sample clips are bundled")
    at = open_page("analyze")
    at.radio[0].set_value(SAMPLE).run()
    assert not at.exception
    picker = at.selectbox(key="analyze-sample")
    assert picker.options == [s.label for s in samples]  # grouped by emotion, as listed
    first = analyze(samples[0].path, default_model)
    assert _decisions(at) == [decision_text(first.track.iloc[0])]
    assert len(at.get("audio")) == 1
    assert _charts(at) == REPORT_CHARTS
    assert _images(at) == REPORT_IMAGES
    # sent as the PNGs they are drawn as, not re-encoded by Streamlit as JPEG
    assert all(i.proto.imgs[0].url.endswith(".png") for i in at.get("image")), [
        i.proto.imgs[0].url for i in at.get("image")
    ]
    assert [h.value for h in at.subheader if h.value.startswith("Why")] == [
        f"Why {first.predicted}?"
    ]
    assert _download_labels(at) == ["Export this analysis (JSON)", "Export this analysis (CSV)"]

    last = samples[-1]
    picker.set_value(str(last.path)).run()
    assert not at.exception
    expected = analyze(last.path, default_model)
    assert _decisions(at) == [decision_text(expected.track.iloc[0])]
    headings = [m.value for m in at.markdown if m.value.startswith("#### ")]
    assert headings == [f"#### {md_escape(last.path.name)}"]


def test_no_samples_is_a_message_not_an_error(open_page, monkeypatch, tmp_path):
    monkeypatch.setattr("ui.analyze_samples.SAMPLES_DIR", tmp_path / "absent")
    at = open_page("analyze")
    at.radio[0].set_value(SAMPLE).run()
    assert not at.exception and not at.error
    assert any("No sample clips are bundled yet" in i.value for i in at.info)


def test_upload_limit_is_said_on_the_page(open_page):
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    limit = config["server"]["maxUploadSize"]
    at = open_page("analyze")
    assert any(f"Files up to {limit} MB" in c.value for c in at.caption)
    # no configuration file names or server paths on a user page (#15 item 19)
    shown = "\n".join(c.value for c in at.caption)
    assert "config.toml" not in shown and "maxUploadSize" not in shown


def test_model_switch_changes_the_song_verdict_and_explanation(open_page, short_clip):
    other = "random_forest" if "random_forest" in available_models() else None
    if other is None:
        pytest.skip("random_forest is not shipped")
    model = load_model(other)
    at = open_page("analyze")
    at.selectbox(key=MODEL_KEY).set_value(other).run()
    _upload(at, "clip.flac", short_clip)
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    expected = analyze(short_clip, model)
    assert _decisions(at) == [decision_text(expected.track.iloc[0])]
    assert f"Model `{model.version}`" in [c.value for c in at.caption]
    assert any("exact tree SHAP" in c.value for c in at.caption)


def test_feedback_is_written_and_read_back(open_page, short_clip, feedback_db, default_model):
    at = _upload(open_page("analyze"), "clip.flac", short_clip)
    assert not at.exception
    assert at.radio(key="feedback-truth").value is None  # the model's guess is not pre-selected
    truth = next(c for c in CLASSES if c != analyze(short_clip, default_model).predicted)
    at.radio(key="feedback-truth").set_value(truth)
    at.checkbox(key="feedback-keep-audio").check()
    next(b for b in at.button if b.label == "Send feedback").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == [f"Thank you — feedback #1 saved ({truth})."]
    stored = read_feedback(feedback_db)
    assert len(stored) == 1
    row = stored.iloc[0]
    expected = analyze(short_clip, default_model)
    assert row["true_emotion"] == truth
    assert row["model_version"] == default_model.version
    assert row["predicted"] == expected.predicted
    np.testing.assert_allclose(
        row[list(FEATURE_NAMES)].to_numpy(dtype=float),
        expected.track_features.to_numpy(dtype=float),
    )
    assert read_audio(int(row["id"]), feedback_db) == short_clip
    assert _feedback_downloads(at) == ["Download my feedback (CSV)"]


def test_sending_without_a_choice_asks_for_one(open_page, short_clip, feedback_db):
    at = _upload(open_page("analyze"), "clip.flac", short_clip)
    next(b for b in at.button if b.label == "Send feedback").click().run()
    assert not at.exception
    assert [w.value for w in at.warning if "Pick the emotion" in w.value]
    assert not feedback_db.exists() or read_feedback(feedback_db).empty


def test_a_visitor_cannot_export_other_visitors_feedback(
    open_page, short_clip, feedback_db, monkeypatch
):
    other = _upload(open_page("analyze"), "someone-elses-secret.flac", short_clip)
    other.radio(key="feedback-truth").set_value("sad")
    next(b for b in other.button if b.label == "Send feedback").click().run()
    monkeypatch.delenv(ADMIN_PASSWORD_ENV, raising=False)
    at = _upload(open_page("analyze"), "clip.flac", short_clip)
    assert _feedback_downloads(at) == []  # nothing of this visitor's yet, nothing of the other's
    assert not any(str(feedback_db) in c.value for c in at.caption)  # no server path shown
    at.radio(key="feedback-truth").set_value("happy")
    next(b for b in at.button if b.label == "Send feedback").click().run()
    assert _feedback_downloads(at) == ["Download my feedback (CSV)"]
    assert any("locked" in c.value for c in at.caption)
    # an admin with the configured password gets everyone's answers
    monkeypatch.setenv(ADMIN_PASSWORD_ENV, "pw")
    at.run()
    at.text_input(key="feedback-admin").input("wrong").run()
    assert "Download all feedback (CSV)" not in _download_labels(at)
    at.text_input(key="feedback-admin").input("pw").run()
    assert "Download all feedback (CSV)" in _download_labels(at)


def test_feedback_without_audio_keeps_only_features(open_page, short_clip, feedback_db):
    at = _upload(open_page("analyze"), "clip.flac", short_clip)
    at.radio(key="feedback-truth").set_value("relax")
    next(b for b in at.button if b.label == "Send feedback").click().run()
    assert not at.exception
    stored = read_feedback(feedback_db)
    assert stored["has_audio"].tolist() == [False]
    assert read_audio(int(stored["id"].iloc[0]), feedback_db) is None


def test_unwritable_feedback_store_keeps_the_analysis(open_page, short_clip, monkeypatch, tmp_path):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("x")
    monkeypatch.setenv(FEEDBACK_DB_ENV, str(blocker / "feedback.db"))
    at = _upload(open_page("analyze"), "clip.flac", short_clip)
    decisions = _decisions(at)
    at.radio(key="feedback-truth").set_value("relax")
    next(b for b in at.button if b.label == "Send feedback").click().run()
    assert not at.exception
    assert any(e.value.startswith("Your feedback was not saved") for e in at.error)
    assert _decisions(at) == decisions and decisions
    assert _charts(at) == REPORT_CHARTS and _images(at) == REPORT_IMAGES


def test_out_of_distribution_warning_names_the_most_unusual_features(open_page):
    """A pure 440 Hz tone is nothing like the training songs: the page says so, in words."""
    sr = 44_100
    tone = 0.5 * np.sin(2 * np.pi * 440.0 * np.arange(5 * sr) / sr)
    buffer = io.BytesIO()
    sf.write(buffer, tone, sr, format="FLAC")
    expected = analyze(buffer.getvalue(), load_model())
    assert expected.is_ood
    at = _upload(open_page("analyze"), "tone.flac", buffer.getvalue())
    assert not at.exception
    warnings = [w.value for w in at.warning if "unlike the songs" in w.value]
    assert len(warnings) == 1
    rep = expected.ood[expected.representative_window]
    first = (rep.out_of_range or [f for f, _ in rep.most_off])[0]
    assert feature_info(first).label in warnings[0]
    assert _decisions(at) == [decision_text(expected.track.iloc[0])]


def test_each_analysed_clip_is_logged_once(
    open_page, short_clip, monkeypatch, tmp_path, default_model
):
    from turkmood.constants import HOME_ENV
    from turkmood.telemetry.prediction_log import read_predictions

    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    at = _upload(open_page("analyze"), "clip.flac", short_clip)
    at.run()  # a rerun of the same page is not a new prediction
    log = read_predictions()
    assert log["clip_name"].tolist() == ["clip.flac"]
    assert log["source"].tolist() == ["app"]
    expected = analyze(short_clip, default_model)
    assert log.loc[0, "model_version"] == default_model.version
    assert log.loc[0, "decision"] == expected.decision
    for c in CLASSES:
        assert log.loc[0, f"p_{c}"] == pytest.approx(float(expected.track.loc[0, c]), abs=1e-12)
    assert log.loc[0, "latency_s"] > 0


def test_a_rerun_does_not_recompute_the_explanation(open_page, short_clip, monkeypatch):
    # Kernel SHAP (~0.3 s here) ran again on every rerun: the feedback form, a toggle
    import ui.analyze_resources as resources

    calls = []
    real = resources.explain
    monkeypatch.setattr(resources, "explain", lambda *a, **k: calls.append(1) or real(*a, **k))
    resources._explanation_future.clear()
    at = _upload(open_page("analyze"), "rerun.flac", short_clip)
    assert not at.exception
    assert len(calls) == 1
    at.run()  # the same clip, a plain rerun
    assert not at.exception and len(calls) == 1
    assert _images(at) == REPORT_IMAGES  # the report (SHAP bars included) is still drawn


def test_a_failing_explanation_is_a_warning_and_the_rest_of_the_report_stays(
    open_page, short_clip, monkeypatch
):
    import ui.analyze_resources as resources

    def broken(*args, **kwargs):
        raise ValueError("no SHAP for this model")

    monkeypatch.setattr(resources, "explain", broken)
    resources._explanation_future.clear()
    at = _upload(open_page("analyze"), "noshap.flac", short_clip)
    assert not at.exception
    assert any("explanation could not be computed" in w.value for w in at.warning)
    assert _decisions(at)  # the verdict
    assert _images(at) == REPORT_IMAGES - 1  # everything but the SHAP bars
    assert _download_labels(at)[:2] == ["Export this analysis (JSON)", "Export this analysis (CSV)"]
    monkeypatch.undo()  # SHAP works again: a failure is not kept, the next run explains
    at.run()
    assert not at.exception and not at.warning
    assert _images(at) == REPORT_IMAGES


def _texts(at) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption])


def test_sample_picker_shows_label_provenance_credit_and_recorded_answer(open_page):
    samples = list_samples()
    assert samples and samples[0].record is not None  # shipped with their recorded answers
    at = open_page("analyze")
    at.radio[0].set_value(SAMPLE).run()
    assert not at.exception
    first = samples[0]
    assert at.selectbox(key="analyze-sample").value == str(first.path)
    shown = _texts(at)
    label = f"**Label: {md_escape(first.emotion)}** — {md_escape(first.provenance)}"
    assert label in shown
    assert md_escape(first.credit) in shown
    assert md_escape(record_text(first, first.record.model_version)) in shown
    assert "labelled by a person from a composer's title or a mood word" in shown
    assert "The model's recorded answers on all samples" in [e.label for e in at.expander]
    table = at.dataframe[0].value
    assert list(table["model said"]) == [s.record.decision for s in samples]

    synthetic = next(s for s in samples if s.group == SYNTHETIC)
    at.selectbox(key="analyze-sample").set_value(str(synthetic.path)).run()
    assert not at.exception
    shown = _texts(at)
    assert f"**Made to be: {md_escape(synthetic.emotion)}** — " in shown
    assert md_escape("design intention, not a listener's rating") in shown
