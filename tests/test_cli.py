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


# --- a newcomer's first commands (#15 item 23) ------------------------------------------------


def test_version_and_help_with_examples_and_model_names(capsys):
    import pytest

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("turkmood ")
    with pytest.raises(SystemExit):
        main(["--help"])
    shown = capsys.readouterr().out
    assert "examples:" in shown and "python -m turkmood predict song.mp3" in shown
    assert "soft_vote_calibrated" in shown  # the model names one can pass to --model
    assert "``" not in shown  # no raw reStructuredText


def test_predict_without_out_prints_a_readable_verdict(tmp_path, capsys):
    from test_batch import write_clip

    song = tmp_path / "song.wav"
    write_clip(song, "mus_wesnoth_sad.flac", 3.0)
    (tmp_path / "notes.txt").write_text("not audio")
    assert main(["predict", str(song), str(tmp_path / "notes.txt"), "--quiet"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{tmp_path / 'notes.txt'}: failed — This is not a readable")
    assert lines[1].startswith(f"{song}: ") and "confidence" in lines[1] and "3.0 s" in lines[1]
    assert "wrote" not in captured.err  # no temporary CSV path shown


def test_train_refuses_to_overwrite_the_shipped_models_without_force(capsys):
    from turkmood.constants import MODELS_DIR

    before = (MODELS_DIR / "manifest.json").read_bytes()
    assert main(["train", "--quick"]) == 2
    assert "--force" in capsys.readouterr().err
    assert (MODELS_DIR / "manifest.json").read_bytes() == before


def test_app_starts_streamlit_on_the_app_with_address_port_and_extra_options(monkeypatch):
    import ui.launch

    started = {}
    monkeypatch.setattr(ui.launch, "run", lambda args: started.setdefault("args", args) and 0)
    assert main(["app", "--port", "8600", "--server.headless", "true"]) == 0
    assert started["args"] == [
        "--server.address", "127.0.0.1", "--server.port", "8600", "--server.headless", "true",
    ]  # fmt: skip


def test_app_launcher_preloads_then_warms_up_inside_streamlits_runtime(monkeypatch):
    import ui.launch
    import ui.widgets  # noqa: F401 - imported before streamlit.runtime.exists is replaced

    events = []
    monkeypatch.setattr(ui.launch, "LIBRARY_MODULES", ("json",))
    monkeypatch.setattr(ui.launch, "APP_MODULES", ("ui.widgets",))
    looks = iter([False, False, True])
    monkeypatch.setattr("streamlit.runtime.exists", lambda: events.append("look") or next(looks))
    monkeypatch.setattr(ui.launch, "RUNTIME_POLL_S", 0.0)
    monkeypatch.setattr("ui.resources.warm_up_in_background", lambda: events.append("warm"))
    ui.launch.preload()
    # the app's caches are made only once the runtime exists, then the warm-up starts
    assert events == ["look", "look", "look", "warm"]
