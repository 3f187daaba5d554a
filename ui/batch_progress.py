"""Wording of the Batch page's progress bar (no Streamlit import, tested directly)."""

from __future__ import annotations


def clock(seconds: float) -> str:
    """``m:ss`` (minutes may exceed 59)."""
    minutes, secs = divmod(int(round(max(seconds, 0.0))), 60)
    return f"{minutes}:{secs:02d}"


def progress_text(done: int, total: int, current: str, elapsed: float, timed: int) -> str:
    """ "n of N · current file · elapsed / remaining".

    ``timed`` files were scored in ``elapsed`` seconds (files finished in an earlier, interrupted
    run count in ``done`` but not in the rate); the remaining time is unknown until one is timed.
    """
    remaining = f"~{clock(elapsed / timed * (total - done))}" if timed else "…"
    return f"{done} of {total} · {current} · elapsed {clock(elapsed)} / remaining {remaining}"
