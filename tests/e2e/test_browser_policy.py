"""A missing browser fails the run in CI and only skips locally."""

from __future__ import annotations

import pytest
from browser_helpers import missing_browser


def test_missing_browser_fails_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="cannot run in CI: no chromium"):
        missing_browser("no chromium")


@pytest.mark.parametrize("value", [None, "", "false"])
def test_missing_browser_skips_outside_ci(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.skip.Exception, match="no chromium"):
        missing_browser("no chromium")
