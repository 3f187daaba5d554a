import io

import numpy as np
import pandas as pd
import pytest

from turkmood.constants import DATA_PATH, FEATURE_NAMES
from turkmood.errors import TableError
from turkmood.tables import read_feature_table


def _csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode()


@pytest.fixture()
def good() -> pd.DataFrame:
    return pd.read_csv(DATA_PATH).head(5)


def test_reads_bundled_format(good):
    table = read_feature_table(_csv(good))
    assert list(table.features.columns) == list(FEATURE_NAMES)
    np.testing.assert_allclose(table.features.to_numpy(), good[list(FEATURE_NAMES)].to_numpy())
    assert table.meta["Class"].tolist() == good["Class"].tolist()
    assert table.notices == []


def test_accepts_path_and_file_like(good, tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(_csv(good))
    assert len(read_feature_table(path).features) == 5
    assert len(read_feature_table(io.BytesIO(_csv(good))).features) == 5


def test_missing_columns_are_named(good):
    with pytest.raises(
        TableError, match=r"2 feature column\(s\) missing: '_Tempo_Mean', '_MFCC_Mean_3'"
    ):
        read_feature_table(_csv(good.drop(columns=["_MFCC_Mean_3", "_Tempo_Mean"])))


def test_extra_columns_are_ignored_with_a_notice(good):
    good["mood_by_hand"] = 1
    table = read_feature_table(_csv(good))
    assert table.notices == ["ignored extra column(s): 'mood_by_hand'"]


def test_duplicated_columns_are_refused(good):
    dup = pd.concat([good, good[["_Tempo_Mean"]]], axis=1)
    with pytest.raises(TableError, match="duplicated columns: '_Tempo_Mean.1'"):
        read_feature_table(_csv(dup))


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("loud", "non-numeric values in column\\(s\\) '_RMSenergy_Mean'"),
        ("", "missing values \\(NaN\\) in column\\(s\\) '_RMSenergy_Mean'"),
        ("inf", "infinite values in column\\(s\\) '_RMSenergy_Mean'"),
        ("NaN", "missing values \\(NaN\\) in column\\(s\\) '_RMSenergy_Mean'"),
        ("-inf", "infinite values in column\\(s\\) '_RMSenergy_Mean'"),
    ],
)
def test_bad_cells_are_named(good, cell, message):
    good = good.astype({"_RMSenergy_Mean": object})
    good.loc[2, "_RMSenergy_Mean"] = cell
    with pytest.raises(TableError, match=message):
        read_feature_table(_csv(good))


@pytest.mark.parametrize("data", [b"", b"   \n", b",".join(f.encode() for f in FEATURE_NAMES)])
def test_empty_inputs(data):
    with pytest.raises(TableError, match="empty|no rows"):
        read_feature_table(data)


def test_binary_garbage_is_a_table_error():
    with pytest.raises(TableError):
        read_feature_table(bytes(range(256)) * 4)
