"""README's model table: the same models, order and numbers (both named ECE figures) as the
Model card page, read from models/metrics.json."""

from __future__ import annotations

import json
import re
from pathlib import Path

from turkmood.constants import ECE_PER_FOLD_LABEL, ECE_POOLED_LABEL, METRICS_PATH

README = Path(__file__).resolve().parents[1] / "README.md"


def _pm(entry: dict) -> str:
    return f"{entry['mean']:.3f} ± {entry['std']:.3f}"


def test_readme_model_table_names_both_ece_figures_and_matches_metrics_json():
    metrics = json.loads(METRICS_PATH.read_text())
    text = README.read_text()
    header = f"| model | accuracy | macro F1 | {ECE_PER_FOLD_LABEL} | {ECE_POOLED_LABEL} |"
    assert header in text
    lines = text[text.index(header) :].splitlines()[2:]
    rows = [line for line in lines[: len(metrics["models"])] if line.startswith("| `")]
    assert len(rows) == len(metrics["models"])
    names = []
    for line in rows:
        cells = [c.strip() for c in line.strip("|").split("|")]
        name = re.match(r"`([^`]+)`", cells[0]).group(1)
        names.append(name)
        entry = metrics["models"][name]
        assert cells[1:] == [
            _pm(entry["accuracy"]),
            _pm(entry["macro_f1"]),
            _pm(entry["ece"]),
            _pm(entry["ece_pooled_oof"]),
        ]
    f1s = [metrics["models"][n]["macro_f1"]["mean"] for n in names]
    assert f1s == sorted(f1s, reverse=True)  # sorted like the page
    assert "ECE (pooled) |" not in text  # the old, single unnamed-definition column
