"""The MIRtoolbox oracle fixtures, shared by the per-family tests (see tests/fixtures/README.md)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd
import soundfile as sf

from turkmood.features.shared import Clip

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ORACLE = FIXTURES / "oracle_reference.csv"


@lru_cache(maxsize=1)
def _reference() -> pd.DataFrame:
    return pd.read_csv(ORACLE).set_index("file")


def oracle_files() -> list[str]:
    """Fixture file names that have oracle values (every committed fixture)."""
    return _reference().index.tolist()


def oracle_case(name: str) -> tuple[pd.Series, Clip]:
    """The oracle's row for ``name`` and the fixture as MIRtoolbox read it (channels averaged,
    native rate, no resampling)."""
    y, sr = sf.read(FIXTURES / "audio" / name, always_2d=True)
    return _reference().loc[name], Clip(y.mean(axis=1), sr)
