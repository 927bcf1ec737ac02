"""How staff pages answer errors: a page in the caller's language, or a trip to sign-in.

An address under ``/staff`` that nothing serves answers the same staff page (404) from the
app's handlers (``climate.errors``), never the students' "code" page. A refused page keeps the
staff navigation when the guard already knows the caller.

A year whose results cannot be published (a ``ReleaseError`` from a report, the dashboard or
an export) answers 503 with a page that says what happened and what an admin can do.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.response import Redirect

from climate.errors import RateLimited, ReleaseError
from climate.pages import pages_of
from climate.security.guards import STATE_KEY, SignInRequired
from climate.security.principals import Principal


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """Staff pages answer errors with a page; sign-in is a redirect that remembers the page."""
    if isinstance(exc, SignInRequired):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(f"/staff/sign-in?next={quote(target, safe='/')}", status_code=303)
    return pages_of(request).render(
        request,
        "staff/error.html",
        status_code=exc.status_code,
        headers=exc.headers,
        status=exc.status_code,
        principal=known_principal(request),
    )


def known_principal(request: Request[Any, Any, Any]) -> Principal | None:
    """The caller when the guard admitted them (exception handlers cannot look one up)."""
    found = request.state.get(STATE_KEY)
    return found if isinstance(found, Principal) else None


def release_failed(request: Request[Any, Any, Any], exc: ReleaseError) -> Response[Any]:
    """A year's results cannot be published: say why and what an admin can do."""
    return pages_of(request).render(
        request,
        "staff/error.html",
        status_code=exc.status_code,
        status=exc.status_code,
        message=exc.message,
        advice=exc.advice,
    )


def rate_limited(request: Request[Any, Any, Any], exc: RateLimited) -> Response[Any]:
    """Too many sign-in attempts: say so, and when to try again."""
    return pages_of(request).render(
        request,
        "staff/sign_in.html",
        status_code=429,
        headers={"Retry-After": str(exc.retry_after)},
        limited=True,
        retry_after=exc.retry_after,
        email="",
        next="/staff",
    )


EXCEPTION_HANDLERS: dict[int | type[Exception], Any] = {
    HTTPException: http_error,
    RateLimited: rate_limited,
    ReleaseError: release_failed,
}
