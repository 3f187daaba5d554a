"""Drawing the Monitoring summary: metrics row, alerts, tables (formatting only, no figures)."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from turkmood.constants import DRIFT_FDR, MONITOR_TOP_DRIFT_FEATURES, PSI_MODERATE
from turkmood.drift.stats import display_name
from turkmood.telemetry.alerts import ALERT, OK, Alert
from turkmood.telemetry.monitoring import ALL_SOURCES, DriftCheck, MonitoringSummary
from ui.text import md_escape

#: How predictions reach the log, shown while it is empty.
EMPTY_MESSAGE = (
    "No predictions logged yet. Predictions appear here once you analyse a clip on the "
    "Analyze page, run `python -m turkmood predict`, or call the API."
)
_ALERT_TITLES = {"latency": "Latency", "drift": "Input drift", "quality": "Quality on feedback"}


def _share(value: float) -> str:
    return "—" if not math.isfinite(value) else f"{100 * value:.1f} %"


def _seconds(value: float) -> str:
    return "—" if not math.isfinite(value) else f"{value:.2f} s"


def metrics_row(summary: MonitoringSummary) -> None:
    """Predictions, review share, OOD rate and latency p50/p95 over all sources."""
    row = summary.sources.loc[ALL_SOURCES]
    cols = st.columns(5)
    cols[0].metric("Predictions", f"{summary.n_predictions}")
    cols[1].metric("Sent to review", _share(row["review_share"]))
    cols[2].metric("Out of distribution", _share(row["ood_rate"]))
    cols[3].metric("Latency p50", _seconds(row["latency_p50_s"]))
    cols[4].metric("Latency p95", _seconds(row["latency_p95_s"]))


def show_alerts(alerts: tuple[Alert, ...]) -> None:
    """One box per rule: red when it fires, green when it holds, yellow when it cannot be judged."""
    for alert in alerts:
        text = f"{_ALERT_TITLES.get(alert.rule, alert.rule)}: {alert.message}"
        if alert.status == ALERT:
            st.error(text, icon=":material/error:")
        elif alert.status == OK:
            st.success(text, icon=":material/check_circle:")
        else:
            st.warning(text, icon=":material/help:")


def sources_table(sources: pd.DataFrame) -> pd.DataFrame:
    """The per-source figures as display strings."""
    return pd.DataFrame(
        {
            "source": sources.index,
            "predictions": sources["n"].to_numpy(),
            "sent to review": [_share(v) for v in sources["review_share"]],
            "out of distribution": [_share(v) for v in sources["ood_rate"]],
            "latency p50": [_seconds(v) for v in sources["latency_p50_s"]],
            "latency p95": [_seconds(v) for v in sources["latency_p95_s"]],
        }
    )


def drift_table(drift: DriftCheck, top: int = MONITOR_TOP_DRIFT_FEATURES) -> pd.DataFrame:
    """The ``top`` features with the largest PSI, rounded for reading."""
    table = drift.table.head(top)
    return pd.DataFrame(
        {
            "feature": [display_name(f) for f in table.index],
            "PSI": table["psi"].round(3).to_numpy(),
            "PSI level": table["psi_level"].to_numpy(),
            "KS p (BH-adjusted)": table["ks_p_adj"].map(lambda p: f"{p:.2g}").to_numpy(),
            "drifted": ["yes" if d else "no" for d in table["drifted"]],
            "training mean": table["reference_mean"].round(4).to_numpy(),
            "recent mean": table["sample_mean"].round(4).to_numpy(),
        }
    )


def drift_section(drift: DriftCheck) -> None:
    """The drift rule in words and the top-feature table (or why there is none)."""
    st.caption(
        f"The last {drift.n_rows} distinct clips against the training table. A feature drifted "
        f"when its Benjamini-Hochberg adjusted KS p-value is below {DRIFT_FDR} and its PSI is at "
        f"least {PSI_MODERATE}."
    )
    if drift.table is None:
        st.info("Too few recent clips with features for a drift test yet.")
        return
    st.dataframe(drift_table(drift), hide_index=True, width="stretch")


def latest_caption(summary: MonitoringSummary) -> None:
    """When the log starts and ends, and the newest clip (its name escaped)."""
    newest = summary.latest.iloc[0]
    st.caption(
        f"{summary.n_predictions} predictions from {summary.first_utc:%Y-%m-%d %H:%M} to "
        f"{summary.last_utc:%Y-%m-%d %H:%M} UTC. Newest: {md_escape(newest['clip_name'])} "
        f"({md_escape(newest['source'])})."
    )
