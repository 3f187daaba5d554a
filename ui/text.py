"""Wording of decisions, shared by every page (pure functions, no Streamlit)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from turkmood.constants import DECISION_THRESHOLD
from turkmood.decision import is_uncertain

UNCERTAIN_WORD = "uncertain"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:/@=&])")
#: Bidirectional controls (LRE/RLE/PDF/LRO/RLO, LRI/RLI/FSI/PDI, LRM/RLM/ALM): they let a name
#: spoof its extension ("song\u202egpj.exe"), so they are shown as visible code points instead.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def md_escape(text: object) -> str:
    """``text`` with Markdown syntax escaped, so user-supplied names show literally.

    Every character Markdown, HTML or the URL auto-linker could act on is backslash-escaped
    (so ``http://x`` and ``www.x`` are not turned into links, ``![](…)`` fetches nothing), and
    bidirectional controls are replaced by their visible ``<U+202E>`` code point.
    """
    shown = _BIDI_CONTROLS.sub(lambda m: f"<U+{ord(m.group()):04X}>", str(text))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", shown)


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
