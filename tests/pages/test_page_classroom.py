"""Classroom page (AppTest): what-if sliders, nearest other emotion, model comparison."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pytest

from turkmood.constants import (
    CLASSES,
    DATA_PATH,
    ECE_PER_FOLD_LABEL,
    ECE_POOLED_LABEL,
    FEATURE_NAMES,
    METRICS_PATH,
)
from turkmood.data import load_training_data, training_row_numbers
from turkmood.explain import build_explainer, explain
from turkmood.whatif import predict_row, slider_ranges
from ui.classroom_lab import FLIP_MESSAGE_KEY, LATENCY_KEY, SAMPLE_KEY, TAB_KEY, slider_key
from ui.classroom_plots import PRESENTER_BG, PRESENTER_FG
from ui.classroom_presenter import PRESENTER_KEY

#: The page starts from the first training song (index 0, shown as "Training row 1").
SAMPLE = 0


def _probabilities(at) -> dict[str, float]:
    """Class probabilities drawn in the lab's probability chart (its first chart)."""
    bar = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    return dict(zip(bar["y"], bar["x"], strict=True))


def _slider_values(at) -> dict[str, float]:
    """Feature -> value of every what-if slider on the page."""
    return {s.key.split(f"cl-{SAMPLE}-", 1)[1]: float(s.value) for s in at.slider}


def _open_tab(at, label: str):
    """Switch the page to tab ``label`` (only the open tab's content runs)."""
    at.session_state[TAB_KEY] = label
    return at.run()


@pytest.fixture(scope="module")
def data():
    return load_training_data()


def test_slider_moves_probability_in_the_direction_shap_says(open_page, default_model, data):
    at = open_page("classroom")
    assert not at.exception, at.exception
    assert at.selectbox(key=SAMPLE_KEY).value == SAMPLE
    base = data.X.iloc[SAMPLE]
    shown = _probabilities(at)
    assert shown == pytest.approx(predict_row(default_model, base, {})[list(CLASSES)].to_dict())
    target = max(shown, key=shown.get)

    # the slider feature that SHAP says pushes hardest toward (or away from) the top class
    sliders = list(_slider_values(at))
    assert len(sliders) == 8
    table = explain(build_explainer(default_model, data.X), base, target).table
    effects = table.set_index("feature").loc[sliders, "shap"]
    feature = effects.abs().idxmax()
    # taking the feature to the training mean removes most of its effect: the probability of
    # the top class must move against the sign of its SHAP value
    mean = slider_ranges(data.X, [feature])[feature].mean
    at.slider(key=slider_key(SAMPLE, feature)).set_value(mean).run()
    assert not at.exception, at.exception
    moved = _probabilities(at)
    assert moved == pytest.approx(
        predict_row(default_model, base, {feature: mean})[list(CLASSES)].to_dict()
    )
    assert np.sign(moved[target] - shown[target]) == -np.sign(effects[feature]) != 0

    model_ms, shap_ms = at.session_state[LATENCY_KEY]
    print(f"update latency: model {model_ms:.0f} ms, SHAP {shap_ms:.0f} ms")

    # reset brings every slider back to the song's own values
    at.button(key="cl-reset").click().run()
    assert _slider_values(at) == pytest.approx(base[sliders].to_dict())
    assert _probabilities(at) == pytest.approx(shown)


def test_nearest_other_emotion_really_flips_the_prediction(open_page, default_model, data):
    at = open_page("classroom")
    before = _probabilities(at)
    at.button(key="cl-jump").click().run()
    assert not at.exception, at.exception
    assert "Nearest other emotion" in at.session_state[FLIP_MESSAGE_KEY]
    values = _slider_values(at)
    base = data.X.iloc[SAMPLE]
    changed = {f: v for f, v in values.items() if v != pytest.approx(base[f])}
    assert changed, "the jump changed no slider"
    after = _probabilities(at)
    assert max(after, key=after.get) != max(before, key=before.get)
    # independent check: the model itself, fed the slider values, picks another emotion
    again = predict_row(default_model, base, values)
    assert again["predicted"] != predict_row(default_model, base, {})["predicted"]
    assert at.info[0].value == at.session_state[FLIP_MESSAGE_KEY]


def test_comparison_metrics_equal_metrics_json(open_page):
    at = open_page("classroom")
    assert not at.dataframe  # the lab opens first: the comparison tab has not run
    _open_tab(at, "Model comparison")
    metrics = json.loads(METRICS_PATH.read_text())
    assert len(at.dataframe) == 1
    shown = at.dataframe[0].value
    f1s = list(shown["macro F1"])
    assert f1s == sorted(f1s, reverse=True)  # best first, as on the Model card
    table = shown.set_index("model")
    assert set(table.index) == set(metrics["models"])
    for name, entry in metrics["models"].items():
        row = table.loc[name]
        assert row["accuracy"] == round(entry["accuracy"]["mean"], 3)
        assert row["macro F1"] == round(entry["macro_f1"]["mean"], 3)
        # the two ECE figures, named as on the Model card and in the README
        assert row[ECE_PER_FOLD_LABEL] == round(entry["ece"]["mean"], 3)
        assert row[ECE_POOLED_LABEL] == round(entry["ece_pooled_oof"]["mean"], 3)
        for c in CLASSES:
            assert row[f"F1 {c}"] == round(entry["per_class_f1"][c], 3)
    charts = {c.proto.id: json.loads(c.proto.spec) for c in at.get("plotly_chart")}
    bins = [b for b in metrics["reliability_diagram"]["bins"] if b["count"]]
    accuracies = [b["accuracy"] for b in bins]
    reliability = [
        trace
        for spec in charts.values()
        for trace in spec["data"]
        if trace.get("y") is not None and list(trace["y"]) == pytest.approx(accuracies)
    ]
    assert reliability, "no chart shows the reliability bins of metrics.json"

    # presenter mode injects the projector CSS
    at.toggle(key="cl-presenter").set_value(True).run()
    assert any("stSidebar" in m.value and "display: none" in m.value for m in at.markdown)


def test_presenter_mode_draws_dark_charts_and_visible_help_icons(open_page):
    at = open_page("classroom")
    _open_tab(at, "Dataset explorer")
    at.toggle(key=PRESENTER_KEY).set_value(True).run()
    assert not at.exception, at.exception
    css = next(m.value for m in at.markdown if "stSidebar" in m.value)
    assert '[data-testid="stTooltipIcon"] svg' in css  # help icons get a light colour
    assert f"stroke: {PRESENTER_FG}" in css
    charts = at.get("plotly_chart")
    assert len(charts) >= 3  # the explorer's map, feature-by-emotion and importance charts
    for c in charts:
        layout = json.loads(c.proto.spec)["layout"]
        assert layout["paper_bgcolor"] == PRESENTER_BG, c.proto.id
        assert layout["plot_bgcolor"] == PRESENTER_BG
        assert layout["font"]["color"] == PRESENTER_FG
        assert c.proto.theme == ""  # not Streamlit's light chart theme, which paints it white
    at.toggle(key=PRESENTER_KEY).set_value(False).run()
    for c in at.get("plotly_chart"):
        assert json.loads(c.proto.spec)["layout"].get("paper_bgcolor") != PRESENTER_BG
        assert c.proto.theme == "streamlit"


def test_training_songs_are_numbered_from_one_as_on_analyze(open_page, data):
    at = open_page("classroom")
    picker = at.selectbox(key=SAMPLE_KEY)
    assert picker.options[0] == f"Training row 1 (labelled {data.y.iloc[0]})"
    assert not any(o.startswith("Training song 0") for o in picker.options)
    # after an exact duplicate the number is still the CSV row, as Analyze's "row N" is
    raw = pd.read_csv(DATA_PATH)
    numbers = training_row_numbers()
    i = next(i for i, n in enumerate(numbers) if n != i + 1)
    assert picker.options[i] == f"Training row {numbers[i]} (labelled {data.y.iloc[i]})"
    assert raw.iloc[numbers[i] - 1][list(FEATURE_NAMES)].astype(float).tolist() == (
        data.X.iloc[i].tolist()
    )


def test_a_bundled_model_uses_the_ranking_computed_at_train_time(open_page, default_model):
    from turkmood.precomputed import precomputed_ranking, read_classroom
    from ui.classroom_resources import _prepared

    _prepared.clear()  # as on a fresh server: nothing computed in this process yet
    at = open_page("classroom")
    assert not at.exception, at.exception
    assert len(at.status) == 0  # nothing to rank live: no "first load" status
    shipped = precomputed_ranking(read_classroom(), default_model)
    sliders = list(_slider_values(at))
    assert set(sliders) == set(shipped.index[: len(sliders)])


def test_first_load_says_what_it_is_computing(open_page, monkeypatch, request):
    import ui.classroom_resources as resources

    # a model with no ranking shipped (a registry version): computed live, with a status
    monkeypatch.setattr(resources, "read_classroom", lambda: None)
    resources._shipped.clear()
    request.addfinalizer(resources._shipped.clear)  # later tests read the real file again
    resources._prepared.clear()  # as on a fresh server: nothing prepared for the model yet
    at = open_page("classroom")
    assert not at.exception, at.exception
    assert len(at.status) == 1
    status = at.status[0]
    assert status.state == "complete"
    assert status.label.startswith("Classroom ready for model ")
    steps = "\n".join(m.value for m in status.markdown)
    assert "Building the SHAP explainer" in steps
    assert "Ranking the 50 features" in steps
    at.run()  # prepared now: later runs go straight to the page
    assert len(at.status) == 0


def test_starts_from_the_song_analysed_on_the_analyze_page(open_page, default_model):
    from turkmood.analyze import analyze
    from ui.analyze_samples import list_samples

    samples = list_samples()
    if not samples:
        pytest.skip("no sample clips are bundled")
    at = open_page("analyze")
    at.radio[0].set_value("Pick a sample clip").run()
    assert not at.exception, at.exception
    at.switch_page("app_pages/classroom.py").run()
    assert not at.exception, at.exception
    picker = at.selectbox(key=SAMPLE_KEY)
    assert picker.options[0].startswith("The song analysed on the Analyze page: ")
    song_id = picker.value
    assert isinstance(song_id, str) and song_id.startswith("song-")
    expected = analyze(samples[0].path, default_model).track_features
    sliders = {s.key.split(f"cl-{song_id}-", 1)[1]: float(s.value) for s in at.slider}
    assert sliders
    for feature, value in sliders.items():
        assert value == pytest.approx(float(expected[feature]), rel=1e-6, abs=1e-9)


def _n_points(values) -> int:
    """Length of a plotly data array (plain list, or typed array serialised as base64)."""
    if isinstance(values, dict):
        return len(np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]))
    return len(values)


def test_explorer_switches_to_a_tsne_map_with_the_song_on_it(open_page, data):
    at = open_page("classroom")
    _open_tab(at, "Dataset explorer")
    at.radio(key="cl-map").set_value("t-SNE").run()
    assert not at.exception, at.exception
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    maps = [s for s in specs if "t-SNE" in str(s["layout"].get("title", ""))]
    assert len(maps) == 1
    traces = maps[0]["data"]
    assert sum(_n_points(t["x"]) for t in traces if t["name"] in CLASSES) == len(data.X)
    star = next(t for t in traces if t["name"] == "this song")
    assert _n_points(star["x"]) == 1


def test_only_the_open_tab_runs_and_the_demo_is_made_when_its_tab_opens(open_page):
    at = open_page("classroom")
    assert at.slider  # the what-if lab, the first tab
    assert not at.get("audio") and not at.metric  # the demonstration tab has not run
    _open_tab(at, "Hear the feature")
    assert not at.exception, at.exception
    assert len(at.get("audio")) == 2  # the same melody twice
    assert len(at.metric) == 2 and all(m.label.startswith("Measured ") for m in at.metric)
    assert not at.slider  # the lab's sliders are not drawn while its tab is closed
