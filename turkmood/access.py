"""Who may do admin actions: a password from the environment, compared in constant time.

Admin actions (exporting every visitor's feedback and labels, retraining, promoting, rolling
back) are locked unless ADMIN_PASSWORD_ENV is set; a visitor only ever sees their own answers.
"""

from __future__ import annotations

import hmac
import os

from turkmood.constants import ADMIN_PASSWORD_ENV

__all__ = ["admin_configured", "is_admin"]


def admin_configured() -> bool:
    """True when an admin password is set (otherwise admin actions stay locked)."""
    return bool(os.environ.get(ADMIN_PASSWORD_ENV, ""))


def is_admin(given: str | None) -> bool:
    """True only when a password is configured and ``given`` equals it (constant-time)."""
    expected = os.environ.get(ADMIN_PASSWORD_ENV, "")
    if not expected or not given:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
