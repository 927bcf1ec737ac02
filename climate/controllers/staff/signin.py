"""Sign-in, sign-out, the staff home page and password change."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncEngine

from climate.controllers.staff.forms import read_form, text
from climate.controllers.staff.reports_index import with_index
from climate.pages import Pages
from climate.security import accounts, sessions
from climate.security.accounts import AccountError, normalize_email
from climate.security.devices import COOKIE, device_cookie, known_device, new_device
from climate.security.guards import optional_principal
from climate.security.principals import Principal
from climate.security.ratelimit import SignInLimits
from climate.settings import Settings

MAX_SIGN_IN = 8 * 1024


def safe_next(target: str | None) -> str:
    """A redirect target after sign-in: only a path on this site, else the staff home."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/staff"
    return target


@get("/sign-in")
async def sign_in_page(
    request: Request[Any, Any, Any],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
    next: FromQuery[str | None] = None,
) -> Response[Any]:
    """The sign-in form (a signed-in account goes straight on)."""
    if await optional_principal(request, engine) is not None:
        return Redirect(safe_next(next), status_code=303)
    return pages.render(request, "staff/sign_in.html", email="", next=safe_next(next), failed=False)


@post("/sign-in", request_max_body_size=MAX_SIGN_IN, status_code=303)
async def sign_in(
    request: Request[Any, Any, Any],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
    settings: NamedDependency[Settings],
    sign_in_limits: NamedDependency[SignInLimits],
) -> Response[Any]:
    """Check the password, start a session, record the attempt either way."""
    form = await read_form(request)
    email, password, target = (
        text(form, "email"),
        (form.get("password") or [""])[0],
        text(form, "next"),
    )
    account, secret = normalize_email(email), settings.effective_secret
    device = known_device(secret, request.cookies.get(COOKIE), account)
    await sign_in_limits.attempt(account, request.client.host if request.client else None, device)
    # A session id the browser already held ends here: the signed-in session is a new one.
    raw = await accounts.sign_in(engine, email, password, request.cookies.get(sessions.COOKIE))
    if raw is None:
        return pages.render(
            request,
            "staff/sign_in.html",
            status_code=400,
            email=email,
            next=safe_next(target),
            failed=True,
        )
    response: Response[Any] = Redirect(safe_next(target), status_code=303)
    response.set_cookie(sessions.session_cookie(raw))
    # This browser is now known to the account: a stranger's failures no longer stop it.
    response.set_cookie(device_cookie(secret, account, device or new_device()))
    return response


@post("/sign-out", status_code=303)
async def sign_out(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    engine: NamedDependency[AsyncEngine],
) -> Response[Any]:
    """End this session."""
    await accounts.sign_out(engine, principal, request.cookies.get(sessions.COOKIE, ""))
    response: Response[Any] = Redirect("/staff/sign-in", status_code=303)
    response.set_cookie(sessions.cleared_cookie())
    return response


@get("/")
async def home(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
) -> Template:
    """What this account can open: its schools' reports (and the dashboard), then its tasks."""
    return await with_index(request, principal, pages, engine, "staff/home.html")


@get("/password")
async def password_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
) -> Template:
    """The password change form."""
    return pages.render(
        request, "staff/password.html", principal=principal, problem=None, done=False
    )


@post("/password", request_max_body_size=MAX_SIGN_IN, status_code=200)
async def password_change(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
) -> Response[Any]:
    """Change the password; every other session of the account ends."""
    form = await read_form(request)
    current, new = (form.get("current") or [""])[0], (form.get("new") or [""])[0]
    if new != (form.get("confirm") or [""])[0]:
        return pages.render(
            request,
            "staff/password.html",
            status_code=400,
            principal=principal,
            problem="the two new passwords differ",
            done=False,
        )
    try:
        raw = await accounts.renew_password(engine, principal, current, new)
    except AccountError as error:
        return pages.render(
            request,
            "staff/password.html",
            status_code=400,
            principal=principal,
            problem=str(error),
            done=False,
        )
    response = pages.render(
        request, "staff/password.html", principal=principal, problem=None, done=True
    )
    response.set_cookie(sessions.session_cookie(raw))
    return response
