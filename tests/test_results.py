import io

import pandas as pd

from turkmood.constants import CLASSES, FEATURE_NAMES
from turkmood.decision import decide
from turkmood.results import RESULT_COLUMNS, results_frame, to_csv_bytes


def _preds():
    probs = pd.DataFrame([[0.9, 0.05, 0.03, 0.02], [0.3, 0.3, 0.2, 0.2]], columns=list(CLASSES))
    return decide(probs)


def test_schema_and_errors_in_their_rows():
    frame = results_frame(["a.wav", "b.wav"], _preds(), "m@1", errors=[None, "not audio"])
    assert tuple(frame.columns) == RESULT_COLUMNS
    assert list(frame.columns[:4]) == ["file", "status", "decision", "error"]  # read first
    assert frame["error"].tolist() == ["", "not audio"]
    # a failed row shows its reason and status, never a stale or None decision
    assert frame["status"].tolist() == ["accepted", "failed"]
    assert frame["decision"].tolist() == ["happy", ""]
    assert frame["predicted"].tolist() == ["happy", ""]


def test_status_is_the_column_to_filter_on():
    frame = results_frame(["a.wav", "b.wav"], _preds(), "m@1")
    assert frame["status"].tolist() == ["accepted", "review"]
    assert frame["decision"].tolist() == ["happy", "review — between happy and sad"]


def test_features_are_appended_on_request():
    feats = pd.DataFrame([[0.0] * 50, [1.0] * 50], columns=list(FEATURE_NAMES))
    frame = results_frame(["a", "b"], _preds(), "m@1", features=feats)
    assert list(frame.columns) == [*RESULT_COLUMNS, *FEATURE_NAMES]


def test_csv_neutralises_formula_injection():
    names = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "plain.wav"]
    probs = pd.DataFrame([[0.25] * 4] * 5, columns=list(CLASSES))
    frame = results_frame(names, decide(probs), "m@1")
    back = pd.read_csv(io.BytesIO(to_csv_bytes(frame)))
    assert back["file"].tolist() == ["'" + n for n in names[:4]] + ["plain.wav"]
    assert back["p_happy"].tolist() == [0.25] * 5
