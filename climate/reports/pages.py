"""What the two report pages show: a counselor's school report and the district dashboard.

Each page is made by one function: it finds the year asked for among the closed years,
gathers the protected releases on show, records the view in the audit log (in its own
transaction, before the page is made, so a page that fails to render is still recorded),
reads the instruments and the public facts of the schools, and returns a frozen value that
the template only lays out. None means there is nothing the caller may see: the handler
answers 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from climate.i18n import Catalogs
from climate.release.result import YearRelease
from climate.reports import district, source
from climate.reports.district import InstrumentView
from climate.reports.formatting import Formatter
from climate.reports.labels import Labels
from climate.reports.next_steps import NextSteps, next_steps_for
from climate.reports.published import Published, school_names
from climate.reports.school import SchoolReport, response_rate, school_report
from climate.reports.staffing import StaffingView, staffing_view
from climate.reports.support import Support, newest_support, support_table
from climate.security import audit
from climate.security.principals import Principal
from climate.settings import Settings
from climate.staffing import plan_for


@dataclass(frozen=True, slots=True)
class SchoolReportPage:
    """One school's report in one year, with the facts shown beside it."""

    year: int
    report: SchoolReport
    school_id: str
    school_name: str
    release: YearRelease
    enrollment: str
    rate: str
    protected_on: str
    years_available: tuple[tuple[int, str], ...]
    # The date a printout carries: the day the page was made.
    printed_on: str
    next_steps: NextSteps


@dataclass(frozen=True, slots=True)
class DashboardPage:
    """Every school side by side in one year, per instrument, and the staffing plan's totals."""

    year: int
    years: tuple[int, ...]
    views: tuple[InstrumentView, ...]
    # The plan's district totals; the staffing page holds the plan itself.
    staffing: StaffingView | None
    schools: int
    declines: str
    releases: tuple[YearRelease, ...]
    # Counselors, psychologists and social workers beside sworn officers (CRDC), if imported.
    support: Support | None = None


async def school_report_for(
    engine: AsyncEngine,
    settings: Settings,
    catalogs: Catalogs,
    principal: Principal,
    school_id: str,
    *,
    year: int | None,
    scale: str | None,
    lang: str,
) -> SchoolReportPage | None:
    """The report of a school ``principal`` may see, recorded as viewed; None when hidden."""
    async with engine.connect() as conn:
        name = await source.visible_school(conn, principal, school_id)
        closed = await source.closed_years(conn)
    chosen = source.chosen_year(closed, year)
    if name is None or chosen is None:
        return None
    available = source.years_on_show(closed, chosen)
    found = await source.releases(engine, available, settings)
    mine = [r for r in found if school_id in r.schools and r.year == chosen]
    if not mine:
        return None
    newest = mine[0]
    published = Published.of(r for r in found if r.instrument_id == newest.instrument_id)
    async with engine.begin() as conn:
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
    labels = Labels(catalogs.translations(lang).gettext, catalogs.instrument_text(lang), instrument)
    fmt = Formatter.for_language(lang)
    fact = facts.get(school_id)
    enrollment = fact.surveyed(instrument) if fact else None
    return SchoolReportPage(
        year=chosen,
        report=school_report(published, school_id, name, labels, fmt, scale),
        school_id=school_id,
        school_name=name,
        release=newest,
        enrollment=fmt.integer(enrollment) if enrollment is not None else "–",
        rate=response_rate(published.n_band(chosen, school_id), enrollment, fmt),
        protected_on=fmt.date(dt.datetime.fromisoformat(newest.protected_at).date()),
        years_available=tuple((y, fmt.school_year(y)) for y in available),
        printed_on=fmt.date(dt.datetime.now(dt.UTC).date()),
        next_steps=next_steps_for(settings.next_steps, lang, catalogs.translations(lang).gettext),
    )


async def dashboard_for(
    engine: AsyncEngine,
    settings: Settings,
    catalogs: Catalogs,
    principal: Principal,
    *,
    year: int | None,
    sort: str,
    order: str,
    lang: str,
) -> DashboardPage | None:
    """The district dashboard of a closed year, recorded as viewed; None when there is none."""
    async with engine.connect() as conn:
        closed = await source.closed_years(conn)
    chosen = source.chosen_year(closed, year)
    if chosen is None:
        return None
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
        crdc = await newest_support(conn, chosen)
        instruments = {
            key: await source.instrument(conn, key, table.releases[-1].instrument_version)
            for key, table in tables.items()
        }
    gettext = catalogs.translations(lang).gettext
    fmt = Formatter.for_language(lang)
    views = tuple(
        district.instrument_view(
            table,
            facts,
            Labels(gettext, catalogs.instrument_text(lang), instruments[key]),
            fmt,
            sort=sort,
            order=order,
            lang=lang,
        )
        for key, table in tables.items()
    )
    # The district's plan, the one `climate staffing plan` writes: only district roles see
    # this page (climate.security.permissions), so it is never cut to a viewer's schools.
    staffing = await plan_for(engine, settings, chosen)
    newest = tuple(r for r in found if r.year == chosen)
    return DashboardPage(
        year=chosen,
        years=closed,
        views=views,
        staffing=staffing_view(staffing.plan, staffing.board, fmt, gettext) if staffing else None,
        schools=len(school_names(newest)),
        declines=fmt.integer(sum(r.declines for r in newest)),
        releases=newest,
        support=support_table(
            crdc, {**school_names(found), **{k: f.name for k, f in facts.items()}}, fmt
        ),
    )


def _by_instrument(found: tuple[YearRelease, ...]) -> dict[str, Published]:
    grouped: dict[str, list[YearRelease]] = {}
    for release in found:
        grouped.setdefault(release.instrument_id, []).append(release)
    return {key: Published.of(value) for key, value in sorted(grouped.items())}
