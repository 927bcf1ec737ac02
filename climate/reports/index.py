"""Which reports a staff member may open: their schools by name, each with its report years.

The staff home and the reports index both lay out one ``ReportIndex``. It asks the same two
questions the report pages answer: which schools the caller may see (scoped in SQL, as
``climate.security.scoping`` requires) and whether their role may open the district
dashboard (the rule in ``climate.security.permissions``). A school has a report for a year
when a closed administration of that year took part in it: that is what puts the school in
the year's protected release. Nothing here reads a response.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from climate.models import Administration, AdministrationSchool, School
from climate.reports.source import closed_years
from climate.security.permissions import allowed
from climate.security.principals import Principal
from climate.security.scoping import school_filter

REPORTS_PATH = "/staff/reports"
SCHOOL_REPORT = f"{REPORTS_PATH}/schools/{{school_id}}"
DASHBOARD = f"{REPORTS_PATH}/district"


@dataclass(frozen=True, slots=True)
class SchoolReports:
    """One school the caller may see, and the years it has a report, newest first."""

    school_id: str
    name: str
    years: tuple[int, ...]

    @property
    def latest(self) -> int | None:
        """The newest year with a report, or None before the school's first closed survey."""
        return self.years[0] if self.years else None

    @property
    def earlier(self) -> tuple[int, ...]:
        """Every year with a report but the newest."""
        return self.years[1:]

    def url(self, year: int) -> str:
        """The address of this school's report for ``year``."""
        return f"{REPORTS_PATH}/schools/{quote(self.school_id, safe='')}?year={year}"


@dataclass(frozen=True, slots=True)
class ReportIndex:
    """Every report one caller may open: the dashboard's years and their schools' reports."""

    schools: tuple[SchoolReports, ...]
    # Empty when the caller's role may not open the dashboard, or before any closed year.
    dashboard_years: tuple[int, ...]
    sees_dashboard: bool

    @property
    def reports(self) -> int:
        """How many school reports are listed (each school and year is one)."""
        return sum(len(school.years) for school in self.schools)

    @staticmethod
    def dashboard_url(year: int) -> str:
        """The address of the district dashboard for ``year``."""
        return f"{DASHBOARD}?year={year}"


def may_read_school_reports(principal: Principal) -> bool:
    """Whether the caller's role may open a school report at all (its schools decide which)."""
    return allowed(SCHOOL_REPORT, "GET", principal.role)


def may_read_dashboard(principal: Principal) -> bool:
    """Whether the caller's role may open the district dashboard."""
    return allowed(DASHBOARD, "GET", principal.role)


async def report_index(conn: AsyncConnection, principal: Principal) -> ReportIndex:
    """The reports ``principal`` may open, schools by name, newest year first."""
    dashboard = may_read_dashboard(principal)
    years = tuple(reversed(await closed_years(conn))) if dashboard else ()
    if not may_read_school_reports(principal):
        return ReportIndex((), years, dashboard)
    names = dict(
        (
            await conn.execute(
                select(School.id, School.name).where(school_filter(principal, School.id))
            )
        )
        .tuples()
        .all()
    )
    closed = (
        await conn.execute(
            select(AdministrationSchool.school_id, Administration.school_year)
            .join(Administration, Administration.id == AdministrationSchool.administration_id)
            .where(
                Administration.status == "closed",
                school_filter(principal, AdministrationSchool.school_id),
            )
            .distinct()
        )
    ).tuples()
    by_school: dict[str, set[int]] = defaultdict(set)
    for school_id, year in closed:
        by_school[str(school_id)].add(int(year))
    schools = sorted(
        (
            SchoolReports(str(sid), str(name), tuple(sorted(by_school[str(sid)], reverse=True)))
            for sid, name in names.items()
        ),
        key=lambda school: (school.name.casefold(), school.school_id),
    )
    return ReportIndex(tuple(schools), years, dashboard)
