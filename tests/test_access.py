"""Admin actions are locked by default and unlocked only by the configured password."""

from __future__ import annotations

from turkmood.access import admin_configured, is_admin
from turkmood.constants import ADMIN_PASSWORD_ENV


def test_locked_when_no_password_is_configured(monkeypatch):
    monkeypatch.delenv(ADMIN_PASSWORD_ENV, raising=False)
    assert not admin_configured()
    assert not is_admin("")
    assert not is_admin("anything")


def test_only_the_configured_password_unlocks(monkeypatch):
    monkeypatch.setenv(ADMIN_PASSWORD_ENV, "s3cret")
    assert admin_configured()
    assert is_admin("s3cret")
    assert not is_admin("s3cre")
    assert not is_admin(None)
