"""The audit log: newest events on a page, and the whole log as CSV (itself recorded)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncEngine

from climate.pages import Pages
from climate.security import audit
from climate.security.principals import Principal

PAGE = 200


@get("/audit")
async def audit_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
    action: FromQuery[str | None] = None,
) -> Template:
    """The newest events, optionally of one kind."""
    chosen = action if action in audit.ACTIONS else None
    found = await audit.newest(engine, limit=PAGE, action=chosen)
    return pages.render(
        request,
        "staff/audit.html",
        principal=principal,
        events=found,
        actions=audit.ACTIONS,
        action=chosen,
    )


@get("/audit.csv")
async def audit_export(
    principal: NamedDependency[Principal], engine: NamedDependency[AsyncEngine]
) -> Response[str]:
    """Every event as CSV; the export is recorded before the file is made."""
    return Response(
        await audit.export_csv(engine, principal),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )
