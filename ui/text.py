"""Wording of decisions, shared by every page (pure functions, no Streamlit)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from turkmood.constants import DECISION_THRESHOLD
from turkmood.decision import is_uncertain

UNCERTAIN_WORD = "uncertain"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: str) -> str:
    """``text`` with Markdown syntax escaped, so user-supplied names show literally."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def decision_text(row: Mapping[str, object]) -> str:
    """The decision as shown to people: the emotion, or ``uncertain — between X and Y``.

    ``row`` is one row of :func:`turkmood.model.predict_features`. Below the threshold the top
    class is never shown on its own.
    """
    if is_uncertain(str(row["decision"])):
        return f"{UNCERTAIN_WORD} — between {row['predicted']} and {row['runner_up']}"
    return str(row["predicted"])


def decision_detail(row: Mapping[str, object]) -> str:
    """One sentence explaining the decision with the probabilities behind it."""
    top, second = str(row["predicted"]), str(row["runner_up"])
    p_top, p_second = float(row[top]), float(row[second])
    if is_uncertain(str(row["decision"])):
        return (
            f"No emotion reaches {DECISION_THRESHOLD:.2f}: {top} {p_top:.2f}, "
            f"{second} {p_second:.2f}. Treat this as a case for human review."
        )
    return f"{top} with probability {p_top:.2f} (next: {second} {p_second:.2f})."
