"""End-to-end: the Classroom page in a browser (sidebar link, a slider moves, chart updates)."""

from __future__ import annotations

import pytest
from browser_helpers import screenshot, wait_idle

pytestmark = pytest.mark.e2e

CHART = "[data-testid='stPlotlyChart']"


def _bar_labels(page) -> list[str]:
    """Text labels of the lab's probability chart (the first chart on the page)."""
    return (
        page.locator(CHART)
        .first.locator("text.bartext")
        .evaluate_all("nodes => nodes.map(n => n.textContent)")
    )


def test_classroom_slider_updates_the_chart(app_url, page):
    page.goto(app_url)
    wait_idle(page)
    page.get_by_test_id("stSidebarNav").get_by_text("Classroom", exact=True).click()
    page.get_by_text("Start from the analysed song or a training song").wait_for()
    page.locator(CHART).first.locator("text.bartext").first.wait_for()
    wait_idle(page)
    assert page.get_by_test_id("stException").count() == 0
    before = _bar_labels(page)
    assert len(before) == 4

    # move the first what-if slider (the most influential feature) to its training maximum
    thumb = page.get_by_test_id("stSlider").first.get_by_role("slider")
    shown_value = page.get_by_test_id("stSlider").first.get_by_test_id("stSliderThumbValue")
    value_before = shown_value.inner_text()
    thumb.focus()
    thumb.press("End")
    page.wait_for_function(
        "([sel, old]) => { const c = document.querySelector(sel); if (!c) return false;"
        " const t = [...c.querySelectorAll('text.bartext')].map(e => e.textContent);"
        " return t.length === 4 && t.join() !== old; }",
        arg=[CHART, ",".join(before)],
    )
    wait_idle(page)
    assert shown_value.inner_text() != value_before
    after = _bar_labels(page)
    assert len(after) == 4 and after != before
    assert page.get_by_test_id("stException").count() == 0
    screenshot(page, "classroom", readme=True)

    # presenter mode hides the sidebar (projector view)
    page.get_by_text("Presenter mode", exact=False).click()
    wait_idle(page)
    page.get_by_test_id("stSidebar").wait_for(state="hidden")
    assert page.get_by_test_id("stException").count() == 0
    screenshot(page, "classroom-presenter")
