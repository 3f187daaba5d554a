"""Reading and validating feature tables (CSV in the UCI column format).

Every problem becomes a :class:`~turkmood.errors.TableError` whose message names the offending
columns, so the app and the CLI can show it as is. A table is read in chunks of TABLE_CHUNK_ROWS
rows: each chunk's cells are read as text, converted to float64 and checked before the next one
is read, so memory stays close to the size of the result however long the table is.
"""

from __future__ import annotations

import codecs
import io
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from turkmood.constants import FEATURE_NAMES, LABEL_COLUMN, MODEL_MAX_ABS_VALUE
from turkmood.errors import TableError

#: Non-feature columns carried through to results when present.
META_COLUMNS: tuple[str, ...] = ("file", "name", "id", LABEL_COLUMN)
#: Cell texts read as "missing" (pandas' own NA spellings, case-insensitive).
_MISSING_TOKENS = frozenset({"", "nan", "na", "n/a", "null", "none", "<na>"})
#: Largest feature CSV accepted in one read.
MAX_TABLE_BYTES = 200 * 1024 * 1024
#: Widest table accepted (50 features plus name/label columns and some slack) and the longest
#: header line read to find that out.
MAX_TABLE_COLUMNS = 1_000
#: Fewest bytes of one data row: 50 one-digit values and 49 separators.
MIN_ROW_BYTES = 2 * len(FEATURE_NAMES) - 1
MAX_HEADER_BYTES = 256 * 1024
#: Rows read as text, converted and validated at a time (bounds the memory of text cells).
TABLE_CHUNK_ROWS = 2_500
#: Bytes read at a time when counting the lines of a table file.
_COUNT_BLOCK_BYTES = 1 << 20


@dataclass(frozen=True)
class FeatureTable:
    """Validated features (50 float columns), passthrough metadata and notices for the user."""

    features: pd.DataFrame
    meta: pd.DataFrame
    notices: list[str] = field(default_factory=list)


def _short(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _too_large() -> TableError:
    return TableError(f"feature table is larger than {MAX_TABLE_BYTES // 2**20} MB")


def _line_bound(data: bytes) -> int:
    """Line breaks in ``data`` (``\\n``, or ``\\r`` for old Mac files), to size the result."""
    return max(data.count(b"\n"), data.count(b"\r"))


def _row_bound(lines: int, size: int) -> int:
    """Most data rows a table of ``lines`` line breaks and ``size`` bytes can hold: a row of 50
    numbers takes at least MIN_ROW_BYTES, so 199 MB of blank lines bounds 2 M rows, not 200 M
    (the result block is sized from this, and only the rows read are ever written)."""
    return min(lines + 1, size // MIN_ROW_BYTES + 1)


def _count_lines(handle: BinaryIO) -> int:
    """Line breaks in a seekable binary file, read block by block; rewinds it."""
    newlines = returns = 0
    while block := handle.read(_COUNT_BLOCK_BYTES):
        newlines += block.count(b"\n")
        returns += block.count(b"\r")
    handle.seek(0)
    return max(newlines, returns)


@contextmanager
def _open_source(source: str | Path | bytes | BinaryIO) -> Iterator[tuple[BinaryIO, int]]:
    """The table as a binary stream plus an upper bound of its data rows; TableError if unusable.

    A path is streamed from disk (its size checked first); bytes are wrapped without a copy; a
    file-like object is read once (at most MAX_TABLE_BYTES + 1 bytes).
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise TableError(f"feature table {path} does not exist")
        if path.stat().st_size > MAX_TABLE_BYTES:
            raise _too_large()
        with path.open("rb") as handle:
            yield handle, _row_bound(_count_lines(handle), path.stat().st_size)
        return
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    else:
        data = source.read(MAX_TABLE_BYTES + 1)
    if len(data) > MAX_TABLE_BYTES:
        raise _too_large()
    yield io.BytesIO(data), _row_bound(_line_bound(data), len(data))


def _unreadable(exc: ValueError) -> TableError:
    if isinstance(exc, pd.errors.EmptyDataError):
        return TableError("the feature table is empty")
    return TableError(f"the file is not a readable CSV table: {exc}")


@dataclass(frozen=True)
class Dialect:
    """How a table is written: separator, decimal comma, and the encoding it was read as."""

    sep: str = ","
    decimal_comma: bool = False
    encoding: str = "utf-8"


_DECIMAL_COMMA = re.compile(rb"^\s*[-+]?\d+,\d+(?:[eE][-+]?\d+)?\s*$")


def _transcode(handle: BinaryIO) -> tuple[BinaryIO, str]:
    """The table as UTF-8 bytes: UTF-16 (with its BOM) and cp1254 (Turkish Windows, when the
    bytes are not UTF-8) are converted; UTF-8 input is returned as is."""
    head = handle.read(4)
    handle.seek(0)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, encoding = handle.read().decode("utf-16"), "utf-16"
    else:
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:  # checked block by block: a valid UTF-8 file is never held twice
            while block := handle.read(_COUNT_BLOCK_BYTES):
                decoder.decode(block)
            decoder.decode(b"", final=True)
            handle.seek(0)
            return handle, "utf-8"
        except UnicodeDecodeError:
            handle.seek(0)
            text, encoding = handle.read().decode("cp1254", errors="replace"), "cp1254"
    return io.BytesIO(text.encode("utf-8")), encoding


def _sniff(handle: BinaryIO) -> Dialect:
    """Separator from the header line (``,`` ``;`` or tab, the most frequent) and a decimal
    comma when the separator is not a comma and the first data row has ``0,5``-style cells."""
    head = handle.read(MAX_HEADER_BYTES * 2)
    handle.seek(0)
    lines = head.splitlines()
    header = lines[0] if lines else b""
    sep = max((b",", b";", b"\t"), key=header.count)
    decimal_comma = False
    if sep != b"," and len(lines) > 1:
        cells = lines[1].split(sep)
        decimal_comma = sum(bool(_DECIMAL_COMMA.match(c)) for c in cells) >= len(cells) // 2
    return Dialect(sep=sep.decode(), decimal_comma=decimal_comma)


def _check_width(handle: BinaryIO) -> None:
    """Refuse a header line longer than MAX_HEADER_BYTES or wider than MAX_TABLE_COLUMNS
    before pandas parses anything (a 3 MB header of 300 000 columns); rewinds ``handle``."""
    head = handle.read(MAX_HEADER_BYTES + 1)
    handle.seek(0)
    end = min((i for i in (head.find(b"\n"), head.find(b"\r")) if i >= 0), default=-1)
    if end < 0 and len(head) > MAX_HEADER_BYTES:
        raise TableError(
            f"the table's first line is longer than {MAX_HEADER_BYTES // 1024} KB; "
            "it is not a feature table"
        )
    header = head if end < 0 else head[:end]
    width = max(header.count(sep) for sep in (b",", b";", b"\t")) + 1
    if width > MAX_TABLE_COLUMNS:
        raise TableError(
            f"the table has {width} columns; at most {MAX_TABLE_COLUMNS} are accepted "
            "(the 50 features and a few name columns)"
        )


@contextmanager
def _csv_chunks(handle: BinaryIO, sep: str = ",") -> Iterator[Iterator[pd.DataFrame]]:
    """Chunks of TABLE_CHUNK_ROWS rows, every cell as text (the index counts data rows from 0)."""
    _check_width(handle)
    try:
        reader = pd.read_csv(
            handle, sep=sep, dtype=str, keep_default_na=False, chunksize=TABLE_CHUNK_ROWS
        )
    except ValueError as exc:  # ParserError, EmptyDataError and UnicodeDecodeError included
        raise _unreadable(exc) from exc

    def chunks() -> Iterator[pd.DataFrame]:
        try:
            yield from reader
        except ValueError as exc:
            raise _unreadable(exc) from exc

    with reader:
        yield chunks()


def _check_columns(raw_columns: pd.Index) -> tuple[list[str], list[str]]:
    """Refuse duplicated or missing feature columns; (metadata columns present, notices)."""
    columns = [str(c) for c in raw_columns]
    counts = Counter(columns)
    dupes = sorted(c for c, n in counts.items() if n > 1)
    # pandas renames duplicated headers to "name.1"; catch those too.
    dupes += sorted(
        c for c in columns if c.rsplit(".", 1)[0] in FEATURE_NAMES and c not in FEATURE_NAMES
    )
    if dupes:
        raise TableError(f"duplicated columns: {_short(dupes)}")
    missing = [c for c in FEATURE_NAMES if c not in columns]
    if missing:
        raise TableError(
            f"{len(missing)} feature column(s) missing: {_short(missing)}. "
            "The table needs the 50 columns of the UCI Turkish Music Emotion format."
        )
    extra = [c for c in columns if c not in FEATURE_NAMES and c not in META_COLUMNS]
    notices = [f"ignored extra column(s): {_short(extra)}"] if extra else []
    return [c for c in META_COLUMNS if c in columns], notices


def _chunk_values(raw: pd.DataFrame, first_row: int, decimal_comma: bool = False) -> np.ndarray:
    """The 50 feature columns of one chunk as float64 (rows x 50); TableError on bad cells.

    ``first_row`` is the 0-based data row of the chunk's first line, so messages give the data
    row numbers (1-based) of the whole table.
    """
    if decimal_comma:
        raw = raw.copy()
        raw[list(FEATURE_NAMES)] = raw[list(FEATURE_NAMES)].apply(
            lambda s: s.str.replace(",", ".", regex=False)
        )
    values = raw[list(FEATURE_NAMES)].apply(pd.to_numeric, errors="coerce")
    if values.isna().any().any():  # slow path, only to name the problem: strip, find blanks
        text = raw[list(FEATURE_NAMES)].apply(lambda s: s.str.strip())
        values = text.apply(pd.to_numeric, errors="coerce")
        blank = text.isna() | text.apply(lambda s: s.str.lower().isin(_MISSING_TOKENS))
        non_numeric = values.isna() & ~blank
        for mask, what in ((non_numeric, "non-numeric values"), (blank, "missing values (NaN)")):
            if mask.any().any():
                cols = values.columns[mask.any()].tolist()
                rows = (np.flatnonzero(mask.any(axis=1).to_numpy()) + first_row + 1)[:5].tolist()
                raise TableError(f"{what} in column(s) {_short(cols)} (data rows {rows})")
    array = values.to_numpy(dtype=np.float64)
    nonfinite = ~np.isfinite(array)
    if nonfinite.any():
        cols = values.columns[nonfinite.any(axis=0)].tolist()
        raise TableError(f"missing or infinite values in column(s) {_short(cols)}")
    huge = np.abs(array) > MODEL_MAX_ABS_VALUE  # finite in float64, infinite for the model
    if huge.any():
        cols = values.columns[huge.any(axis=0)].tolist()
        raise TableError(
            f"values too large for the model (beyond ±3.4e38) in column(s) {_short(cols)}"
        )
    return array


def _validate_chunks(
    chunks: Iterator[pd.DataFrame], max_rows: int, dialect: Dialect = Dialect()
) -> FeatureTable:
    """Check the header once, then convert and check chunk by chunk into one float64 block.

    The block is allocated once for ``max_rows`` rows (an upper bound: the file's line count)
    and filled in place; only the rows actually read are kept.
    """
    block: np.ndarray | None = None
    meta_parts: list[pd.DataFrame] = []
    meta_cols: list[str] = []
    notices: list[str] = []
    n_rows = 0
    for chunk in chunks:
        if chunk.empty:  # pandas yields one empty chunk for a header without rows
            continue
        if block is None:
            meta_cols, notices = _check_columns(chunk.columns)
            block = np.empty((len(FEATURE_NAMES), max(max_rows, 1)), dtype=np.float64)
        values = _chunk_values(chunk, n_rows, dialect.decimal_comma)
        end = n_rows + len(values)
        if end > block.shape[1]:  # more rows than line breaks counted (mixed CR/LF): grow
            grown = np.empty((block.shape[0], max(end, 2 * block.shape[1])), dtype=np.float64)
            grown[:, :n_rows] = block[:, :n_rows]
            block = grown
        block[:, n_rows:end] = values.T
        meta_parts.append(chunk[meta_cols])
        n_rows = end
    if block is None:
        raise TableError("the feature table has a header but no rows")
    kept = block[:, :n_rows]
    if n_rows < block.shape[1] // 2:  # far fewer rows than lines (quoted newlines): shrink
        kept = kept.copy()
    features = pd.DataFrame(kept.T, columns=list(FEATURE_NAMES), copy=False)
    meta = (
        pd.concat(meta_parts, ignore_index=True) if meta_cols else pd.DataFrame(index=range(n_rows))
    )
    return FeatureTable(features=features, meta=meta, notices=notices)


def validate_features(raw: pd.DataFrame) -> FeatureTable:
    """Check a raw table's columns and values; return the 50 features as floats plus metadata."""
    return _validate_chunks(iter([raw.reset_index(drop=True)]), len(raw))


def read_feature_table(source: str | Path | bytes | BinaryIO) -> FeatureTable:
    """Read a CSV (path, bytes or binary file-like) chunk by chunk and validate it.

    Raises TableError on every problem; a problem in a later chunk is found after the earlier
    chunks were checked, and its message gives the data row numbers of the whole table.
    """
    with _open_source(source) as (raw, max_rows):
        handle, encoding = _transcode(raw)
        dialect = Dialect(**{**_sniff(handle).__dict__, "encoding": encoding})
        with _csv_chunks(handle, dialect.sep) as chunks:
            table = _validate_chunks(chunks, max_rows, dialect)
    described = _describe(dialect)
    if described:
        table.notices.append(described)
    return table


def _describe(dialect: Dialect) -> str:
    """A notice saying how a table not written as plain UTF-8 CSV was read ("" otherwise)."""
    parts = []
    if dialect.encoding != "utf-8":
        parts.append(f"encoding {dialect.encoding}")
    if dialect.sep != ",":
        parts.append("tab-separated" if dialect.sep == "\t" else f"'{dialect.sep}'-separated")
    if dialect.decimal_comma:
        parts.append("decimal comma")
    return f"read as {', '.join(parts)}" if parts else ""
