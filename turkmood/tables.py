"""Reading and validating feature tables (CSV in the UCI column format).

Every problem becomes a :class:`~turkmood.errors.TableError` whose message names the offending
columns, so the app and the CLI can show it as is.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from turkmood.constants import FEATURE_NAMES, LABEL_COLUMN
from turkmood.errors import TableError

#: Non-feature columns carried through to results when present.
META_COLUMNS: tuple[str, ...] = ("file", "name", "id", LABEL_COLUMN)
#: Cell texts read as "missing" (pandas' own NA spellings, case-insensitive).
_MISSING_TOKENS = frozenset({"", "nan", "na", "n/a", "null", "none", "<na>"})
#: Largest feature CSV accepted in one read.
MAX_TABLE_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class FeatureTable:
    """Validated features (50 float columns), passthrough metadata and notices for the user."""

    features: pd.DataFrame
    meta: pd.DataFrame
    notices: list[str] = field(default_factory=list)


def _short(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _read_csv(source: str | Path | bytes | BinaryIO) -> pd.DataFrame:
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise TableError(f"feature table {path} does not exist")
        data = path.read_bytes()
    elif isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    else:
        data = source.read()
    if len(data) > MAX_TABLE_BYTES:
        raise TableError(f"feature table is larger than {MAX_TABLE_BYTES // 2**20} MB")
    if not data.strip():
        raise TableError("the feature table is empty")
    try:
        return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise TableError(f"the file is not a readable CSV table: {exc}") from exc


def validate_features(raw: pd.DataFrame) -> FeatureTable:
    """Check a raw table's columns and values; return the 50 features as floats plus metadata."""
    if raw.shape[0] == 0:
        raise TableError("the feature table has a header but no rows")
    columns = [str(c) for c in raw.columns]
    dupes = sorted({c for c in columns if columns.count(c) > 1})
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

    text = raw[list(FEATURE_NAMES)].apply(lambda s: s.str.strip())
    values = text.apply(pd.to_numeric, errors="coerce")
    blank = text.isna() | text.apply(lambda s: s.str.lower().isin(_MISSING_TOKENS))
    non_numeric = values.isna() & ~blank
    for mask, what in ((non_numeric, "non-numeric values"), (blank, "missing values (NaN)")):
        if mask.any().any():
            cols = values.columns[mask.any()].tolist()
            rows = (np.flatnonzero(mask.any(axis=1).to_numpy()) + 1)[:5].tolist()
            raise TableError(f"{what} in column(s) {_short(cols)} (data rows {rows})")
    nonfinite = ~np.isfinite(values.to_numpy(dtype=float))
    if nonfinite.any():
        cols = values.columns[nonfinite.any(axis=0)].tolist()
        raise TableError(f"missing or infinite values in column(s) {_short(cols)}")
    meta_cols = [c for c in META_COLUMNS if c in columns]
    return FeatureTable(
        features=values.astype(float).reset_index(drop=True),
        meta=raw[meta_cols].reset_index(drop=True),
        notices=notices,
    )


def read_feature_table(source: str | Path | bytes | BinaryIO) -> FeatureTable:
    """Read a CSV (path, bytes or binary file-like) and validate it; TableError on problems."""
    return validate_features(_read_csv(source))
