"""Small helpers shared by the AppTest modules."""

from __future__ import annotations

import re

import pandas as pd
from streamlit.testing.v1 import AppTest


def csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV bytes as a user would upload them."""
    return df.to_csv(index=False).encode()


def upload(at: AppTest, name: str, data: bytes, index: int = 0) -> AppTest:
    """Put one file into a file uploader and rerun."""
    at.file_uploader[index].set_value([(name, data, "text/csv")])
    return at.run()


def texts(at: AppTest) -> str:
    """All markdown, caption, error, info and warning text of the page joined by newlines."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += (
        [e.value for e in at.error] + [i.value for i in at.info] + [w.value for w in at.warning]
    )
    return "\n".join(str(p) for p in parts)


def visible(markdown: str) -> str:
    """What a person reads of a Markdown message: user-derived parts are backslash-escaped
    (ui.text.md_escape), so the escapes are removed before comparing text."""
    return re.sub(r"\\(.)", r"\1", str(markdown))
