"""The reports index: every report the signed-in account may open, grouped by school."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncEngine

from climate.pages import Pages
from climate.reports.index import report_index
from climate.security.principals import Principal


@get("/reports")
async def reports_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
) -> Template:
    """The dashboard's years and each school's report years, newest first."""
    return await with_index(request, principal, pages, engine, "staff/reports.html")


async def with_index(
    request: Request[Any, Any, Any],
    principal: Principal,
    pages: Pages,
    engine: AsyncEngine,
    template: str,
) -> Template:
    """``template`` with the reports ``principal`` may open (the home page shows them too)."""
    async with engine.connect() as conn:
        index = await report_index(conn, principal)
    return pages.render(
        request,
        template,
        principal=principal,
        index=index,
    )
