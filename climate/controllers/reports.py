"""Report pages under ``/staff/reports``: the counselor's school report and the district dashboard.

Every number on them comes from the protected release (``climate.release``); charts are drawn
from published strings by ``analysis.plots``. What a page shows is made by
``climate.reports.pages``; ``reports_router()`` carries the staff pages' error pages; access
rules live in ``climate.security.permissions``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, Router, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncEngine

from climate.controllers.staff.errors import EXCEPTION_HANDLERS
from climate.i18n import language_name
from climate.pages import Pages
from climate.reports import district
from climate.reports.formatting import Formatter
from climate.reports.pages import dashboard_for, school_report_for
from climate.reports.participation import participation_for
from climate.security.principals import Principal
from climate.security.scoping import may_see
from climate.settings import Settings

# Where the export downloads are served (climate.controllers.exports).
EXPORTS_PATH = "/staff/exports"
# The export formats the issue fixes (climate.exports.FORMATS).
FORMATS = ("csv", "xlsx", "json")


def export_url(year: int, fmt: str, school: str | None = None) -> str:
    """The download link of one export of the protected release."""
    tail = f"&school={quote(school)}" if school else ""
    return f"{EXPORTS_PATH}?year={year}&format={fmt}{tail}"


def _languages(settings: Settings) -> list[tuple[str, str]]:
    return [(code, language_name(code)) for code in settings.accepted_locales]


@get("/schools/{school_id:str}")
async def school_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
    settings: NamedDependency[Settings],
    school_id: FromPath[str],
    year: FromQuery[int | None] = None,
    scale: FromQuery[str | None] = None,
) -> Template:
    """One school's report: a summary first, then trends, what changed, gaps and items."""
    if not may_see(principal, school_id):
        # Refused, not "not found": the same answer for every school that is not the caller's.
        raise PermissionDeniedException("this report is not one of your schools'")
    lang = pages.locale(request)
    page = await school_report_for(
        engine, settings, pages.catalogs, principal, school_id, year=year, scale=scale, lang=lang
    )
    if page is None:
        raise NotFoundException()
    return pages.render(
        request,
        "reports/school.html",
        principal=principal,
        report=page.report,
        school_id=page.school_id,
        school_name=page.school_name,
        release=page.release,
        enrollment=page.enrollment,
        rate=page.rate,
        protected_on=page.protected_on,
        years_available=page.years_available,
        printed_on=page.printed_on,
        steps=page.next_steps,
        report_languages=_languages(settings),
        here=f"/staff/reports/schools/{quote(school_id)}?year={page.year}&",
        export_url=export_url,
    )


@get("/district")
async def district_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
    settings: NamedDependency[Settings],
    year: FromQuery[int | None] = None,
    sort: FromQuery[str] = district.NAME,
    order: FromQuery[str] = "asc",
) -> Template:
    """Every school side by side, heat maps, district trends, the staffing plan and exports."""
    lang = pages.locale(request)
    order = order if order in district.ORDERS else "asc"
    page = await dashboard_for(
        engine, settings, pages.catalogs, principal, year=year, sort=sort, order=order, lang=lang
    )
    if page is None:
        raise NotFoundException()
    gettext = pages.catalogs.translations(lang).gettext
    windows = await participation_for(engine, principal, Formatter.for_language(lang), gettext)
    return pages.render(
        request,
        "reports/district.html",
        principal=principal,
        year=page.year,
        years=page.years,
        views=page.views,
        staffing=page.staffing,
        support=page.support,
        windows=windows,
        schools=page.schools,
        declines=page.declines,
        releases=page.releases,
        formats=FORMATS,
        report_languages=_languages(settings),
        here=f"/staff/reports/district?year={page.year}&sort={quote(sort)}&order={order}&",
        export_url=export_url,
    )


@get("/participation")
async def participation_page(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    pages: NamedDependency[Pages],
    engine: NamedDependency[AsyncEngine],
    settings: NamedDependency[Settings],
) -> Template:
    """Submissions so far in every open window, per school the caller may see; no answers."""
    lang = pages.locale(request)
    gettext = pages.catalogs.translations(lang).gettext
    windows = await participation_for(engine, principal, Formatter.for_language(lang), gettext)
    return pages.render(
        request,
        "reports/participation.html",
        principal=principal,
        windows=windows,
        report_languages=_languages(settings),
        here="/staff/reports/participation?",
    )


def reports_router() -> Router:
    """A fresh router of the report pages (each app gets its own)."""
    return Router(
        path="/staff/reports",
        route_handlers=[school_page, district_page, participation_page],
        exception_handlers=EXCEPTION_HANDLERS,
        include_in_schema=False,
    )
