"""Report pages under ``/staff/reports``: the counselor's school report and the district dashboard.

Every number on them comes from the protected release (``climate.release``); charts are drawn
from published strings by ``analysis.plots``. ``reports_router()`` carries the staff pages'
error pages; access rules live in ``climate.security.permissions``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from litestar import Request, Router, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncEngine

from climate.controllers.staff.errors import EXCEPTION_HANDLERS
from climate.i18n import language_name
from climate.pages import Pages
from climate.release.result import YearRelease
from climate.reports import district, source
from climate.reports.formatting import Formatter
from climate.reports.labels import Labels
from climate.reports.published import Published, school_names
from climate.reports.school import response_rate, school_report
from climate.reports.staffing import plan_rows
from climate.security import audit
from climate.security.principals import Principal
from climate.security.scoping import require_school
from climate.settings import Settings
from climate.staffing import plan_for

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


def _by_instrument(found: tuple[YearRelease, ...]) -> dict[str, Published]:
    grouped: dict[str, list[YearRelease]] = {}
    for release in found:
        grouped.setdefault(release.instrument_id, []).append(release)
    return {key: Published.of(value) for key, value in sorted(grouped.items())}


def _year(available: tuple[int, ...], asked: int | None) -> int:
    if not available:
        raise NotFoundException()
    if asked is None:
        return available[-1]
    if asked not in available:
        raise NotFoundException()
    return asked


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
    """One school's report: headline trends, what changed, gaps, items and response."""
    require_school(principal, school_id)
    lang = pages.locale(request)
    async with engine.connect() as conn:
        name = await source.visible_school(conn, principal, school_id)
        if name is None:
            raise NotFoundException()
        chosen = _year(await source.closed_years(conn), year)
        available = source.years_on_show(await source.closed_years(conn), chosen)
    found = await source.releases(engine, available, settings)
    mine = [r for r in found if school_id in r.schools and r.year == chosen]
    if not mine:
        raise NotFoundException()
    newest = mine[0]
    published = Published.of(r for r in found if r.instrument_id == newest.instrument_id)
    async with engine.begin() as conn:
        # The view is recorded before the page is made, in its own transaction.
        await audit.record(
            conn,
            principal,
            audit.VIEWED_REPORT,
            f"school report {chosen}",
            school_id=school_id,
            detail={"release": newest.release_id},
        )
        instrument = await source.instrument(conn, newest.instrument_id, newest.instrument_version)
        facts = await source.school_facts(conn, principal, chosen)
    labels = Labels(pages.gettext(lang), pages.catalogs.instrument_text(lang), instrument)
    fmt = Formatter.for_language(lang)
    report = school_report(published, school_id, name, labels, fmt, scale)
    fact = facts.get(school_id)
    enrollment = fact.enrollment if fact else None
    return pages.render(
        request,
        "reports/school.html",
        principal=principal,
        report=report,
        school_id=school_id,
        school_name=name,
        release=newest,
        enrollment=fmt.integer(enrollment) if enrollment is not None else "–",
        rate=response_rate(published.n_band(chosen, school_id), enrollment, fmt),
        declines=fmt.integer(newest.declines),
        protected_on=fmt.date(_date(newest.protected_at)),
        years_available=available,
        report_languages=_languages(settings),
        here=f"/staff/reports/schools/{quote(school_id)}?year={chosen}&",
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
    async with engine.connect() as conn:
        closed = await source.closed_years(conn)
        chosen = _year(closed, year)
    found = await source.releases(engine, source.years_on_show(closed, chosen), settings)
    tables = {k: v for k, v in _by_instrument(found).items() if chosen in v.years}
    async with engine.begin() as conn:
        await audit.record(
            conn,
            principal,
            audit.VIEWED_REPORT,
            f"district dashboard {chosen}",
            detail={"releases": ",".join(sorted(r.release_id for r in found if r.year == chosen))},
        )
        facts = await source.school_facts(conn, principal, chosen)
        instruments = {
            key: await source.instrument(conn, key, table.releases[-1].instrument_version)
            for key, table in tables.items()
        }
    gettext = pages.gettext(lang)
    fmt = Formatter.for_language(lang)
    views = [
        district.instrument_view(
            table,
            facts,
            Labels(gettext, pages.catalogs.instrument_text(lang), instruments[key]),
            fmt,
            sort=sort,
            order=order,
            lang=lang,
        )
        for key, table in tables.items()
    ]
    # The district's plan, the one `climate staffing plan` writes: only district roles see
    # this page (climate.security.permissions), so it is never cut to a viewer's schools.
    staffing = await plan_for(engine, settings, chosen)
    newest = [r for r in found if r.year == chosen]
    return pages.render(
        request,
        "reports/district.html",
        principal=principal,
        year=chosen,
        years=closed,
        views=views,
        plan=plan_rows(staffing.plan, fmt, gettext) if staffing else (),
        schools=len(school_names(newest)),
        declines=fmt.integer(sum(r.declines for r in newest)),
        releases=newest,
        formats=FORMATS,
        report_languages=_languages(settings),
        here=f"/staff/reports/district?year={chosen}&sort={quote(sort)}&order={order}&",
        export_url=export_url,
    )


def _date(text: str) -> dt.date:
    return dt.datetime.fromisoformat(text).date()


def reports_router() -> Router:
    """A fresh router of the report pages (each app gets its own)."""
    return Router(
        path="/staff/reports",
        route_handlers=[school_page, district_page],
        exception_handlers=EXCEPTION_HANDLERS,
        include_in_schema=False,
    )
