"""Classroom: make the model's reasoning tangible — what-if sliders, audio demos, data, models."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from turkmood.constants import METRICS_PATH
from turkmood.demos import DEMO_SPECS
from turkmood.errors import ModelError
from turkmood.plots import confusion_heatmap, feature_by_class, reliability_diagram
from turkmood.whatif import IMPORTANCE_ROWS, WHATIF_TOP_K, slider_ranges, top_features, with_changes
from ui.card import confusion
from ui.classroom_data import TSNE_NEIGHBOURS, comparison_table
from ui.classroom_lab import (
    SAMPLE_KEY,
    TAB_KEY,
    buttons,
    current_changes,
    live_result,
    sliders,
)
from ui.classroom_plots import demo_values_bar, importance_bar, label, map_scatter, pca_scatter
from ui.classroom_presenter import chart, presenter_toggle
from ui.classroom_resources import get_demo, get_projection, get_row_numbers, get_tsne, prepare
from ui.resources import get_metrics, training_data
from ui.song_state import analyzed_song
from ui.text import md_escape
from ui.widgets import current_model

st.title("Classroom")
st.caption("How a machine hears emotion: move the features, hear them, see the data.")
presenter_toggle()

model = current_model()
if model is None:
    st.stop()
data = training_data()
explainer, importance = prepare(model)
row_numbers = get_row_numbers()
features = top_features(importance, WHATIF_TOP_K)
ranges = slider_ranges(data.X, features)

# switching tabs reruns the page, so the explorer's star follows the lab's sliders
lab, hear, explore, compare = st.tabs(
    ["What-if lab", "Hear the feature", "Dataset explorer", "Model comparison"],
    key=TAB_KEY,
    on_change="rerun",
)
song = analyzed_song()  # the song analysed on the Analyze page, if any, comes first
starts: list[int | str] = ([song[0]] if song else []) + list(range(len(data.X)))


def start_label(start: int | str) -> str:
    """The picker's words for a starting song."""
    if isinstance(start, str) and song:
        return f"The song analysed on the Analyze page: {song[1]}"
    # numbered from 1 as rows of the CSV, like the Analyze page's "training row N"
    return f"Training row {row_numbers[start]} (labelled {data.y.iloc[start]})"


def chosen_start(picked: int | str | None) -> int | str:
    """The picked starting song, or the first one when it is gone (a previously analysed song
    was replaced by another one) or none was picked yet."""
    return picked if picked in starts else starts[0]


def start_values(start: int | str) -> pd.Series:
    """The 50 features of a starting song."""
    return song[2] if isinstance(start, str) and song else data.X.iloc[start]


@st.fragment
def what_if_lab() -> None:
    """The lab: a slider move reruns only this fragment (the rest of the page stays)."""
    st.caption(
        f"Model `{model.version}`. Sliders: the {WHATIF_TOP_K} features with the largest mean "
        f"|SHAP| over {IMPORTANCE_ROWS} randomly chosen training songs. Each slider spans the "
        "training range."
    )
    sample = st.selectbox(
        "Start from the analysed song or a training song", starts, format_func=start_label,
        key=SAMPLE_KEY,
    )  # fmt: skip
    sample = chosen_start(sample)
    base = start_values(sample)
    sliders(sample, base, ranges)
    buttons(model, sample, base, ranges)
    live_result(model, explainer, base, current_changes(sample, ranges))


if lab.open:  # only the open tab runs (switching tabs reruns the page)
    with lab:
        what_if_lab()
sample = chosen_start(st.session_state.get(SAMPLE_KEY))
base = start_values(sample)
changes = current_changes(sample, ranges)

if hear.open:  # only the open tab runs (switching tabs reruns the page)
    with hear:
        st.caption(
            "The same synthetic melody twice, changing one thing. The number under each clip is "
            "what our feature extractor measures on it."
        )
        key = st.radio(
            "Feature",
            [s.key for s in DEMO_SPECS],
            format_func=lambda k: next(s.title for s in DEMO_SPECS if s.key == k),
            horizontal=True,
            key="cl-demo",
        )
        demo = get_demo(key)
        a, b = st.columns(2)
        for column, clip in ((a, demo.low), (b, demo.high)):
            with column:
                st.markdown(f"**{clip.label}**")
                st.audio(clip.signal, sample_rate=clip.sr)
                st.metric(f"Measured {demo.spec.feature}", f"{clip.value:.4g}")
        chart(
            demo_values_bar(
                demo.spec.title,
                [demo.low.label, demo.high.label],
                [demo.low.value, demo.high.value],
                demo.spec.unit,
            ),
            key="cl-demo-bar",
        )

if explore.open:  # only the open tab runs (switching tabs reruns the page)
    with explore:
        kind = st.radio("Map", ["PCA", "t-SNE"], horizontal=True, key="cl-map")
        row = with_changes(base, changes)
        if kind == "PCA":
            projection = get_projection()
            figure = pca_scatter(
                projection.points, data.y, projection.place(row), projection.explained
            )
        else:
            tsne = get_tsne()
            figure = map_scatter(
                tsne.points,
                data.y,
                tsne.place(row),
                "Training songs in 2-D (t-SNE of the standardised 50 features)",
                ("t-SNE 1", "t-SNE 2"),
            )
            st.caption(
                "t-SNE keeps neighbours together but distances between clusters mean little. It "
                f"cannot place a new song without refitting, so the star sits at the weighted mean "
                f"position of the song's {TSNE_NEIGHBOURS} nearest training songs."
            )
        chart(figure, key="cl-pca")
        shown = st.selectbox(
            "Feature by emotion", features, format_func=label, key="cl-box-feature"
        )
        chart(feature_by_class(data.X, data.y, shown), key="cl-box")
        chart(importance_bar(importance, 15, features), key="cl-importance")

if compare.open:  # only the open tab runs (switching tabs reruns the page)
    with compare:
        try:
            metrics = get_metrics()
        except ModelError as exc:
            st.error(f"No metrics to show: {md_escape(exc)}")
        else:
            st.caption(
                f"Read from `{METRICS_PATH.name}` (repeated cross-validation at training time; "
                "means over folds). Nothing is recomputed here."
            )
            st.dataframe(comparison_table(metrics), hide_index=True, key="cl-comparison")
            diagram = metrics.get("reliability_diagram") or {}
            if diagram.get("bins"):
                chart(
                    reliability_diagram(
                        diagram["bins"],
                        title=f"Reliability of {diagram.get('model', 'the default')}",
                    ),
                    key="cl-reliability",
                )
            names = list(metrics.get("models") or {})
            if names:
                chosen = st.selectbox("Confusion matrix of", names, key="cl-cm-model")
                cm = confusion(metrics["models"][chosen], normalised=True)
                if cm is not None:
                    chart(
                        confusion_heatmap(cm[0], cm[1], title=f"{chosen}: share of the true class"),
                        key="cl-cm",
                    )
