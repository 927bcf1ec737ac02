"""The app-wide guard: look up the route's rule, authenticate when needed, allow or refuse.

Pages (``/staff/...``) authenticate with the session cookie; the JSON API with
``Authorization: Bearer <token>`` only, so a browser's cookie can never be ridden by a
forged cross-site API call. Unauthenticated page requests are sent to sign-in; API
requests get 401. A signed-in caller without the role gets 403.

Handlers receive the caller as the ``principal`` dependency (see ``current_principal``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.spec import Components, SecurityScheme
from sqlalchemy.ext.asyncio import AsyncEngine

from climate.errors import is_api
from climate.security import sessions, tokens
from climate.security.permissions import ANONYMOUS, rule_for
from climate.security.principals import Principal

STATE_KEY = "principal"
Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]


class SignInRequired(NotAuthorizedException):
    """A page needs a signed-in account; the staff pages answer with a redirect."""


async def authenticate(
    connection: ASGIConnection[Any, Any, Any, Any], engine: AsyncEngine
) -> Principal | None:
    """The caller of a request: a bearer token on the API, a session cookie on pages."""
    path = connection.scope["path"]
    async with engine.begin() as conn:
        if is_api(path):
            raw = tokens.bearer(connection.headers.get("authorization"))
            return await tokens.resolve_token(conn, raw) if raw else None
        cookie = connection.cookies.get(sessions.COOKIE)
        return await sessions.resolve_session(conn, cookie) if cookie else None


def authorizer(engine: AsyncEngine) -> Guard:
    """The app-wide guard, checking accounts, sessions and tokens in ``engine``."""

    # Guards take no dependencies, so the app's guard is made around its engine.
    async def authorize(
        connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler
    ) -> None:
        """Allow the request, or raise 401/403 (a route without a rule is refused)."""
        template = connection.scope.get("path_template") or connection.scope["path"]
        roles = rule_for(template, str(connection.scope.get("method", "GET")))
        if roles is None:
            raise PermissionDeniedException("this route has no access rule")
        if ANONYMOUS in roles:
            return
        principal = await authenticate(connection, engine)
        if principal is None:
            if is_api(connection.scope["path"]):
                raise NotAuthorizedException(
                    "a valid API token is required",
                    headers={"WWW-Authenticate": 'Bearer realm="climate"'},
                )
            raise SignInRequired("sign in to continue")
        # Known before the role is checked, so that a refusal page can still show the caller's
        # own navigation; a refused handler never runs.
        connection.state[STATE_KEY] = principal
        if principal.role not in roles:
            raise PermissionDeniedException("your role does not allow this")

    return authorize


async def optional_principal(
    connection: ASGIConnection[Any, Any, Any, Any], engine: AsyncEngine
) -> Principal | None:
    """The caller on a route open to anonymous users, when signed in."""
    found = connection.state.get(STATE_KEY)
    if isinstance(found, Principal):
        return found
    if is_api(connection.scope["path"]):
        return None
    return await authenticate(connection, engine)


def current_principal(request: Request[Any, Any, Any]) -> Principal:
    """The caller the guard admitted (only on routes that need one)."""
    found = request.state.get(STATE_KEY)
    if not isinstance(found, Principal):
        raise NotAuthorizedException("sign in to continue")
    return found


def openapi_components() -> Components:
    """The OpenAPI security scheme that staff API routes name (``bearer``)."""
    return Components(
        security_schemes={
            "bearer": SecurityScheme(
                type="http",
                scheme="bearer",
                description="an API token from `climate tokens create`",
            )
        }
    )
