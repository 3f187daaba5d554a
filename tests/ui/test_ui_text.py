"""Decision wording: below the threshold the top class is never shown on its own."""

from __future__ import annotations

import pandas as pd

from turkmood.decision import decide
from ui.text import decision_detail, decision_text, md_escape


def _rows(probabilities: list[list[float]]) -> pd.DataFrame:
    return decide(pd.DataFrame(probabilities, columns=["happy", "sad", "angry", "relax"]))


def test_confident_row_names_the_emotion():
    row = _rows([[0.80, 0.10, 0.05, 0.05]]).iloc[0]
    assert decision_text(row) == "happy"
    assert decision_detail(row) == "happy with probability 0.80 (next: sad 0.10)."


def test_threshold_itself_is_confident():
    assert decision_text(_rows([[0.05, 0.75, 0.10, 0.10]]).iloc[0]) == "sad"


def test_uncertain_row_names_both_candidates():
    row = _rows([[0.10, 0.50, 0.05, 0.35]]).iloc[0]
    assert decision_text(row) == "review — between sad and relax"  # the CSV's and API's words
    assert decision_text(row) == row["decision"]
    assert "No emotion reaches 0.75: sad 0.50, relax 0.35" in decision_detail(row)


def test_unusual_row_says_the_number_means_little():
    row = _rows([[0.90, 0.05, 0.03, 0.02]]).iloc[0].copy()
    row["decision"] = "review — unlike the training music"
    assert decision_text(row) == "review — unlike the training music"
    assert "unlike every song it learnt from" in decision_detail(row)


def test_md_escape_neutralises_markdown():
    assert md_escape("*bold* [x](http://e) #1 a_b.wav") == (
        r"\*bold\* \[x\]\(http\:\/\/e\) \#1 a\_b\.wav"
    )
    assert md_escape("plain name") == "plain name"


def test_escaped_names_plant_no_link_image_or_html():
    from ui.text import md_escape

    hostile = "![x](http://evil.example/pixel.png) <img src=x> www.evil.example [a](b)"
    shown = md_escape(hostile)
    for raw in ("![", "](", "http://", "www.evil"):
        assert raw not in shown, raw
    assert "\\<img" in shown  # a literal "<", not a tag
    # the escapes are for Markdown: removing the backslashes gives the name back
    assert shown.replace("\\", "") == hostile


def test_bidi_controls_become_visible_code_points():
    from ui.text import md_escape

    shown = md_escape("song\u202egpj.exe")
    assert "\u202e" not in shown
    assert shown.replace("\\", "") == "song<U+202E>gpj.exe"
