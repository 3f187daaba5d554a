"""Monitoring: what the model predicted in service, how fast, how sure, and the canvas alerts."""

from __future__ import annotations

import streamlit as st

from turkmood.telemetry.monitoring import current_summary
from turkmood.telemetry.monitoring_plots import per_class_over_time
from turkmood.telemetry.prediction_log import read_predictions
from ui.label_queue_view import shadow_line
from ui.monitoring_view import (
    EMPTY_MESSAGE,
    drift_section,
    latest_caption,
    metrics_row,
    show_alerts,
    sources_table,
)

st.title("Monitoring")
st.caption(
    "Built from the prediction log: every prediction made on Analyze, by the CLI, by batch "
    "runs or through the API, with its latency, decision and features."
)

summary = current_summary()
if summary.n_predictions == 0:
    st.info(EMPTY_MESSAGE, icon=":material/info:")
    st.stop()

latest_caption(summary)
metrics_row(summary)
shadow_line(read_predictions())

st.subheader("Alerts")
show_alerts(summary.alerts)

st.subheader("Predictions over time")
st.plotly_chart(per_class_over_time(summary.per_class, summary.bucket), width="stretch")

st.subheader("Per source")
st.dataframe(sources_table(summary.sources), hide_index=True, width="stretch")

st.subheader("Input drift")
drift_section(summary.drift)

st.subheader("Latest predictions")
st.dataframe(summary.latest, hide_index=True, width="stretch")
