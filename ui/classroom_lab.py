"""The What-if lab of the Classroom page: sliders, live prediction, reset and nearest flip."""

from __future__ import annotations

import time
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from turkmood.explain import ModelExplainer, explain
from turkmood.glossary import feature_info, format_value
from turkmood.model import LoadedModel
from turkmood.plots import probability_bar, shap_bar
from turkmood.whatif import SliderRange, nearest_flip, predict_rows, with_changes
from ui.classroom_presenter import chart
from ui.text import decision_detail, decision_text

#: Session-state keys of the lab.
SAMPLE_KEY = "cl-sample"
TAB_KEY = "cl-tab"
FLIP_MESSAGE_KEY = "cl-flip-message"
LATENCY_KEY = "cl-latency-ms"
#: Slider resolution: steps across the slider's range.
SLIDER_STEPS = 400


def slider_key(sample: int | str, feature: str) -> str:
    """Session-state key of one slider (one set of sliders per starting song)."""
    return f"cl-{sample}-{feature}"


def bounds(r: SliderRange, base_value: float) -> tuple[float, float]:
    """Slider bounds: the training range, widened to include the song's own value."""
    return min(r.low, float(base_value)), max(r.high, float(base_value))


def current_changes(sample: int | str, ranges: Mapping[str, SliderRange]) -> dict[str, float]:
    """The slider values of ``sample`` now in session state."""
    state = st.session_state
    return {
        f: float(state[slider_key(sample, f)]) for f in ranges if slider_key(sample, f) in state
    }


def _reset(sample: int | str, base: pd.Series, ranges: Mapping[str, SliderRange]) -> None:
    for f in ranges:
        st.session_state[slider_key(sample, f)] = float(base[f])
    st.session_state.pop(FLIP_MESSAGE_KEY, None)


def _jump(
    model: LoadedModel, sample: int | str, base: pd.Series, ranges: Mapping[str, SliderRange]
) -> None:
    row = with_changes(base, current_changes(sample, ranges)).iloc[0]
    flip = nearest_flip(model, row, ranges)
    if flip is None:
        st.session_state[FLIP_MESSAGE_KEY] = (
            "No change of the slider features inside the training range flips this prediction."
        )
        return
    moves = []
    for f, v in flip.changes.items():
        st.session_state[slider_key(sample, f)] = float(v)
        info = feature_info(f)
        moves.append(f"{info.label} → {format_value(v, info.unit)}")
    st.session_state[FLIP_MESSAGE_KEY] = (
        f"Nearest other emotion: {', '.join(moves)} ({flip.distance_z:.2f} training SDs) turns "
        f"{flip.from_class} into {flip.to_class}."
    )


def sliders(sample: int | str, base: pd.Series, ranges: Mapping[str, SliderRange]) -> None:
    """One slider per feature, in real units, its training range in the help text."""
    columns = st.columns(2)
    for i, (f, r) in enumerate(ranges.items()):
        key = slider_key(sample, f)
        if key not in st.session_state:
            st.session_state[key] = float(base[f])
        low, high = bounds(r, base[f])
        info = feature_info(f)
        columns[i % 2].slider(
            f"{info.label} ({f})",
            min_value=low,
            max_value=high,
            step=(high - low) / SLIDER_STEPS,
            key=key,
            help=(
                f"{info.meaning}. Training range {format_value(r.low, info.unit)} – "
                f"{format_value(r.high, info.unit)}; this song: "
                f"{format_value(float(base[f]), info.unit)}."
            ),
        )


def buttons(
    model: LoadedModel, sample: int | str, base: pd.Series, ranges: Mapping[str, SliderRange]
) -> None:
    """Reset and 'nearest other emotion' buttons."""
    left, right = st.columns(2)
    left.button(
        "Reset to the song's values",
        on_click=_reset,
        args=(sample, base, ranges),
        icon=":material/restart_alt:",
        key="cl-reset",
    )
    right.button(
        "Jump to the nearest other emotion",
        on_click=_jump,
        args=(model, sample, base, ranges),
        icon=":material/alt_route:",
        key="cl-jump",
    )
    message = st.session_state.get(FLIP_MESSAGE_KEY)
    if message:
        st.info(message)


def live_result(
    model: LoadedModel,
    explainer: ModelExplainer,
    base: pd.Series,
    changes: Mapping[str, float],
) -> pd.Series:
    """Prediction and SHAP bars of the modified song; returns the predicted row."""
    t0 = time.perf_counter()
    before, row = (r for _, r in predict_rows(model, base, [{}, changes]).iterrows())
    t1 = time.perf_counter()
    explanation = explain(explainer, with_changes(base, changes), str(row["predicted"]))
    t2 = time.perf_counter()
    st.session_state[LATENCY_KEY] = (1000 * (t1 - t0), 1000 * (t2 - t1))
    left, right = st.columns([2, 3])
    with left:
        st.markdown(f"Decision now: **{decision_text(row)}**")
        st.caption(decision_detail(row))
        st.markdown(f"Decision at the song's own values: **{decision_text(before)}**")
        chart(probability_bar(row, title="Probabilities now"), key="cl-proba")
    with right:
        top = explanation.top()
        chart(
            shap_bar(
                [feature_info(f).label for f in top["feature"]],
                top["shap"],
                list(top["feature"]),
                explanation.target,
                explanation.units,
            ),
            key="cl-shap",
        )
    st.caption(
        f"Updated in {1000 * (t1 - t0):.0f} ms (model) + {1000 * (t2 - t1):.0f} ms (SHAP, "
        f"{explainer.kind} explainer); no audio is re-analysed."
    )
    return row
