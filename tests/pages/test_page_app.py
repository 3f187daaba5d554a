"""The app shell: every page runs, the sidebar model selector works and is shared by pages."""

from __future__ import annotations

import pytest

from turkmood.model import available_models, default_model_name, load_model
from ui.resources import MODEL_KEY

PAGES = {
    "analyze": "Analyze",
    "batch": "Batch",
    "drift": "Drift",
    "model_card": "Model card",
    "classroom": "Classroom",
}


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_runs_without_exception(open_page, page):
    at = open_page(page)
    assert not at.exception, at.exception
    assert [t.value for t in at.main.title] == [PAGES[page]]
    assert [t.value for t in at.sidebar.title] == ["TurkMood"]
    assert not at.error, [e.value for e in at.error]


def test_sidebar_lists_shipped_models_with_default_selected(open_page):
    at = open_page("analyze")
    box = at.selectbox(key=MODEL_KEY)
    assert box.options == [f"{default_model_name()} (default)", *available_models()[1:]]
    assert box.value == default_model_name()
    caption = "\n".join(c.value for c in at.sidebar.caption)
    assert load_model(default_model_name()).version in caption


def test_model_choice_is_shared_across_pages(open_page):
    others = [n for n in available_models() if n != default_model_name()]
    if not others:
        pytest.skip("only one model is shipped")
    at = open_page("analyze")
    at.selectbox(key=MODEL_KEY).set_value(others[0]).run()
    assert not at.exception
    assert load_model(others[0]).version in "\n".join(c.value for c in at.sidebar.caption)
    at.switch_page("app_pages/model_card.py").run()
    assert at.selectbox(key=MODEL_KEY).value == others[0]
    assert any(f"Selected model: {others[0]}" == s.value for s in at.subheader)
