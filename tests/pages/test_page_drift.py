"""Drift page shell: the training distribution of a chosen feature, no fake drift numbers."""

from __future__ import annotations

import json

from turkmood.constants import CLASSES


def _figure(at) -> dict:
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.spec)


def test_drift_shows_chosen_feature_by_emotion(open_page):
    at = open_page("drift")
    assert not at.exception
    assert at.info and "not built yet" in at.info[0].value
    assert [t["name"] for t in _figure(at)["data"]] == list(CLASSES)
    at.selectbox(key="drift-feature").set_value("_Tempo_Mean").run()
    at.radio(key="drift-kind").set_value("histogram").run()
    assert not at.exception
    fig = _figure(at)
    assert {t["type"] for t in fig["data"]} == {"histogram"}
    assert "_Tempo_Mean" in fig["layout"]["title"]["text"]
    assert not at.metric  # no drift numbers are claimed yet
