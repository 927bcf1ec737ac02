"""Rendering staff pages: the student layout, localized, with the caller and a CSRF token."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.response import Redirect, Template
from litestar.utils.scope.state import ScopeState

from climate.controllers.survey import static_url
from climate.errors import RateLimited
from climate.i18n import Catalogs, direction, html_lang, jinja_gettext, negotiate
from climate.security.guards import SignInRequired
from climate.security.principals import Principal
from climate.settings import Settings

CATALOGS = Catalogs()
# The staff pages run in the interface languages the district accepted.
LANGUAGE_COOKIE = "lang"


def settings_of(request: Request[Any, Any, Any]) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state["settings"]
    return settings


def locale_of(request: Request[Any, Any, Any]) -> str:
    """The language of a staff page: ?lang=, the language cookie, then the browser's."""
    settings = settings_of(request)
    return negotiate(
        settings.accepted_locales,
        settings.default_locale,
        explicit=request.query_params.get("lang"),
        cookie=request.cookies.get(LANGUAGE_COOKIE),
        accept_language=request.headers.get("accept-language"),
    )


def csrf_token(request: Request[Any, Any, Any]) -> str:
    """The CSRF token to put in this page's forms."""
    token = ScopeState.from_scope(request.scope).csrf_token
    return token if isinstance(token, str) else ""


def render(
    request: Request[Any, Any, Any],
    template: str,
    *,
    principal: Principal | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Template:
    """A staff page in the caller's language."""
    settings = settings_of(request)
    locale = locale_of(request)
    return Template(
        template_name=f"staff/{template}",
        context={
            **jinja_gettext(CATALOGS.translations(locale)),
            "lang": locale,
            "html_lang": html_lang(locale),
            "dir": direction(locale),
            "languages": [],
            "district_name": settings.district_name,
            "crisis_contacts": settings.crisis_contacts,
            "static_url": static_url,
            "csrf": csrf_token(request),
            "principal": principal,
            **context,
        },
        status_code=status_code,
        headers=headers or {},
    )


def safe_next(target: str | None) -> str:
    """A redirect target after sign-in: only a path on this site, else the staff home."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/staff"
    return target


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """Staff pages answer errors with a page; sign-in is a redirect that remembers the page."""
    if isinstance(exc, SignInRequired):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(f"/staff/sign-in?next={quote(target, safe='/')}", status_code=303)
    return render(request, "error.html", status_code=exc.status_code, status=exc.status_code)


def rate_limited(request: Request[Any, Any, Any], exc: RateLimited) -> Response[Any]:
    """Too many sign-in attempts: say so, and when to try again."""
    return render(
        request,
        "sign_in.html",
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
}
