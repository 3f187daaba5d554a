"""Model card: the numbers on the page are the numbers in models/metrics.json."""

from __future__ import annotations

import base64
import json

import numpy as np

from tests.pages.apptest_helpers import texts
from turkmood.constants import (
    CRITERION_LABELS,
    ECE_PER_FOLD_LABEL,
    ECE_POOLED_LABEL,
    METRICS_PATH,
)


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
        # two ECE figures, each named for how it is computed
        assert row[ECE_PER_FOLD_LABEL] == _pm(entry["ece"])
        assert row[ECE_POOLED_LABEL] == _pm(entry["ece_pooled_oof"])
    # rows sorted by macro F1, best first
    names = [n.removesuffix(" (default)") for n in summary["model"]]
    f1s = [metrics["models"][n]["macro_f1"]["mean"] for n in names]
    assert f1s == sorted(f1s, reverse=True)
    assert f"{default} (default)" in list(summary["model"])

    shown = {m.label: m.value for m in at.metric}
    assert shown["Accuracy"] == _pm(metrics["models"][default]["accuracy"])
    assert shown["Macro F1"] == _pm(metrics["models"][default]["macro_f1"])
    assert shown[ECE_PER_FOLD_LABEL] == _pm(metrics["models"][default]["ece"])
    assert shown[ECE_POOLED_LABEL] == _pm(metrics["models"][default]["ece_pooled_oof"])
    assert not any(m.label.startswith("ECE (") for m in at.metric)

    criteria = at.dataframe[1].value
    recorded = [k for k in metrics["deployment_criteria"] if k != "all_met"]
    # human names, in the fixed order, never the metrics.json keys
    assert list(criteria["criterion"]) == [CRITERION_LABELS[k] for k in CRITERION_LABELS]
    assert not any("_" in c for c in criteria["criterion"])
    criteria = criteria.set_index("criterion")
    for name in recorded:
        check = metrics["deployment_criteria"][name]
        label = CRITERION_LABELS[name]
        assert criteria.loc[label, "measured"] == f"{check['value']:.3f}"
        assert criteria.loc[label, "met"] == ("yes" if check["met"] else "no")
    if not metrics["deployment_criteria"]["all_met"]:
        # "not deployable as is" comes with what it means for a user's result
        warning = next(w.value for w in at.warning if "not deployable as is" in w.value)
        assert "What this means for your result" in warning
        f1 = metrics["models"][default]["per_class_f1"]
        worst = min(f1, key=f1.get)
        assert f"above all a *{worst}*" in warning
        threshold = metrics["decision_threshold"]
        assert f"{threshold['accuracy_accepted']:.0%} of those were right" in warning
    assert ECE_POOLED_LABEL in texts(at)  # the caption defines both ECE figures

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
