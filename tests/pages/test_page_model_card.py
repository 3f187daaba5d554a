"""Model card: the numbers on the page are the numbers in models/metrics.json."""

from __future__ import annotations

import base64
import json

import numpy as np

from turkmood.constants import METRICS_PATH


def _values(data) -> list:
    """Plotly JSON arrays may be plain lists or base64 typed arrays; return plain lists."""
    if isinstance(data, dict):
        array = np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"])
        if "shape" in data:
            array = array.reshape([int(n) for n in str(data["shape"]).split(",")])
        return array.tolist()
    return data


def _pm(entry: dict) -> str:
    return f"{entry['mean']:.3f} ± {entry['std']:.3f}"


def test_model_card_numbers_equal_metrics_json(open_page):
    metrics = json.loads(METRICS_PATH.read_text())
    default = metrics["default_model"]
    at = open_page("model_card")
    assert not at.exception
    assert not at.error

    summary = at.dataframe[0].value
    assert len(summary) == len(metrics["models"])
    for _, row in summary.iterrows():
        name = row["model"].removesuffix(" (default)")
        entry = metrics["models"][name]
        assert row["accuracy"] == _pm(entry["accuracy"])
        assert row["macro F1"] == _pm(entry["macro_f1"])
        assert row["ECE (lower is better)"] == _pm(entry["ece"])
    assert summary["model"].iloc[0] == f"{default} (default)"

    shown = {m.label: m.value for m in at.metric}
    assert shown["Accuracy"] == _pm(metrics["models"][default]["accuracy"])
    assert shown["Macro F1"] == _pm(metrics["models"][default]["macro_f1"])
    assert shown["ECE (calibration error)"] == _pm(metrics["models"][default]["ece"])

    criteria = at.dataframe[1].value.set_index("criterion")
    for name, check in metrics["deployment_criteria"].items():
        if name == "all_met":
            continue
        assert criteria.loc[name, "measured"] == f"{check['value']:.3f}"
        assert criteria.loc[name, "met"] == ("yes" if check["met"] else "no")

    page_text = "\n".join(m.value for m in at.markdown)
    assert metrics["data_sha256"] in page_text
    assert f"Rows used: {metrics['n_rows_used']} " in page_text
    met = "met" if metrics["target"]["met"] else "not met"
    assert f"default model): **{met}**." in page_text

    charts = [json.loads(c.proto.spec)["data"] for c in at.get("plotly_chart")]
    assert len(charts) == 3  # confusion matrix, per-class F1, reliability diagram
    heatmap, f1_bars, reliability = charts[0][0], charts[1][0], charts[2][1]
    cm = metrics["models"][default]["confusion_matrix"]
    assert heatmap["y"] == cm["labels"]
    assert _values(heatmap["z"]) == cm["row_normalised"]
    f1 = metrics["models"][default]["per_class_f1"]
    assert dict(zip(f1_bars["x"], _values(f1_bars["y"]), strict=True)) == f1

    used = [b for b in metrics["reliability_diagram"]["bins"] if b["count"]]
    assert _values(reliability["x"]) == [b["confidence"] for b in used]
    assert _values(reliability["y"]) == [b["accuracy"] for b in used]

    at.radio(key="card-cm-kind").set_value("counts summed over all folds").run()
    heatmap = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert _values(heatmap["z"]) == cm["counts_summed_over_folds"]
