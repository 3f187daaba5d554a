"""Hear-the-feature demonstrations: the varied attribute shows in the measured feature."""

from __future__ import annotations

import numpy as np
import pytest

from turkmood.demos import DEMO_DURATION_S, DEMO_SPECS, demo_recipe, demo_spec, render_demo


@pytest.fixture(scope="module")
def demos():
    return {s.key: render_demo(s.key) for s in DEMO_SPECS}


def test_demo_clips_are_short_and_differ_only_in_the_overrides(demos):
    for demo in demos.values():
        for clip in (demo.low, demo.high):
            assert len(clip.signal) == pytest.approx(DEMO_DURATION_S * clip.sr, abs=1)
            assert np.isfinite(clip.signal).all() and np.max(np.abs(clip.signal)) <= 1.0
        low, high = demo_recipe(demo.spec.low), demo_recipe(demo.spec.high)
        changed = {k for k in low.__dataclass_fields__ if getattr(low, k) != getattr(high, k)}
        assert changed == {
            k
            for k in {**demo.spec.low, **demo.spec.high}
            if demo.spec.low.get(k) != demo.spec.high.get(k)
        }


def test_measured_tempo_matches_the_played_tempo(demos):
    tempo = demos["tempo"]
    assert tempo.low.value == pytest.approx(70.0, rel=0.1)
    assert tempo.high.value == pytest.approx(140.0, rel=0.1)


@pytest.mark.parametrize("key", ["brightness", "roughness", "loudness"])
def test_the_high_clip_measures_higher(demos, key):
    demo = demos[key]
    assert demo.high.value > 1.3 * demo.low.value > 0


def test_unknown_demo_is_a_clear_error():
    with pytest.raises(KeyError, match="known"):
        demo_spec("pitch")
