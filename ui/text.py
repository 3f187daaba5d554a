"""Wording of decisions, shared by every page (pure functions, no Streamlit)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from turkmood.constants import DECISION_THRESHOLD
from turkmood.decision import NOT_MUSIC, UNLIKE_TRAINING, is_uncertain

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
    """The decision as shown to people — the same words as the CSV and the API.

    The emotion, ``review — between X and Y`` below the threshold, or ``review — unlike the
    training music`` / ``review — not music: …`` out of distribution (:mod:`turkmood.decision`);
    a review never shows the top class on its own. ``row`` is one row of
    :func:`turkmood.model.predict_features`.
    """
    return str(row["decision"])


def decision_detail(row: Mapping[str, object]) -> str:
    """One sentence explaining the decision with the probabilities behind it."""
    top, second = str(row["predicted"]), str(row["runner_up"])
    p_top, p_second = float(row[top]), float(row[second])
    decision = str(row["decision"])
    if decision.endswith(UNLIKE_TRAINING) or NOT_MUSIC in decision:
        return (
            f"The model's guess would be {top} ({p_top:.2f}), but this clip is unlike every "
            "song it learnt from, so that number means little: listen and judge yourself."
        )
    if is_uncertain(decision):
        return (
            f"No emotion reaches {DECISION_THRESHOLD:.2f}: {top} {p_top:.2f}, "
            f"{second} {p_second:.2f}. Treat this as a case for human review."
        )
    return f"{top} with probability {p_top:.2f} (next: {second} {p_second:.2f})."
