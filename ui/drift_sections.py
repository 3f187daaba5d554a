"""Sections of the Drift page: controls, summary, details, comparison, audio, own data, metadata."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from turkmood.constants import (
    CLASSES,
    DRIFT_EXCERPT_S,
    DRIFT_FDR,
    FEATURE_NAMES,
    IMPACT_GAIN,
    IMPACT_REFERENCE,
    PSI_BINS,
    PSI_MAJOR,
    PSI_MODERATE,
)
from turkmood.drift.audio import AudioScenarioConfig
from turkmood.drift.audio_score import AudioDriftResult
from turkmood.drift.evaluate import (
    ScenarioResult,
    TableDriftResult,
    fill_like_imputer,
    summary_frame,
    worst_scenario,
)
from turkmood.drift.holdout import Holdout
from turkmood.drift.plots import (
    audio_shift_bars,
    metric_bars,
    overlay_histogram,
    prediction_share_bars,
    psi_heatmap,
)
from turkmood.drift.scenarios import TableScenarioConfig
from turkmood.drift.stats import DRIFT_COLUMNS, display_name
from turkmood.plots import confusion_heatmap
from ui.text import md_escape

#: Excerpt lengths (s) offered for audio-level drift.
EXCERPT_CHOICES_S = (5.0, 10.0, 20.0, 30.0)
#: Most-drifted features drawn as histograms per scenario.
TOP_FEATURES = 3
RULE = (
    f"A feature counts as **drifted** when its KS test stays significant after the "
    f"Benjamini-Hochberg correction over the 50 features (FDR {DRIFT_FDR:g}) **and** its PSI "
    f"is at least {PSI_MODERATE:g} (PSI ≥ {PSI_MAJOR:g} is a major shift)."
)
#: Shown in place of a value that does not exist (never "None" or "nan").
MISSING = "—"
#: Plain-language help for the drift statistics (the expander and the column tooltips).
PSI_HELP = (
    "Population stability index: how much a feature's distribution moved. The training values "
    f"are cut into {PSI_BINS} equal-count bins and the share of songs per bin is compared. "
    f"0 = same spread; below {PSI_MODERATE:g} stable, {PSI_MODERATE:g}–{PSI_MAJOR:g} moderate, "
    f"above {PSI_MAJOR:g} a major shift."
)
KS_HELP = (
    "Kolmogorov–Smirnov distance D: the largest gap between the two cumulative distributions "
    "(0 = identical, 1 = no overlap at all)."
)
KS_P_HELP = (
    "KS p-value: how likely a gap this large is by chance alone if nothing had changed. Small = "
    "unlikely to be chance."
)
FDR_HELP = (
    "p-value after the Benjamini–Hochberg correction. Testing 50 features at once makes a few "
    f"small p-values appear by luck; the correction keeps the expected share of false alarms "
    f"among the features flagged at {DRIFT_FDR:g} (the false discovery rate, FDR)."
)
GLOSSARY = (
    f"- **PSI** — {PSI_HELP}\n"
    f"- **KS D** — {KS_HELP}\n"
    f"- **KS p** — {KS_P_HELP}\n"
    f"- **FDR / KS p (BH)** — {FDR_HELP}\n"
    "- **pp** — percentage points: 85.6 % → 82.5 % is −3.1 pp."
)


def dash(value: object, fmt: str) -> str:
    """``value`` formatted with ``fmt`` (``"{:+.1f}"``), or ``—`` when it is None or NaN."""
    if value is None:
        return MISSING
    try:
        if pd.isna(value):
            return MISSING
    except (TypeError, ValueError):
        pass
    return fmt.format(value)


def table_controls() -> TableScenarioConfig:
    """Sliders for the table scenarios (inside an expander)."""
    with st.expander("Scenario intensities (feature table)", expanded=False):
        a, b, c = st.columns(3)
        mean = a.slider("Mean shift (+% of each value)", 0, 100, 30, 5, key="drift-mean") / 100
        var = b.slider("Variance factor", 1.0, 3.0, 1.5, 0.1, key="drift-var")
        missing = c.slider("Missing cells (%)", 0, 50, 10, 5, key="drift-missing") / 100
        d, e, f = st.columns(3)
        cmean = d.slider("Combined: mean shift (%)", 0, 100, 20, 5, key="drift-cmean") / 100
        cvar = e.slider("Combined: variance factor", 1.0, 3.0, 1.3, 0.1, key="drift-cvar")
        cout = f.slider("Combined: outlier rows (%)", 0, 30, 5, 1, key="drift-cout") / 100
        g, h = st.columns(2)
        cls = g.selectbox("Imbalance: dominant emotion", CLASSES, key="drift-imb-class")
        share = h.slider("Imbalance: its share (%)", 25, 100, 70, 5, key="drift-imb-share") / 100
        features = st.multiselect(
            "Features changed by mean shift, variance and combined (empty = all 50)",
            FEATURE_NAMES,
            key="drift-features",
            format_func=display_name,
        )
    return TableScenarioConfig(
        mean_shift=mean,
        variance_factor=var,
        combined_mean_shift=cmean,
        combined_variance_factor=cvar,
        combined_outlier_share=cout,
        missing_share=missing,
        imbalance_class=cls,
        imbalance_share=share,
        features=tuple(features) or FEATURE_NAMES,
    )


def summary_view(result: TableDriftResult) -> pd.DataFrame:
    """The executive-summary table: Δ and changed share as text, ``—`` where there is none
    (the baseline, the resampled class-imbalance rows)."""
    view = summary_frame(result)
    view["drifted_features"] = [f"{n} of {len(FEATURE_NAMES)}" for n in view["drifted_features"]]
    view["delta_accuracy_pp"] = [dash(v, "{:+.1f}") for v in view["delta_accuracy_pp"]]
    view["predictions_changed"] = [dash(v, "{:.0%}") for v in view["predictions_changed"]]
    return view.drop(columns=["rows"])


def executive_summary(result: TableDriftResult, holdout: Holdout) -> None:
    """One line per scenario and a sentence naming the scenario that hurts most."""
    st.header("Executive summary")
    base = result.get("baseline")
    worst = worst_scenario(result)
    n = base.n_rows
    st.markdown(
        f"Baseline: the model, refitted without the **{n} held-out songs**, gets "
        f"**{base.accuracy:.1%}** of them right (macro-F1 {base.macro_f1:.3f}). "
        f"One song is {100 / n:.1f} percentage points (pp)."
    )
    if worst.delta_pp < 0:
        st.markdown(
            f"**Hurts most: {worst.title}** — accuracy {worst.accuracy:.1%} "
            f"({worst.delta_pp:+.1f} pp, **{worst.impact}**), {worst.n_drifted} of "
            f"{len(FEATURE_NAMES)} features drifted."
        )
    else:
        st.markdown("**No scenario lowers the accuracy** at these intensities.")
    st.dataframe(
        summary_view(result),
        hide_index=True,
        width="stretch",
        column_config={
            "scenario": "Scenario",
            "impact": st.column_config.TextColumn(
                "Impact",
                help="Losses: LOW < 1 pp, MEDIUM 1–3, HIGH 3–5, CRITICAL > 5 pp. "
                f"{IMPACT_GAIN}: at least 1 pp gained. The baseline is the {IMPACT_REFERENCE}.",
            ),
            "accuracy": st.column_config.NumberColumn("Accuracy", format="%.3f"),
            "delta_accuracy_pp": st.column_config.TextColumn(
                "Δ accuracy (pp)", help="Accuracy minus the baseline's, in percentage points."
            ),
            "macro_f1": st.column_config.NumberColumn("Macro-F1", format="%.3f"),
            "drifted_features": "Drifted features",
            "predictions_changed": st.column_config.TextColumn(
                "Predictions changed",
                help="Share of held-out songs whose predicted emotion differs from the baseline "
                f"({MISSING} for the baseline itself and for class imbalance, whose rows are "
                "resampled).",
            ),
        },
    )
    st.caption(
        "Impact is signed: a loss of accuracy is rated by its size (LOW < 1 pp either way, "
        f"MEDIUM 1–3, HIGH 3–5, CRITICAL > 5 pp lost); a gain of 1 pp or more is {IMPACT_GAIN} — "
        "class imbalance can raise accuracy when the over-represented emotion is an easy one. "
        f"The baseline is the {IMPACT_REFERENCE} the others are compared with, so it has no "
        "rating, Δ or changed share of its own. "
        + RULE
        + " The baseline row's drifted features compare the held-out split with the training "
        f"part: its PSI values show the noise floor of {n} vs {len(holdout.X_train)} rows. "
        "Blanked cells are compared after the training-median fill the model applies, so the "
        "missing-values scenario can cost accuracy while few features test as drifted."
    )
    with st.expander("How to read PSI, KS and FDR", expanded=False):
        st.markdown(GLOSSARY)


def _feature_view(s: ScenarioResult) -> pd.DataFrame:
    view = s.features.sort_values("psi", ascending=False).reset_index()
    view["feature"] = view["feature"].map(display_name)
    return view[["feature", *(c for c in DRIFT_COLUMNS if c != "reference_sd")]]


def top_features(table: pd.DataFrame, k: int = TOP_FEATURES) -> list[str]:
    """Drifted features with the largest PSI; the largest PSI overall if none drifted."""
    drifted = table[table["drifted"]]
    source = drifted if not drifted.empty else table
    return list(source.sort_values("psi", ascending=False).index[:k])


def histograms(
    reference: pd.DataFrame, sample: pd.DataFrame, table: pd.DataFrame, label: str
) -> None:
    """Overlaid training-vs-sample histograms of the most drifted features, side by side."""
    names = top_features(table)
    for col, name in zip(st.columns(len(names)), names, strict=True):
        col.plotly_chart(
            overlay_histogram(reference[name], sample[name], name, label), width="stretch"
        )


def detailed(result: TableDriftResult, holdout: Holdout) -> None:
    """Per scenario: PSI/KS table, histograms of the most drifted features, confusion matrix."""
    st.header("Detailed")
    titles = {s.key: s.title for s in result.scenarios}
    keys = list(titles)
    key = st.selectbox(
        "Scenario",
        keys,
        index=keys.index(worst_scenario(result).key),
        format_func=titles.get,
        key="drift-scenario",
        help="Preselected: the scenario that hurts most.",
    )
    s = result.get(key)
    base = result.get("baseline")
    st.markdown(f"**{s.title}** — {s.description}")
    is_base = s.key == base.key
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(
        "Accuracy",
        f"{s.accuracy:.1%}",
        None if is_base else f"{s.delta_pp:+.1f} pp ({s.impact})",
        delta_color="normal",
        help="The baseline is the reference the other scenarios are compared with."
        if is_base
        else "Change against the baseline, in percentage points, and its impact rating.",
    )
    m2.metric(
        "Macro-F1", f"{s.macro_f1:.3f}", None if is_base else f"{s.macro_f1 - base.macro_f1:+.3f}"
    )
    m3.metric("Drifted features", f"{s.n_drifted} of {len(FEATURE_NAMES)}")
    m4.metric(
        "Predictions changed",
        MISSING if is_base else dash(s.changed_share, "{:.0%}"),
        help="Not defined for the baseline itself nor for class imbalance (rows resampled).",
    )
    st.dataframe(
        _feature_view(s),
        hide_index=True,
        width="stretch",
        height=280,
        column_config={
            "feature": "Feature",
            "psi": st.column_config.NumberColumn("PSI", format="%.3f", help=PSI_HELP),
            "psi_level": st.column_config.TextColumn("PSI level", help=PSI_HELP),
            "ks_stat": st.column_config.NumberColumn("KS D", format="%.3f", help=KS_HELP),
            "ks_p": st.column_config.NumberColumn("KS p", format="%.2e", help=KS_P_HELP),
            "ks_p_adj": st.column_config.NumberColumn("KS p (BH)", format="%.2e", help=FDR_HELP),
            "drifted": st.column_config.CheckboxColumn("Drifted", help=RULE.replace("**", "")),
            "reference_mean": st.column_config.NumberColumn("training mean", format="%.4g"),
            "sample_mean": st.column_config.NumberColumn("scenario mean", format="%.4g"),
        },
    )
    st.caption(RULE + " Missing cells are filled with the training median (as the model does).")
    histograms(holdout.X_train, fill_like_imputer(s.X, holdout.X_train), s.features, s.title)
    left, right = st.columns(2)
    left.plotly_chart(
        confusion_heatmap(s.confusion, CLASSES, f"Confusion matrix — {s.title}"), width="stretch"
    )
    right.plotly_chart(
        prediction_share_bars(base.prediction_shares, s.prediction_shares, s.title),
        width="stretch",
    )


def comparison(result: TableDriftResult) -> None:
    """All scenarios side by side: accuracy / macro-F1 bars and the PSI heat map."""
    st.header("Comparison")
    st.plotly_chart(metric_bars(summary_frame(result)), width="stretch")
    psi = pd.DataFrame({s.title: s.features["psi"] for s in result.scenarios})
    st.plotly_chart(psi_heatmap(psi), width="stretch")
    st.caption(
        "PSI colours: white–yellow below 0.1 (stable), orange–pink 0.1–0.25 (moderate), red above "
        "0.25 (major; capped at 1 for the colours, hover shows the value). The baseline column is "
        "sampling noise alone: the unchanged held-out split already has a median PSI of "
        f"{result.get('baseline').features['psi'].median():.2f}."
    )


def audio_controls() -> tuple[AudioScenarioConfig, int, float, bool]:
    """Sliders for the audio transforms, number of clips, excerpt length and the run toggle."""
    with st.expander("Audio transform intensities", expanded=False):
        a, b, c, d = st.columns(4)
        snr = a.slider("Noise SNR (dB)", 0, 40, 10, 5, key="drift-snr")
        cutoff = b.slider("Low-pass cut-off (Hz)", 1000, 16000, 3000, 500, key="drift-lowpass")
        gain = c.slider("Gain (dB)", -30, 12, -12, 3, key="drift-gain")
        rate = d.slider("Tempo factor", 0.7, 1.3, 1.15, 0.05, key="drift-tempo")
        e, f = st.columns(2)
        n_clips = e.slider("Sample clips", 1, 10, 4, 1, key="drift-clips")
        excerpt_s = f.select_slider(
            "Excerpt length (s)",
            EXCERPT_CHOICES_S,
            value=DRIFT_EXCERPT_S,
            key="drift-excerpt",
            help="The training excerpts were 30 s long; shorter excerpts are quicker to analyse "
            "but give noisier features.",
        )
    run = st.toggle(
        "Run audio-level drift on the sample clips",
        key="drift-audio-run",
        help="Re-extracts the 50 features of every clip for every transform "
        "(about half a second per clip and transform; results are cached).",
    )
    config = AudioScenarioConfig(
        snr_db=float(snr), lowpass_hz=float(cutoff), gain_db=float(gain), tempo_rate=float(rate)
    )
    return config, int(n_clips), float(excerpt_s), run


def audio_summary(audio: AudioDriftResult) -> pd.DataFrame:
    """One row per audio transform."""
    return pd.DataFrame(
        [
            {
                "transform": s.key,
                "setting": s.title,
                "predictions_changed": s.changed_share,
                "mean_probability_shift": s.mean_probability_shift,
                "mean_abs_shift_sd": s.mean_abs_shift_sd,
                "accuracy": s.accuracy,
                "delta_accuracy_pp": s.delta_pp,
                "impact": s.impact,
            }
            for s in audio.scenarios
        ]
    )


def audio_view(summary: pd.DataFrame) -> pd.DataFrame:
    """The audio table as shown: accuracy and Δ as text, ``—`` where not defined."""
    view = summary.copy()
    view["accuracy"] = [dash(v, "{:.2f}") for v in view["accuracy"]]
    view["delta_accuracy_pp"] = [dash(v, "{:+.0f}") for v in view["delta_accuracy_pp"]]
    view["impact"] = [MISSING if v == "n/a" else v for v in view["impact"]]
    return view


def audio_section(audio: AudioDriftResult) -> None:
    """Results of the audio transforms on the sample clips."""
    n = len(audio.clip_names)
    st.markdown(
        f"{n} sample clip{'s' if n != 1 else ''} ({audio.excerpt_s:g} s central excerpts, "
        "synthetic, one per emotion first); unchanged they are predicted right "
        f"{audio.original_accuracy:.0%} of the time. Each transformed clip is compared with "
        "itself unchanged: PSI/KS on a handful of clips would mostly measure noise."
    )
    for key, reason in audio.skipped.items():
        st.warning(f"Skipped {key}: {md_escape(reason)}")
    summary = audio_summary(audio)
    st.dataframe(
        audio_view(summary),
        hide_index=True,
        width="stretch",
        column_config={
            "transform": "Transform",
            "setting": "Setting",
            "predictions_changed": st.column_config.NumberColumn(
                "Predictions changed", format="percent"
            ),
            "mean_probability_shift": st.column_config.NumberColumn(
                "Mean probability shift",
                format="%.3f",
                help="Total-variation distance between the probabilities before and after (0-1).",
            ),
            "mean_abs_shift_sd": st.column_config.NumberColumn(
                "Mean |feature shift| (training SDs)", format="%.2f"
            ),
            "accuracy": st.column_config.TextColumn("Accuracy vs intended emotion"),
            "delta_accuracy_pp": st.column_config.TextColumn("Δ accuracy (pp)"),
            "impact": "Impact",
        },
    )
    st.plotly_chart(audio_shift_bars(summary), width="stretch")
    moved = pd.DataFrame({s.title: s.features["mean_abs_shift_sd"] for s in audio.scenarios})
    moved.index = [display_name(f) for f in moved.index]
    with st.expander("Per-feature shift (training SDs) and per-clip predictions"):
        st.dataframe(moved.round(2), width="stretch", height=300)
        clips = pd.concat([s.clips.assign(transform=s.title) for s in audio.scenarios])
        st.dataframe(clips, hide_index=True, width="stretch")


def metadata_section(meta: dict) -> None:
    """Model version, data hash, split sizes, seeds, thresholds, timestamp."""
    st.header("Metadata")
    split = meta["split"]
    rows = {
        "Model": meta["model"],
        "Model version": meta["model_version"],
        "Evaluated model": meta["evaluated_model"],
        "Training data sha256": meta["data_sha256"],
        "Split (stratified)": f"{split['train']} training rows / {split['held_out']} held out "
        f"({split['held_out_share']:.0%})",
        "Seed (split, fit and scenarios)": str(meta["seed"]),
        "PSI": f"{meta['psi']['bins']} quantile bins of the training part; empty bins floored "
        f"at {meta['psi']['empty_bin_floor']:g}",
        "Drifted feature": meta["drifted_feature_rule"],
        "Computed at (UTC)": meta["created_at"],
    }
    st.dataframe(
        pd.DataFrame({"item": list(rows), "value": list(rows.values())}),
        hide_index=True,
        width="stretch",
    )
