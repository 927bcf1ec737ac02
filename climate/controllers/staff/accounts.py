"""Accounts: list, create, disable (after a confirmation) and enable (district admins)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncEngine

from climate.controllers.staff.forms import read_form, text, values
from climate.pages import Pages
from climate.security import accounts
from climate.security.accounts import AccountError, AccountInfo
from climate.security.principals import DISTRICT_ADMIN, DISTRICT_VIEWER, SCHOOL_STAFF, Principal

MAX_FORM = 16 * 1024
# The role a new account starts with is the least powerful; the list goes up from there.
ROLE_CHOICES = (SCHOOL_STAFF, DISTRICT_VIEWER, DISTRICT_ADMIN)


async def _page(
    request: Request[Any, Any, Any],
    principal: Principal,
    pages: Pages,
    engine: AsyncEngine,
    problem: AccountError | None = None,
    typed: dict[str, list[str]] | None = None,
) -> Template:
    view = await accounts.accounts_view(engine, principal)
    form = typed or {}
    return pages.render(
        request,
        "staff/accounts.html",
        status_code=400 if problem else 200,
        principal=principal,
        accounts=view.accounts,
        schools=view.schools,
        roles=ROLE_CHOICES,
        problem=problem,
        typed_email=text(form, "email"),
        typed_role=text(form, "role") or SCHOOL_STAFF,
        typed_schools=set(values(form, "schools")),
    )


@get("/accounts")
async def accounts_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
) -> Template:
    """Every account, and the form to add one."""
    return await _page(request, principal, pages, engine)


@post("/accounts", request_max_body_size=MAX_FORM, status_code=303)
async def add_account(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
) -> Response[Any]:
    """Create an account with a first password the person changes after signing in."""
    form = await read_form(request)
    try:
        await accounts.add_account(
            engine,
            principal,
            text(form, "email"),
            text(form, "role"),
            (form.get("password") or [""])[0],
            values(form, "schools"),
        )
    except AccountError as error:
        # Everything typed comes back but the password, which is never sent to a page.
        return await _page(request, principal, pages, engine, error, form)
    return Redirect("/staff/accounts", status_code=303)


async def _account(engine: AsyncEngine, account_id: int) -> AccountInfo:
    found = next((a for a in await accounts.all_accounts(engine) if a.id == account_id), None)
    if found is None:
        raise NotFoundException()
    return found


@get("/accounts/{account_id:int}/disable")
async def confirm_disable(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
    account_id: FromPath[int],
) -> Template:
    """Ask before disabling: the person is signed out at once and cannot sign in again."""
    account = await _account(engine, account_id)
    view = await accounts.accounts_view(engine, principal)
    return pages.render(
        request,
        "staff/account_disable.html",
        principal=principal,
        account=account,
        own=principal.kind == "account" and principal.id == account.id,
        school_names=dict(view.schools),
    )


async def _switch(
    request: Request[Any, Any, Any],
    principal: Principal,
    pages: Pages,
    engine: AsyncEngine,
    account_id: int,
    disabled: bool,
) -> Response[Any]:
    try:
        found = await accounts.switch_account(engine, principal, account_id, disabled=disabled)
    except AccountError as error:
        return await _page(request, principal, pages, engine, error)
    if found is None:
        raise NotFoundException()
    return Redirect("/staff/accounts", status_code=303)


@post("/accounts/{account_id:int}/disable", request_max_body_size=MAX_FORM, status_code=303)
async def disable_account(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
    account_id: FromPath[int],
) -> Response[Any]:
    """Disable an account; its sessions end at once."""
    return await _switch(request, principal, pages, engine, account_id, True)


@post("/accounts/{account_id:int}/enable", request_max_body_size=MAX_FORM, status_code=303)
async def enable_account(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
    account_id: FromPath[int],
) -> Response[Any]:
    """Enable a disabled account again."""
    return await _switch(request, principal, pages, engine, account_id, False)
