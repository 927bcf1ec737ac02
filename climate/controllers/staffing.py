"""The staffing plan under ``/staff/reports/staffing``: the page, the board memo and downloads.

District roles only (``climate.security.permissions``): the plan is the whole district's, so
school staff are refused (403). The page, the memo and the CSV/XLSX are all made from one
``plan_for()`` result (``climate.reports.staffing``), so they cannot disagree.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Literal

from litestar import Request, Response, Router, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncEngine

from climate.controllers.staff.errors import EXCEPTION_HANDLERS
from climate.exports.files import MEDIA_TYPES
from climate.exports.staffing import write_csv, write_xlsx
from climate.i18n import language_name
from climate.pages import Pages
from climate.reports.staffing import PolicyProblem, StaffingPage, staffing_page_for
from climate.security import audit
from climate.security.principals import Principal
from climate.settings import Settings

PATH = "/staff/reports/staffing"
Format = Literal["csv", "xlsx"]


def download_url(year: int, fmt: str) -> str:
    """The link of one download of the year's plan."""
    return f"{PATH}/download?year={year}&format={fmt}"


async def _page(
    request: Request[Any, Any, Any],
    pages: Pages,
    engine: AsyncEngine,
    settings: Settings,
    principal: Principal,
    year: int | None,
    *,
    action: str = audit.VIEWED_REPORT,
    target: str = "staffing plan",
) -> StaffingPage | Template:
    """The year's plan, or the page that says the district's policy file is wrong."""
    try:
        page = await staffing_page_for(
            engine,
            settings,
            pages.catalogs,
            principal,
            year=year,
            lang=pages.locale(request),
            action=action,
            target=target,
        )
    except PolicyProblem as problem:
        # The district's own file is wrong: say where, change nothing, and never a 500.
        return pages.render(
            request,
            "reports/staffing.html",
            status_code=503,
            principal=principal,
            problem=str(problem),
            page=None,
            report_languages=[],
        )
    if page is None:
        raise NotFoundException()
    return page


@get("/")
async def staffing_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
    settings: NamedDependency[Settings],
    year: FromQuery[int | None] = None,
) -> Template:
    """The district's staffing plan: totals, costs of each standard, the ranked list."""
    page = await _page(request, pages, engine, settings, principal, year)
    if isinstance(page, Template):
        return page
    return pages.render(
        request,
        "reports/staffing.html",
        principal=principal,
        page=page,
        plan=page.view,
        problem=None,
        report_languages=[(c, language_name(c)) for c in settings.accepted_locales],
        here=f"{PATH}?year={page.year}&",
        download_url=download_url,
    )


@get("/memo")
async def staffing_memo(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
    settings: NamedDependency[Settings],
    year: FromQuery[int | None] = None,
) -> Template:
    """The board memo: two printed pages of need, gap, cost, priorities and method."""
    page = await _page(
        request, pages, engine, settings, principal, year, target="staffing board memo"
    )
    if isinstance(page, Template):
        return page
    return pages.render(
        request,
        "reports/memo.html",
        principal=principal,
        page=page,
        plan=page.view,
        here=f"{PATH}/memo?year={page.year}&",
        report_languages=[(c, language_name(c)) for c in settings.accepted_locales],
    )


@get("/download", cache=False)
async def staffing_download(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
    settings: NamedDependency[Settings],
    format: FromQuery[Format],
    year: FromQuery[int | None] = None,
) -> Response[bytes] | Template:
    """The plan as CSV or XLSX: the same rows, in the same order, as the page."""
    page = await _page(
        request,
        pages,
        engine,
        settings,
        principal,
        year,
        action=audit.EXPORTED,
        target=f"staffing plan.{format}",
    )
    if isinstance(page, Template):
        return page
    plan, board = page.found.plan, page.found.board
    name = f"staffing_plan_{page.year}.{format}"
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / name
        if format == "csv":
            write_csv(plan, out, board=board)
        else:
            write_xlsx(plan, out, board=board)
        content = out.read_bytes()
    return Response(
        content,
        media_type=MEDIA_TYPES[format],
        headers={
            "content-disposition": f'attachment; filename="{name}"',
            "cache-control": "no-store",
        },
    )


def staffing_router() -> Router:
    """A fresh router of the staffing plan's page, memo and downloads (each app gets its own)."""
    return Router(
        path=PATH,
        route_handlers=[staffing_page, staffing_memo, staffing_download],
        exception_handlers=EXCEPTION_HANDLERS,
        include_in_schema=False,
    )
