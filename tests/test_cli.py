import io
import subprocess
import sys

import pandas as pd

from turkmood.cli import main
from turkmood.constants import DATA_PATH, PROJECT_DIR
from turkmood.data import load_training_data
from turkmood.model import predict_features


def test_predict_table_writes_the_results_csv(tmp_path):
    out = tmp_path / "res.csv"
    assert main(["predict-table", str(DATA_PATH), "--out", str(out), "--features"]) == 0
    res = pd.read_csv(out)
    assert len(res) == 400
    expected = predict_features(pd.read_csv(DATA_PATH).drop(columns="Class"))
    assert res["predicted"].tolist() == expected["predicted"].tolist()
    assert res["error"].isna().all()
    assert "_Tempo_Mean" in res.columns


def test_predict_table_bad_csv_is_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    load_training_data().X.drop(columns="_RMSenergy_Mean").head(3).to_csv(bad, index=False)
    assert main(["predict-table", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "error: 1 feature column(s) missing: '_RMSenergy_Mean'" in err
    assert "Traceback" not in err


def test_module_entry_point_runs_as_a_process():
    proc = subprocess.run(
        [sys.executable, "-m", "turkmood", "predict-table", str(DATA_PATH)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert len(pd.read_csv(io.StringIO(proc.stdout))) == 400
