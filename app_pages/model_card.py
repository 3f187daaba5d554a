"""Model card: cross-validated quality of the shipped models, read from models/metrics.json."""

from __future__ import annotations

import streamlit as st

from turkmood.constants import ECE_PER_FOLD_LABEL, ECE_POOLED_LABEL, METRICS_PATH
from turkmood.errors import ModelError
from turkmood.plots import confusion_heatmap, per_class_f1_bar, reliability_diagram
from ui.card import (
    ECE_HELP,
    confusion,
    deployment_consequence,
    deployment_table,
    format_mean_std,
    per_class_f1,
    summary_table,
)
from ui.lineage_view import champion_lineage
from ui.resources import (
    bundled_sha256,
    get_metrics,
    get_model_card_text,
    selected_model_name,
)
from ui.text import md_escape

st.title("Model card")
try:
    metrics = get_metrics()
except ModelError as exc:
    st.error(f"No metrics to show: {md_escape(exc)}")
    st.stop()

models = metrics.get("models") or {}
default = metrics.get("default_model")
selected = selected_model_name()
if selected not in models:
    selected = default
st.caption(
    f"Numbers come from `{METRICS_PATH.name}`, written by training: mean ± std over repeated "
    "stratified cross-validation on the bundled table."
)

champion_lineage()

st.subheader("All models")
st.dataframe(
    summary_table(metrics),
    hide_index=True,
    width="stretch",
    column_config={"model": st.column_config.TextColumn("model", width="medium")},
)
st.caption("Sorted by macro F1, best first. " + ECE_HELP)

if selected in models:
    entry = models[selected]
    label = f"{selected} (default)" if selected == default else selected
    st.subheader(f"Selected model: {label}")
    if entry.get("description"):
        st.caption(str(entry["description"]))
    a, b, c, d = st.columns(4)
    a.metric("Accuracy", format_mean_std(entry.get("accuracy")))
    b.metric(
        "Macro F1",
        format_mean_std(entry.get("macro_f1")),
        help="The F1 score of each emotion (balance of missed and wrongly claimed songs), "
        "averaged over the four emotions.",
    )
    c.metric(
        ECE_PER_FOLD_LABEL,
        format_mean_std(entry.get("ece")),
        help="Calibration error on each test fold of about 39 songs, averaged over the folds.",
    )
    d.metric(
        ECE_POOLED_LABEL,
        format_mean_std(entry.get("ece_pooled_oof")),
        help="Calibration error over all out-of-fold predictions of a repeat at once, "
        "averaged over the repeats: the better estimate for the app's probabilities.",
    )
    normalised = (
        st.radio(
            "Confusion matrix cells",
            ["share of the true class", "counts summed over all folds"],
            horizontal=True,
            key="card-cm-kind",
        )
        == "share of the true class"
    )
    left, right = st.columns(2)
    cm = confusion(entry, normalised=normalised)
    with left:
        if cm is None:
            st.info("No confusion matrix recorded for this model.")
        else:
            matrix, labels = cm
            st.plotly_chart(
                confusion_heatmap(matrix, labels, title="Confusion matrix (cross-validated)"),
                width="stretch",
            )
    f1 = per_class_f1(entry)
    with right:
        if f1:
            st.plotly_chart(per_class_f1_bar(f1, title="F1 per emotion"), width="stretch")
        else:
            st.info("No per-class F1 recorded for this model.")
else:
    st.warning("metrics.json lists no models.")

reliability = metrics.get("reliability_diagram") or {}
if reliability.get("bins"):
    st.subheader(f"Calibration — model {reliability.get('model', default)}")
    st.plotly_chart(
        reliability_diagram(reliability["bins"], title="Reliability diagram"), width="stretch"
    )
    st.caption(
        f"{reliability.get('n_bins', len(reliability['bins']))} equal-width confidence bins over "
        f"{reliability.get('source', 'out-of-fold predictions')}; marker size ~ predictions per "
        "bin. Points below the diagonal mean over-confidence."
    )

st.subheader(f"Deployment criteria — default model {default}")
criteria = deployment_table(metrics)
if criteria is None or criteria.empty:
    st.info("metrics.json records no deployment criteria.")
else:
    st.dataframe(criteria, hide_index=True, width="stretch")
    consequence = deployment_consequence(metrics)
    if consequence is None:
        st.success("All deployment criteria are met.")
    else:
        st.warning(
            "Not all deployment criteria are met, so the default model is not deployable as is "
            "(not fit for unattended use). " + consequence
        )

target = metrics.get("target") or {}
if "accuracy_and_macro_f1" in target:
    st.markdown(
        f"Quality target (accuracy and macro F1 ≥ {float(target['accuracy_and_macro_f1']):.2f}, "
        f"default model): **{'met' if target.get('met') else 'not met'}**."
    )

st.subheader("Data and protocol")
cv = metrics.get("cv") or {}
if cv:
    st.markdown(
        f"Evaluation: {cv.get('scheme', 'cross-validation')}, {cv.get('folds', '?')} folds × "
        f"{cv.get('repeats', '?')} repeats; std over folds ({cv.get('std', 'see metrics.json')})."
    )
if "n_rows_used" in metrics:
    counts = metrics.get("class_counts") or {}
    st.markdown(
        f"Rows used: {metrics['n_rows_used']} "
        f"({metrics.get('n_duplicates_removed', '?')} exact duplicates removed from "
        f"{metrics.get('n_rows_raw', '?')}); per class: "
        + ", ".join(f"{c} {n}" for c, n in counts.items())
    )
recorded = metrics.get("data_sha256")
current = bundled_sha256()
st.markdown(f"Training data sha256 (recorded): `{recorded or 'not recorded'}`")
if recorded and recorded != current:
    st.warning(
        f"The bundled table's sha256 is `{current}`, which differs from the one the models "
        "were trained on."
    )
elif recorded:
    st.caption("Matches the bundled turkmood/data/Acoustic_Features.csv.")

text = get_model_card_text()
with st.expander("MODEL_CARD.md", expanded=False):
    if text:
        st.markdown(text)
    else:
        st.info("models/MODEL_CARD.md has not been written yet.")
