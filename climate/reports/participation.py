"""Live participation: how many students have taken each open survey so far, per school.

While a window is open, a leader needs to see which school needs a reminder; the protected
release that reports use exists only once the window closes. What is counted here is safe to
show during the window because it says only that someone took part, never what they answered:

- one number per school and survey (an administration surveys one grade band, such as grades
  3-5), counted from the rows stored so far: sealed submissions (``sealed_response``, whose
  administration and school are in the clear by design) and any plain ``response`` rows of the
  window (responses brought in by import). Nothing is opened or decrypted to count them.
- never a count per grade, language, day, demographic or answer: a grade's count would need
  the sealed rows opened, and beside a small school's enrolment it could point at a student.
- no time of day and no date of a submission; the page says only that the counts are as of
  when it was loaded. Declines are not shown while a window is open.
- a count below the suppression k is shown exactly ("3 of 40"): it tells only that three
  students took part, which is not an answer, and the closed window's release publishes each
  school's respondents exactly anyway.

Enrolment comes from the rosters: the students of the school in the grades the window
surveys, in its school year. District roles see every school; school staff see only their
own, in the query (``climate.security.scoping``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from climate.models import (
    Administration,
    AdministrationSchool,
    Enrollment,
    School,
    response,
    sealed_response,
)
from climate.reports.formatting import Formatter
from climate.security.principals import Principal
from climate.security.scoping import school_filter

Translate = Callable[[str], str]
OPEN = "open"


@dataclass(frozen=True, slots=True)
class SchoolCount:
    """One school's submissions so far in one open window, against its enrolment."""

    school_id: str
    name: str
    responses: int
    enrolled: int | None
    # As shown: "87", "240", "36%" (or a dash when enrolment is unknown).
    shown_responses: str
    shown_enrolled: str
    rate: str


@dataclass(frozen=True, slots=True)
class OpenWindow:
    """One open administration: its grade band and every school's count so far."""

    administration_id: int
    name: str
    level: str
    closes_on: str
    schools: tuple[SchoolCount, ...]
    total: SchoolCount


def level_title(grades: Sequence[int], _: Translate) -> str:
    """A grade band named as a school level: "Elementary (grades 3-5)"."""
    if not grades:
        return _("All grades")
    low, high = min(grades), max(grades)
    if high <= 5:
        level = _("Elementary")
    elif low >= 9:
        level = _("High school")
    elif low >= 6 and high <= 8:
        level = _("Middle school")
    else:
        level = _("Secondary")
    return _("%(level)s (grades %(low)s-%(high)s)") % {"level": level, "low": low, "high": high}


def _count(
    school_id: str, name: str, responses: int, enrolled: int | None, fmt: Formatter
) -> SchoolCount:
    rate = "–" if not enrolled else fmt.share(min(responses / enrolled, 1.0))
    return SchoolCount(
        school_id,
        name,
        responses,
        enrolled,
        fmt.integer(responses),
        "–" if enrolled is None else fmt.integer(enrolled),
        rate,
    )


async def _stored(conn: AsyncConnection, principal: Principal) -> dict[tuple[int, str], int]:
    """Rows stored so far per open administration and school (sealed and plain alike)."""
    counts: dict[tuple[int, str], int] = defaultdict(int)
    opened = select(Administration.id).where(Administration.status == OPEN)
    for table in (sealed_response, response):
        found = await conn.execute(
            select(table.c.administration_id, table.c.school_id, func.count())
            .where(
                table.c.administration_id.in_(opened),
                school_filter(principal, table.c.school_id),
            )
            .group_by(table.c.administration_id, table.c.school_id)
        )
        for administration_id, school_id, n in found.tuples():
            counts[(int(administration_id), str(school_id))] += int(n)
    return counts


async def _enrolled(
    conn: AsyncConnection, principal: Principal, years: set[int]
) -> dict[tuple[int, str, int], int]:
    """Students per school year, school and grade, for the schools the caller may see."""
    found = await conn.execute(
        select(Enrollment.year, Enrollment.school_id, Enrollment.grade, Enrollment.students).where(
            Enrollment.year.in_(sorted(years)), school_filter(principal, Enrollment.school_id)
        )
    )
    return {(int(y), str(s), int(g)): int(n) for y, s, g, n in found.tuples()}


async def open_windows(
    conn: AsyncConnection, principal: Principal, fmt: Formatter, _: Translate
) -> tuple[OpenWindow, ...]:
    """Every open window with a school the caller may see, newest first, counted now."""
    windows = (
        (
            await conn.execute(
                select(
                    Administration.id,
                    Administration.name,
                    Administration.school_year,
                    Administration.grades,
                    Administration.closes_on,
                )
                .where(Administration.status == OPEN)
                .order_by(Administration.school_year.desc(), Administration.closes_on.desc())
            )
        )
        .tuples()
        .all()
    )
    if not windows:
        return ()
    taking_part = (
        await conn.execute(
            select(AdministrationSchool.administration_id, School.id, School.name)
            .join(School, School.id == AdministrationSchool.school_id)
            .where(
                AdministrationSchool.administration_id.in_([w[0] for w in windows]),
                school_filter(principal, School.id),
            )
        )
    ).tuples()
    schools: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for administration_id, school_id, name in taking_part:
        schools[int(administration_id)].append((str(school_id), str(name)))
    stored = await _stored(conn, principal)
    enrolment = await _enrolled(conn, principal, {int(w[2]) for w in windows})
    found = []
    for administration_id, name, year, grades, closes_on in windows:
        mine = sorted(schools.get(administration_id, []), key=lambda s: s[1].casefold())
        if not mine:
            continue
        band = [int(g) for g in grades]
        rows = []
        for school_id, school_name in mine:
            by_grade = [enrolment.get((int(year), school_id, g)) for g in band]
            known = [n for n in by_grade if n is not None]
            enrolled = sum(known) if known else None
            count = stored.get((administration_id, school_id), 0)
            rows.append(_count(school_id, school_name, count, enrolled, fmt))
        sizes = [r.enrolled for r in rows]
        everyone = None if None in sizes else sum(n or 0 for n in sizes)
        total = _count("", _("All these schools"), sum(r.responses for r in rows), everyone, fmt)
        found.append(
            OpenWindow(
                administration_id,
                str(name),
                level_title(band, _),
                fmt.date(closes_on),
                tuple(rows),
                total,
            )
        )
    return tuple(found)


async def participation_for(
    engine: AsyncEngine, principal: Principal, fmt: Formatter, _: Translate
) -> tuple[OpenWindow, ...]:
    """The open windows ``principal`` may see, counted in one read."""
    async with engine.connect() as conn:
        return await open_windows(conn, principal, fmt, _)
