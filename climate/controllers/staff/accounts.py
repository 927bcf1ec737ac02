"""Accounts: list, create, disable and enable (district admins)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncEngine

from climate import administrations as admins
from climate.controllers.staff.forms import read_form, text, values
from climate.pages import Pages
from climate.security import audit
from climate.security.accounts import AccountError, create_account, list_accounts, set_disabled
from climate.security.principals import ROLES, Principal

MAX_FORM = 16 * 1024


async def _page(
    request: Request[Any, Any, Any],
    principal: Principal,
    pages: Pages,
    engine: AsyncEngine,
    problem: str | None,
    status: int = 200,
) -> Template:
    async with engine.connect() as conn:
        accounts = await list_accounts(conn)
        schools = await admins.all_schools(conn, principal)
    return pages.render(
        request,
        "staff/accounts.html",
        status_code=status,
        principal=principal,
        accounts=accounts,
        schools=schools,
        roles=ROLES,
        problem=problem,
    )


@get("/accounts")
async def accounts_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
) -> Template:
    """Every account, and the form to add one."""
    return await _page(request, principal, pages, engine, None)


@post("/accounts", request_max_body_size=MAX_FORM, status_code=303)
async def add_account(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
) -> Response[Any]:
    """Create an account with a first password the person changes after signing in."""
    form = await read_form(request)
    email, role = text(form, "email"), text(form, "role")
    try:
        async with engine.begin() as conn:
            account_id = await create_account(
                conn, email, role, (form.get("password") or [""])[0], values(form, "schools")
            )
            await audit.record(
                conn,
                principal,
                audit.ACCOUNT_CREATED,
                email.strip().lower(),
                detail={
                    "id": account_id,
                    "role": role,
                    "schools": ",".join(values(form, "schools")),
                },
            )
    except AccountError as error:
        return await _page(request, principal, pages, engine, str(error), status=400)
    return Redirect("/staff/accounts", status_code=303)


async def _set(
    request: Request[Any, Any, Any],
    principal: Principal,
    pages: Pages,
    engine: AsyncEngine,
    account_id: int,
    disabled: bool,
) -> Response[Any]:
    if disabled and account_id == principal.id:
        problem = "you cannot disable your own account"
        return await _page(request, principal, pages, engine, problem, status=400)
    async with engine.begin() as conn:
        accounts = {a.id: a for a in await list_accounts(conn)}
        if account_id not in accounts:
            raise NotFoundException()
        if await set_disabled(conn, account_id, disabled):
            action = audit.ACCOUNT_DISABLED if disabled else audit.ACCOUNT_ENABLED
            await audit.record(conn, principal, action, accounts[account_id].email)
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
    return await _set(request, principal, pages, engine, account_id, True)


@post("/accounts/{account_id:int}/enable", request_max_body_size=MAX_FORM, status_code=303)
async def enable_account(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
    account_id: FromPath[int],
) -> Response[Any]:
    """Enable a disabled account again."""
    return await _set(request, principal, pages, engine, account_id, False)
