"""Presenter-mode styling of the Classroom charts (pure figure transforms)."""

from __future__ import annotations

import numpy as np

from turkmood.constants import CLASS_COLOURS, CLASSES
from turkmood.plots import confusion_heatmap, probability_bar, shap_bar
from ui.classroom_plots import (
    PRESENTER_BG,
    PRESENTER_FG,
    PRESENTER_TITLE_CHARS,
    map_scatter,
    presenter_figure,
)


def test_presenter_figure_is_dark_with_light_text_and_visible_marks():
    probs = probability_bar({c: 0.25 for c in CLASSES}, title="Probabilities now")
    star = map_scatter(np.zeros((4, 2)), list(CLASSES), np.zeros((1, 2)), "map", ("x", "y"))
    shap = shap_bar(["a", "b"], [0.1, -0.2], ["a", "b"], "relax", "probability")
    heat = confusion_heatmap([[1, 0], [0, 1]], ["happy", "sad"], "cm")
    for fig in (probs, star, shap, heat):
        out = presenter_figure(fig)
        assert out.layout.paper_bgcolor == PRESENTER_BG == out.layout.plot_bgcolor
        assert out.layout.font.color == PRESENTER_FG
        assert out.layout.xaxis.tickfont.color == PRESENTER_FG
        assert out.layout.yaxis.title.font.color == PRESENTER_FG
        # threshold and zero lines drawn in a colour that shows on black
        for shape in out.layout.shapes:
            assert shape.line.color == PRESENTER_FG
        for note in out.layout.annotations:
            assert note.font.color == PRESENTER_FG
        assert fig.layout.paper_bgcolor != PRESENTER_BG  # the original is left as it was
    # the near-black 'this song' star becomes visible; emotion colours are kept
    traces = {t.name: t for t in presenter_figure(star).data}
    assert traces["this song"].marker.color not in ("#111", "#111111")
    assert all(traces[c].marker.color == CLASS_COLOURS[c] for c in CLASSES)
    assert list(presenter_figure(probs).data[0].marker.color) == [CLASS_COLOURS[c] for c in CLASSES]


def test_presenter_titles_wrap_instead_of_running_off_the_chart():
    shap = shap_bar(["a", "b"], [0.1, -0.2], ["a", "b"], "relax", "probability")
    title = presenter_figure(shap).layout.title.text
    lines = title.split("<br>")
    assert len(lines) > 1 and all(len(line) <= PRESENTER_TITLE_CHARS for line in lines)
    assert " ".join(lines) == shap.layout.title.text
