"""What report pages read: protected releases, and public facts about schools (never responses)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from analysis.disclosure import Policy
from climate.exports.files import district_name
from climate.instruments import Instrument
from climate.instruments.registry import instrument_of
from climate.models import Administration, Enrollment, InstrumentVersion, School, Staffing
from climate.release.pipeline import year_releases
from climate.release.result import YearRelease
from climate.security.principals import Principal
from climate.security.scoping import school_filter
from climate.settings import Settings

# A report shows at most this many survey years: enough for a trend, short enough to read.
YEARS_ON_SHOW = 5


@dataclass(frozen=True, slots=True)
class SchoolFacts:
    """Public facts of one school in one year: enrollment and support staff."""

    school_id: str
    name: str
    enrollment: int | None
    fte: dict[str, float]
    grades: dict[int, int] = field(default_factory=dict)

    def surveyed(self, instrument: Instrument | None) -> int | None:
        """Students enrolled in the grades an instrument surveys (all grades without one).

        A response rate divides by these: an elementary survey of grades 3-5 asks no one
        in kindergarten to grade 2.
        """
        if instrument is None or not self.grades:
            return self.enrollment
        low, high = instrument.grade_band
        return sum(n for grade, n in self.grades.items() if low <= grade <= high)


async def closed_years(conn: AsyncConnection) -> tuple[int, ...]:
    """School years with a closed administration, oldest first."""
    found = await conn.scalars(
        select(Administration.school_year)
        .where(Administration.status == "closed")
        .distinct()
        .order_by(Administration.school_year)
    )
    return tuple(int(y) for y in found)


def years_on_show(available: tuple[int, ...], year: int) -> tuple[int, ...]:
    """The year asked for and up to four closed years before it."""
    return tuple(y for y in available if y <= year)[-YEARS_ON_SHOW:]


async def visible_school(conn: AsyncConnection, principal: Principal, school_id: str) -> str | None:
    """The school's name when the caller may see it (scoped in the query), else None."""
    name = await conn.scalar(
        select(School.name).where(School.id == school_id, school_filter(principal, School.id))
    )
    return None if name is None else str(name)


async def releases(
    engine: AsyncEngine, years: tuple[int, ...], settings: Settings
) -> tuple[YearRelease, ...]:
    """Every instrument's protected release for each year (cached by the pipeline).

    The district name and policy are the ones exports use, so a page and a download of
    the same data are the same release.
    """
    name = await district_name(engine, settings)
    policy = Policy(k=settings.suppression_k)
    found: list[YearRelease] = []
    for year in years:
        found.extend(await year_releases(engine, year, district_name=name, policy=policy))
    return tuple(found)


async def instrument(conn: AsyncConnection, instrument_id: str, version: str) -> Instrument | None:
    """The instrument version a release was made from (for labels and item wording)."""
    text = await conn.scalar(
        select(InstrumentVersion.source).where(
            InstrumentVersion.instrument_id == instrument_id,
            InstrumentVersion.version == version,
        )
    )
    if text is None:
        return None
    row = InstrumentVersion(instrument_id=instrument_id, version=version, source=text)
    return instrument_of(row)


async def school_facts(
    conn: AsyncConnection, principal: Principal, year: int
) -> dict[str, SchoolFacts]:
    """Enrollment and current FTE per school the caller may see, for one year."""
    names = {
        str(i): str(n)
        for i, n in (
            await conn.execute(
                select(School.id, School.name).where(school_filter(principal, School.id))
            )
        ).all()
    }
    grades: dict[str, dict[int, int]] = defaultdict(dict)
    for school, grade, students in (
        await conn.execute(
            select(Enrollment.school_id, Enrollment.grade, Enrollment.students).where(
                Enrollment.year == year, school_filter(principal, Enrollment.school_id)
            )
        )
    ).all():
        grades[str(school)][int(grade)] = int(students)
    enrolled = {school: sum(by_grade.values()) for school, by_grade in grades.items()}
    fte: dict[str, dict[str, float]] = defaultdict(dict)
    for school, role, value in (
        await conn.execute(
            select(Staffing.school_id, Staffing.role, Staffing.fte).where(
                Staffing.year == year, school_filter(principal, Staffing.school_id)
            )
        )
    ).all():
        fte[str(school)][str(role)] = float(value)
    return {
        school: SchoolFacts(
            school, name, enrolled.get(school), dict(fte.get(school, {})), grades.get(school, {})
        )
        for school, name in sorted(names.items())
    }


def chosen_year(available: tuple[int, ...], asked: int | None) -> int | None:
    """The year asked for when it is closed, the newest closed one when none is asked."""
    if not available:
        return None
    if asked is None:
        return available[-1]
    return asked if asked in available else None
