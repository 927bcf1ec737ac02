"""API tokens for scripts: create (the secret is shown once), list and revoke (district admins).

The same functions as ``climate tokens`` make and revoke them, so the audit log records a
token made on the page as it records one made in the shell.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncEngine

from climate.controllers.staff.accounts import MAX_FORM, ROLE_CHOICES
from climate.controllers.staff.forms import read_form, text, values
from climate.pages import Pages
from climate.security import accounts, tokens
from climate.security.principals import SCHOOL_STAFF, Principal
from climate.security.tokens import TokenError, TokenInfo


async def _page(
    request: Request[Any, Any, Any],
    principal: Principal,
    pages: Pages,
    engine: AsyncEngine,
    *,
    problem: TokenError | None = None,
    typed: dict[str, list[str]] | None = None,
    created: tuple[int, str] | None = None,
) -> Template:
    view = await accounts.accounts_view(engine, principal)
    form = typed or {}
    return pages.render(
        request,
        "staff/tokens.html",
        status_code=400 if problem else 200,
        principal=principal,
        tokens=await tokens.all_tokens(engine),
        schools=view.schools,
        roles=ROLE_CHOICES,
        problem=problem,
        typed_name=text(form, "name"),
        typed_role=text(form, "role") or SCHOOL_STAFF,
        typed_schools=set(values(form, "schools")),
        created=created,
    )


@get("/tokens")
async def tokens_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
) -> Template:
    """Every token (never a secret), and the form to make one."""
    return await _page(request, principal, pages, engine)


@post("/tokens", request_max_body_size=MAX_FORM, status_code=200)
async def create_token(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
) -> Template:
    """Make a token and show its secret on this one answer (not cached, never again)."""
    form = await read_form(request)
    try:
        created = await tokens.issue_token(
            engine, principal, text(form, "name"), text(form, "role"), values(form, "schools")
        )
    except TokenError as error:
        return await _page(request, principal, pages, engine, problem=error, typed=form)
    return await _page(request, principal, pages, engine, created=created)


async def _token(engine: AsyncEngine, token_id: int) -> TokenInfo:
    found = next((t for t in await tokens.all_tokens(engine) if t.id == token_id), None)
    if found is None:
        raise NotFoundException()
    return found


@get("/tokens/{token_id:int}/revoke")
async def confirm_revoke(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
    token_id: FromPath[int],
) -> Template:
    """Ask before revoking: a script that uses the token stops working at once."""
    view = await accounts.accounts_view(engine, principal)
    return pages.render(
        request,
        "staff/token_revoke.html",
        principal=principal,
        token=await _token(engine, token_id),
        school_names=dict(view.schools),
    )


@post("/tokens/{token_id:int}/revoke", request_max_body_size=MAX_FORM, status_code=303)
async def revoke_token(
    principal: NamedDependency[Principal],
    engine: NamedDependency[AsyncEngine],
    token_id: FromPath[int],
) -> Response[Any]:
    """Revoke a token at once (revoking one already revoked changes nothing)."""
    await _token(engine, token_id)
    await tokens.withdraw_token(engine, principal, token_id)
    return Redirect("/staff/tokens", status_code=303)
