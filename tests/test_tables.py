import io

import numpy as np
import pandas as pd
import pytest

from turkmood import tables
from turkmood.constants import DATA_PATH, FEATURE_NAMES
from turkmood.errors import TableError
from turkmood.tables import read_feature_table, validate_features


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


# --- chunked reading ------------------------------------------------------------------------


@pytest.fixture()
def small_chunks(monkeypatch) -> int:
    """Chunks of 4 rows, so a 10-row table is read in three chunks."""
    monkeypatch.setattr(tables, "TABLE_CHUNK_ROWS", 4)
    return 4


@pytest.fixture()
def ten() -> pd.DataFrame:
    return pd.read_csv(DATA_PATH, dtype=str, keep_default_na=False).head(10)


def test_chunked_read_equals_the_table(small_chunks, ten, tmp_path):
    data = _csv(ten.assign(comment="x"))
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    for source in (data, path, io.BytesIO(data)):
        table = read_feature_table(source)
        np.testing.assert_array_equal(
            table.features.to_numpy(), ten[list(FEATURE_NAMES)].to_numpy(dtype=float)
        )
        assert table.features.dtypes.eq(np.float64).all()
        assert table.meta["Class"].tolist() == ten["Class"].tolist()
        assert table.notices == ["ignored extra column(s): 'comment'"]


@pytest.mark.parametrize("row", [0, 3, 4, 9])  # first/last row of the first chunk, later chunks
@pytest.mark.parametrize(
    ("cell", "message"),
    [("loud", "non-numeric values"), ("", r"missing values \(NaN\)")],
)
def test_bad_cell_in_any_chunk_names_its_data_row(small_chunks, ten, row, cell, message):
    ten.loc[row, "_Tempo_Mean"] = cell
    with pytest.raises(TableError, match=rf"{message} in column\(s\) '_Tempo_Mean' "):
        read_feature_table(_csv(ten))
    with pytest.raises(TableError, match=rf"\(data rows \[{row + 1}\]\)"):
        read_feature_table(_csv(ten))


def test_infinite_value_in_a_later_chunk_is_refused(small_chunks, ten):
    ten.loc[9, "_Rolloff_Mean"] = "1e999"
    with pytest.raises(TableError, match=r"infinite values in column\(s\) '_Rolloff_Mean'"):
        read_feature_table(_csv(ten))


def test_broken_line_in_a_later_chunk_is_a_table_error(small_chunks, ten):
    lines = _csv(ten).decode().splitlines()
    lines[9] += ",1,2,3"  # data row 9 has three fields too many
    with pytest.raises(TableError, match="not a readable CSV table"):
        read_feature_table("\n".join(lines).encode())


def test_duplicated_columns_are_refused_before_any_chunk_is_converted(small_chunks, ten):
    ten.loc[6, "_Tempo_Mean"] = "loud"
    dup = pd.concat([ten, ten[["_Tempo_Mean"]]], axis=1)
    with pytest.raises(TableError, match="duplicated columns: '_Tempo_Mean.1'"):
        read_feature_table(_csv(dup))


def test_mixed_line_endings_and_quoted_newlines(small_chunks, ten):
    """More rows than counted line breaks (mixed CR/LF) and far fewer (newlines in quotes)."""
    rows = _csv(ten).decode().splitlines()
    mixed = rows[0] + "\n" + "".join(r + ("\r" if i % 2 else "\n") for i, r in enumerate(rows[1:]))
    assert read_feature_table(mixed.encode()).features.shape == (10, 50)

    named = ten.assign(name=[f"song\n\n\n{i}" for i in range(10)])
    table = read_feature_table(_csv(named))
    assert table.meta["name"].tolist() == named["name"].tolist()
    np.testing.assert_array_equal(
        table.features.to_numpy(), ten[list(FEATURE_NAMES)].to_numpy(dtype=float)
    )


def test_tables_above_the_size_limit_are_refused(monkeypatch, good, tmp_path):
    data = _csv(good)
    monkeypatch.setattr(tables, "MAX_TABLE_BYTES", len(data) - 1)
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    for source in (data, path, io.BytesIO(data)):
        with pytest.raises(TableError, match="larger than"):
            read_feature_table(source)


def test_validate_features_accepts_a_text_frame(ten):
    table = validate_features(ten.astype(str))
    assert table.features.shape == (10, 50)
    with pytest.raises(TableError, match="no rows"):
        validate_features(ten.head(0))


def _header_and_row(extra: str = "") -> str:
    from turkmood.constants import FEATURE_NAMES

    return ",".join(FEATURE_NAMES) + extra + "\n" + ",".join(["0.5"] * len(FEATURE_NAMES))


def test_absurdly_wide_tables_are_refused_from_the_header():
    from turkmood.errors import TableError
    from turkmood.tables import read_feature_table

    extra = "".join(f",x{i}" for i in range(20_000))
    with pytest.raises(TableError, match="20050 columns; at most 1000"):
        read_feature_table((_header_and_row(extra) + "\n").encode())
    with pytest.raises(TableError, match="first line is longer"):
        read_feature_table(b"a" * (300 * 1024) + b"\n1\n")


def test_duplicated_columns_are_still_named():
    from turkmood.constants import FEATURE_NAMES
    from turkmood.errors import TableError
    from turkmood.tables import read_feature_table

    with pytest.raises(TableError, match="duplicated columns"):
        read_feature_table((_header_and_row("," + FEATURE_NAMES[0]) + ",1\n").encode())


def test_blank_lines_do_not_size_the_result():
    import tracemalloc

    from turkmood.tables import read_feature_table

    data = (_header_and_row() + "\n").encode() + b"\n" * 5_000_000  # 5 M "lines", one row
    tracemalloc.start()
    try:
        table = read_feature_table(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(table.features) == 1
    assert peak < 200 * 1024**2  # sized by the line count this was 5 M x 50 x 8 B = 2 GB


def test_values_beyond_float32_are_refused():
    from turkmood.constants import FEATURE_NAMES
    from turkmood.errors import TableError
    from turkmood.tables import read_feature_table

    cells = ["0.5"] * len(FEATURE_NAMES)
    cells[3] = "1e39"
    text = ",".join(FEATURE_NAMES) + "\n" + ",".join(cells) + "\n"
    with pytest.raises(TableError, match=f"too large for the model.*{FEATURE_NAMES[3]}"):
        read_feature_table(text.encode())


@pytest.mark.parametrize(
    ("sep", "decimal", "encoding", "notice"),
    [
        (";", ",", "utf-8", "';'-separated, decimal comma"),
        ("\t", ".", "utf-8", "tab-separated"),
        (";", ".", "utf-16", "encoding utf-16, ';'-separated"),
        (",", ".", "cp1254", "encoding cp1254"),
    ],
)
def test_delimiter_decimal_and_encoding_are_sniffed(bundled_frame, sep, decimal, encoding, notice):
    from turkmood.constants import FEATURE_NAMES
    from turkmood.tables import read_feature_table

    rows = bundled_frame[list(FEATURE_NAMES)].head(3)
    table = rows.copy()
    table.insert(0, "file", ["şarkı.wav", "ığdır.mp3", "çay.flac"])
    text = table.to_csv(sep=sep, decimal=decimal, index=False)
    got = read_feature_table(text.encode(encoding))
    np.testing.assert_allclose(got.features.to_numpy(), rows.to_numpy())
    assert got.meta["file"].tolist() == ["şarkı.wav", "ığdır.mp3", "çay.flac"]
    assert notice in " ".join(got.notices)


def test_a_plain_csv_gets_no_dialect_notice(bundled_frame):
    from turkmood.constants import FEATURE_NAMES
    from turkmood.tables import read_feature_table

    text = bundled_frame[list(FEATURE_NAMES)].head(2).to_csv(index=False)
    assert read_feature_table(text.encode()).notices == []
