import pandas as pd
import pytest

from turkmood.constants import CLASSES, DATA_PATH, FEATURE_NAMES
from turkmood.data import (
    file_sha256,
    load_training_data,
    training_row_numbers,
    validate_training_frame,
)
from turkmood.errors import TableError

README_SHA256 = "8df80318735ee45123f7dfd5201927a6404836332dc80d733d30a7250856030c"


def test_bundled_table_matches_published_hash():
    # The hash printed in the dataset README beside every copy.
    assert file_sha256(DATA_PATH) == README_SHA256
    assert "CC BY 4.0" in (DATA_PATH.parent / "README.md").read_text()


def test_load_deduplicates_and_validates():
    data = load_training_data()
    raw = pd.read_csv(DATA_PATH)
    assert data.n_raw_rows == len(raw) == 400
    assert data.n_duplicates_removed == raw.duplicated().sum() > 0
    assert len(data.X) == 400 - data.n_duplicates_removed
    assert list(data.X.columns) == list(FEATURE_NAMES)
    assert not data.X.duplicated().any()
    assert set(data.y) == set(CLASSES)
    assert data.sha256 == README_SHA256


def test_training_row_numbers_are_the_csv_rows_counted_from_one():
    data = load_training_data()
    raw = pd.read_csv(DATA_PATH)
    numbers = training_row_numbers()
    assert len(numbers) == len(data.X) and numbers[0] == 1
    assert numbers == sorted(set(numbers))
    assert numbers[-1] == len(raw)  # the last CSV row is kept, numbered as Analyze does
    for i, n in enumerate(numbers):
        assert (
            raw.iloc[n - 1][list(FEATURE_NAMES)].astype(float).tolist() == data.X.iloc[i].tolist()
        )
        assert raw.iloc[n - 1]["Class"] == data.y.iloc[i]
    assert any(n != i + 1 for i, n in enumerate(numbers))  # duplicates shift the numbering


def _frame():
    return pd.read_csv(DATA_PATH).head(8)


def test_validate_rejects_missing_column():
    with pytest.raises(TableError, match="_Tempo_Mean"):
        validate_training_frame(_frame().drop(columns="_Tempo_Mean"))


def test_validate_rejects_unknown_label():
    df = _frame()
    df.loc[0, "Class"] = "melancholy"
    with pytest.raises(TableError, match="melancholy"):
        validate_training_frame(df)


def test_validate_rejects_non_numeric():
    df = _frame().astype({"_RMSenergy_Mean": object})
    df.loc[1, "_RMSenergy_Mean"] = "loud"
    with pytest.raises(TableError, match="_RMSenergy_Mean"):
        validate_training_frame(df)
