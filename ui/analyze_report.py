"""The Analyze page's report of one song: verdict, why, pictures, circumplex, export."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import PurePath

import pandas as pd
import streamlit as st

from turkmood.analysis_export import analysis_csv, analysis_json
from turkmood.analyze import Analysis
from turkmood.chart_png import circumplex_png, probability_png, shap_png
from turkmood.circumplex import valence_arousal
from turkmood.constants import CIRCUMPLEX_POSITIONS, CLASSES, SHAP_TOP_FEATURES
from turkmood.explain import Explanation, reason_lines, summary_sentence
from turkmood.glossary import FAMILIES, describe, family_rows, feature_info
from turkmood.picture_png import AudioPictures
from turkmood.plots import timeline_chart
from ui.analyze_resources import explanation_future
from ui.page_timing import phase
from ui.resources import SongResult
from ui.text import decision_detail, decision_text, md_escape


def show_png(data: bytes) -> None:
    """A report picture, sent as the PNG it is: with the default ``output_format="auto"``
    Streamlit re-encodes an image without transparency as JPEG (blurring its text, ~5 ms)."""
    st.image(data, width="stretch", output_format="PNG")


def verdict(name: str, analysis: Analysis) -> None:
    """Decision (never a bare argmax below the threshold), key numbers and probability bar."""
    track = analysis.track.iloc[0]
    st.markdown(f"#### {md_escape(name)}")
    left, right = st.columns([2, 3])
    with left:
        st.markdown(f"Decision: **{decision_text(track)}**")
        st.caption(decision_detail(track))
        a, b, c = st.columns(3)
        a.metric("Confidence", f"{float(track['confidence']):.2f}")
        b.metric("Duration", f"{analysis.duration_s:.1f} s")
        c.metric(
            "Windows",
            f"{len(analysis.timeline)}",
            help=(
                "back-to-back 30 s windows (the last one ends with the song); "
                "the song's verdict is their mean probability"
            ),
        )
        st.caption(f"Model `{analysis.model_version}`")
    with right:
        show_png(probability_png({c: float(track[c]) for c in CLASSES}))


def caveats(analysis: Analysis) -> None:
    """Out-of-distribution warning with the most-off features, imputed features, notes."""
    if analysis.is_ood:
        rep = analysis.ood[analysis.representative_window]
        values = analysis.track_features
        off = [f for f in rep.out_of_range] + [
            f for f, _ in rep.most_off if f not in rep.out_of_range
        ]
        lines = []
        for feature in off[:5]:
            z = dict(rep.most_off).get(feature)
            where = (
                "outside the training range" if feature in rep.out_of_range else "far from typical"
            )
            zt = (
                f", {abs(z):.1f} typical spreads {'above' if z > 0 else 'below'} the median"
                if z
                else ""
            )
            lines.append(f"- {describe(feature, values[feature])} ({where}{zt})")
        st.warning(
            "**This recording is unlike the songs the model was trained on** (out of "
            f"distribution: distance {rep.distance:.1f} > threshold {rep.threshold:.1f}). "
            "Treat the prediction with caution. Most unusual:\n\n" + "\n".join(lines)
        )
    imputed = sorted({f for window in analysis.imputed for f in window})
    if imputed:
        names = ", ".join(feature_info(f).label for f in imputed)
        st.info(
            "MIRtoolbox leaves these features undefined for this audio, so the training median "
            f"was used: {names}."
        )
    for note in analysis.notes:
        st.info(note)


def _start_explanation(analysis: Analysis, model_name: str) -> Future[Explanation]:
    """The SHAP explanation, started on a background thread (a failed future if it cannot)."""
    try:
        return explanation_future(model_name, analysis.track_features, analysis.predicted)
    except Exception as exc:  # noqa: BLE001 - the verdict must stay visible whatever SHAP does
        failed: Future[Explanation] = Future()
        failed.set_exception(exc)
        return failed


def _explanation(pending: Future[Explanation]) -> Explanation | None:
    try:
        return pending.result()
    except Exception as exc:  # noqa: BLE001 - the verdict must stay visible whatever SHAP does
        st.warning(f"The explanation could not be computed for this model: {md_escape(exc)}")
        return None


def why(analysis: Analysis, explanation: Explanation | None) -> None:
    """SHAP bars of the top features with plain names and units, a summary and a glossary."""
    st.subheader(f"Why {analysis.predicted}?")
    if explanation is None:
        return
    top = explanation.top(SHAP_TOP_FEATURES)
    st.markdown(summary_sentence(explanation))
    labels = [feature_info(f).label for f in top["feature"]]
    show_png(shap_png(labels, top["shap"], explanation.target, explanation.units))
    st.markdown("\n".join(f"- {md_escape(line)}" for line in reason_lines(explanation)))
    method = {
        "tree": "exact tree SHAP",
        "linear": "linear SHAP",
        "kernel": "Kernel SHAP on the model's probabilities (sampled, fixed seed)",
    }[explanation.kind]
    window = ""
    if len(analysis.timeline) > 1:
        row = analysis.timeline.iloc[analysis.representative_window]
        window = (
            f" The features are those of the window {row['start_s']:.0f}–{row['end_s']:.0f} s, "
            "whose probabilities are closest to the song's verdict."
        )
    st.caption(
        f"SHAP values ({method}) for {explanation.target}, in {explanation.units} units: "
        f"starting from the average model output {explanation.base_value:.2f}, the bars add up "
        f"to this song's {explanation.output:.2f}.{window}"
    )
    glossary()


def glossary() -> None:
    """The feature families in classroom language, then every feature's plain name."""
    with st.expander("Glossary: what do these features mean?"):
        for title, text in FAMILIES.values():
            st.markdown(f"**{title}.** {text}")
        st.dataframe(pd.DataFrame(family_rows()), hide_index=True, width="stretch")


def pictures(drawn: AudioPictures | None, analysis: Analysis) -> None:
    """Waveform, mel spectrogram and (for songs longer than one window) the timeline."""
    st.subheader("Listen and look")
    if drawn is None:
        st.info("The pictures could not be drawn for this audio; the verdict above stands.")
    else:
        show_png(drawn.waveform)
        show_png(drawn.spectrogram)
    if len(analysis.timeline) > 1:
        track = analysis.track.iloc[0]
        st.plotly_chart(
            timeline_chart(
                analysis.timeline,
                title="Emotion over the song (dotted: the song's verdict)",
                track={c: float(track[c]) for c in CLASSES},
            ),
            width="stretch",
            key="analyze-timeline",
        )


def circumplex(analysis: Analysis) -> None:
    """The song on Russell's valence–arousal plane, derived from the four probabilities."""
    track = analysis.track.iloc[0]
    probabilities = {c: float(track[c]) for c in CLASSES}
    point = valence_arousal(probabilities)
    st.subheader("Valence and arousal")
    left, right = st.columns([3, 2])
    with left:
        show_png(circumplex_png(point.valence, point.arousal, CIRCUMPLEX_POSITIONS, probabilities))
    with right:
        st.markdown(
            f"This song sits at valence **{point.valence:+.2f}**, arousal "
            f"**{point.arousal:+.2f}**: {point.describe()}."
        )
        st.caption(
            "Derived from the four-class output, not measured separately: each emotion has a "
            "corner of Russell's circumplex (happy = pleasant and energetic, angry = "
            "unpleasant and energetic, sad = unpleasant and calm, relax = pleasant and calm) "
            "and the star is their average weighted by the probabilities. An undecided "
            "prediction lands near the centre."
        )


def export(name: str, analysis: Analysis, explanation: Explanation | None) -> None:
    """Download buttons for the JSON and CSV export of this analysis."""
    stem = PurePath(name).stem or "analysis"
    left, right = st.columns(2)
    left.download_button(
        "Export this analysis (JSON)",
        data=analysis_json(name, analysis, explanation),
        file_name=f"turkmood_{stem}.json",
        mime="application/json",
        key="analyze-export-json",
        icon=":material/download:",
        on_click="ignore",
    )
    right.download_button(
        "Export this analysis (CSV)",
        data=analysis_csv(name, analysis, explanation),
        file_name=f"turkmood_{stem}.csv",
        mime="text/csv",
        key="analyze-export-csv",
        icon=":material/download:",
        on_click="ignore",
    )


def features_table(analysis: Analysis) -> None:
    """The 50 raw features of every window, for the curious."""
    with st.expander(f"The 50 features of each window ({len(analysis.timeline)})"):
        st.dataframe(analysis.features, width="stretch")


def report(name: str, result: SongResult, model_name: str) -> Explanation | None:
    """The whole song report; returns the explanation (None if it failed) for the feedback.

    The SHAP explanation runs on a background thread from the start; its section keeps its
    place under the verdict and is filled in once the pictures and the valence-arousal view
    are drawn.
    """
    analysis = result.analysis
    pending = _start_explanation(analysis, model_name)
    with phase("report: verdict"):
        verdict(name, analysis)
        caveats(analysis)
    why_section = st.container()
    with phase("report: pictures (images, timeline)"):
        pictures(result.pictures, analysis)
    with phase("report: valence-arousal"):
        circumplex(analysis)
    with why_section:
        with phase("report: waiting for the SHAP explanation"):
            explanation = _explanation(pending)
        with phase("report: why (SHAP chart, glossary)"):
            why(analysis, explanation)
    with phase("report: export (JSON, CSV)"):
        export(name, analysis, explanation)
    with phase("report: features table"):
        features_table(analysis)
    return explanation
