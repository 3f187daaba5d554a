"""Admin routes: ``Authorization: Bearer <TURKMOOD_API_KEY>``, compared in constant time.

With no key configured the admin routes are locked (403); a missing or wrong key is 401.
"""

from __future__ import annotations

import hmac

from fastapi import HTTPException, Request


def require_admin(request: Request) -> None:
    """FastAPI dependency: raise 403 (no key configured) or 401 (missing/wrong key)."""
    key = request.app.state.settings.api_key
    if not key:
        raise HTTPException(
            403, "admin actions are disabled: set TURKMOOD_API_KEY on the server to enable them"
        )
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode("utf-8"), key.encode("utf-8")
    ):
        raise HTTPException(
            401, "a valid admin key is required", headers={"WWW-Authenticate": "Bearer"}
        )
