"""CSRF protection for every state-changing staff form (Litestar's double-submit cookie).

The JSON API is exempt: it accepts only bearer tokens, which a forged cross-site request
cannot carry. Student routes opt out themselves (``exclude_from_csrf``): they have no
session for a forged post to ride on.
"""

from __future__ import annotations

from litestar.config.csrf import CSRFConfig

from climate.settings import Settings

COOKIE = "climate_csrf"
FIELD = "_csrf_token"
# Paths that never carry a session: no CSRF cookie is set or checked there.
EXEMPT = [r"^/api/", r"^/schema", r"^/healthz"]


def csrf_config(settings: Settings) -> CSRFConfig:
    """The app's CSRF configuration, signed with the secret key."""
    return CSRFConfig(
        secret=settings.effective_secret,
        cookie_name=COOKIE,
        cookie_secure=True,
        cookie_httponly=True,
        cookie_samesite="lax",
        exclude=EXEMPT,
    )
