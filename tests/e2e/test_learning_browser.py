"""End-to-end: the Monitoring and Label queue pages in a real browser (no admin password set)."""

from __future__ import annotations

import pytest
from browser_helpers import wait_idle

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("path", "title", "says"),
    [
        ("monitoring", "Monitoring", "prediction log"),
        ("label_queue", "Label queue", "TURKMOOD_ADMIN_PASSWORD"),
    ],
)
def test_page_renders_without_exception(app_url, page, path, title, says):
    page.goto(f"{app_url}/{path}")
    page.get_by_role("heading", name=title).first.wait_for()
    wait_idle(page)
    assert page.get_by_test_id("stException").count() == 0
    assert says in page.inner_text("body")
    assert page.get_by_test_id("stSidebar").get_by_text("TurkMood").count() >= 1


def test_nothing_is_fetched_from_outside_this_machine(app_url, page):
    """Every request of a page load (favicon included) goes to the app's own server."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{app_url}/model_card")
    page.get_by_role("heading", name="Model card").first.wait_for()
    wait_idle(page)
    page.wait_for_timeout(1500)  # late requests (favicon, fonts) included
    outside = [
        url
        for url in requested
        if not url.startswith((app_url, "data:", "blob:", "about:"))
        and not url.startswith(app_url.replace("http", "ws"))
    ]
    assert requested and not outside, outside
