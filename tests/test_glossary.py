"""Plain-language feature names: complete, unique, and worded as the page shows them."""

from __future__ import annotations

import math

from turkmood.constants import FEATURE_NAMES
from turkmood.glossary import FAMILIES, FEATURE_INFO, describe, family_rows, format_value


def test_every_feature_has_a_description_in_a_known_family():
    assert list(FEATURE_INFO) == list(FEATURE_NAMES)
    for name, info in FEATURE_INFO.items():
        assert info.label and info.meaning, name
        assert info.family in FAMILIES, name
    labels = [info.label for info in FEATURE_INFO.values()]
    assert len(set(labels)) == len(labels), "two features share a plain name"


def test_brightness_is_worded_as_in_the_issue():
    assert describe("_Brightness_Mean", 0.41) == (
        "Brightness: share of energy above 1 500 Hz = 0.41"
    )


def test_units_are_appended_and_large_numbers_spaced():
    assert describe("_Tempo_Mean", 120.1) == "Tempo: estimated beat speed = 120 BPM"
    assert format_value(5648.6, "Hz") == "5\u2009649 Hz"
    assert format_value(0.027, "s") == "0.03 s"
    assert format_value(0.0061) == "0.0061"
    assert format_value(-0.125) == "-0.12"
    assert format_value(0.0) == "0"
    assert format_value(math.nan, "Hz") == "not defined"


def test_unknown_columns_fall_back_to_their_name():
    assert describe("_Mystery", 2.0) == "_Mystery: _Mystery = 2"


def test_family_rows_cover_every_feature_once():
    rows = family_rows()
    assert [r["column"] for r in rows] == list(FEATURE_NAMES)
    assert {r["family"] for r in rows} == {title for title, _ in FAMILIES.values()}
