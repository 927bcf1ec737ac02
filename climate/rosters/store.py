"""Rosters in the database: written in one transaction (upserting by key), and read back."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import partial
from typing import Any

import anyio.to_thread
from sqlalchemy import insert, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from climate.models import CrdcStaffing, District, Enrollment, School, Staffing
from climate.rosters.parsing import EnrollmentRow, Rosters, SchoolRow, StaffingRow, parse_rosters
from climate.security import audit
from climate.security.principals import Principal
from climate.security.scoping import school_filter


@dataclass(frozen=True, slots=True)
class SchoolSupport:
    """One school's support staff as a public collection reported them (None: not published)."""

    counselor: float | None
    psychologist: float | None
    social_worker: float | None
    sworn_officers: float | None
    source: str
    year: int


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """How many rows of each roster were written (inserted or updated)."""

    schools: int
    enrollment: int
    staffing: int


async def store_rosters(
    conn: AsyncConnection, rosters: Rosters, district_name: str
) -> ImportSummary:
    """Upsert parsed rosters inside the caller's transaction (all-or-nothing)."""
    district_id = await conn.scalar(select(District.id).order_by(District.id).limit(1))
    if district_id is None:
        result = await conn.execute(insert(District).values(name=district_name))
        district_id = result.inserted_primary_key[0]  # type: ignore[index]
    schools = [{**asdict(row), "district_id": district_id} for row in rosters.schools]
    for row in schools:
        row["id"] = row.pop("school_id")
    await _upsert(conn, School, schools, ("id",))
    await _upsert(
        conn, Enrollment, [asdict(r) for r in rosters.enrollment], ("school_id", "year", "grade")
    )
    # The district's own figure replaces one taken from a public collection (its source).
    await _upsert(
        conn,
        Staffing,
        [{**asdict(r), "source": None} for r in rosters.staffing],
        ("school_id", "year", "role"),
    )
    return ImportSummary(len(schools), len(rosters.enrollment), len(rosters.staffing))


async def import_rosters(
    engine: AsyncEngine, rosters: Rosters, district_name: str, actor: Principal | str
) -> ImportSummary:
    """Store parsed rosters and record the import, in one transaction (all or nothing)."""
    async with engine.begin() as conn:
        summary = await store_rosters(conn, rosters, district_name)
        await audit.record(
            conn,
            actor,
            audit.ROSTER_IMPORTED,
            "rosters",
            detail={
                "schools": summary.schools,
                "enrollment": summary.enrollment,
                "staffing": summary.staffing,
            },
        )
    return summary


async def import_files(
    engine: AsyncEngine,
    schools: bytes | None,
    enrollment: bytes | None,
    staffing: bytes | None,
    district_name: str,
    actor: Principal | str,
    names: tuple[str, str, str] | None = None,
) -> ImportSummary:
    """Check and store any subset of the three roster files (None: not part of the import).

    Rows of enrollment or staffing may name the schools already stored, so one file can be
    imported alone; a problem anywhere raises RosterError and nothing is written. ``names``
    are the files' names in messages (the command line's paths); the page and the API use
    schools.csv, enrollment.csv and staffing.csv.
    """
    async with engine.connect() as conn:
        stored = await stored_schools(conn)
    named = {} if names is None else {"names": names}
    # Checking a large file takes seconds: the event loop serves others meanwhile.
    rosters = await anyio.to_thread.run_sync(
        partial(parse_rosters, schools, enrollment, staffing, stored=stored, **named)
    )
    return await import_rosters(engine, rosters, district_name, actor)


async def stored_schools(conn: AsyncConnection) -> dict[str, SchoolRow]:
    """The schools already stored, by id, as the rows of schools.csv that made them."""
    rows = await conn.execute(
        select(
            School.id,
            School.name,
            School.level,
            School.grade_low,
            School.grade_high,
            School.nces_id,
        )
    )
    return {row[0]: SchoolRow(*row) for row in rows.tuples()}


async def _upsert(
    conn: AsyncConnection, model: type[Any], rows: list[dict[str, Any]], keys: tuple[str, ...]
) -> None:
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model)
    changes = {c: statement.excluded[c] for c in rows[0] if c not in keys}
    await conn.execute(statement.on_conflict_do_update(index_elements=keys, set_=changes), rows)


async def stored_rosters(conn: AsyncConnection, year: int) -> Rosters:
    """The schools, and one year's enrollment and staffing, as stored."""
    schools = (
        await conn.execute(
            select(
                School.id,
                School.name,
                School.level,
                School.grade_low,
                School.grade_high,
                School.nces_id,
            ).order_by(School.id)
        )
    ).all()
    enrolled = (
        await conn.execute(
            select(Enrollment.school_id, Enrollment.year, Enrollment.grade, Enrollment.students)
            .where(Enrollment.year == year)
            .order_by(Enrollment.school_id, Enrollment.grade)
        )
    ).all()
    staff = (
        await conn.execute(
            select(Staffing.school_id, Staffing.year, Staffing.role, Staffing.fte)
            .where(Staffing.year == year)
            .order_by(Staffing.school_id, Staffing.role)
        )
    ).all()
    return Rosters(
        tuple(SchoolRow(*r) for r in schools),
        tuple(EnrollmentRow(*r) for r in enrolled),
        tuple(StaffingRow(*r) for r in staff),
    )


async def school_support(
    conn: AsyncConnection, year: int, principal: Principal | None = None
) -> dict[str, SchoolSupport]:
    """Each school's CRDC support staff and sworn officers for ``year`` (of the principal's)."""
    scope = true() if principal is None else school_filter(principal, CrdcStaffing.school_id)
    rows = await conn.execute(
        select(
            CrdcStaffing.school_id,
            CrdcStaffing.counselor,
            CrdcStaffing.psychologist,
            CrdcStaffing.social_worker,
            CrdcStaffing.sworn_officers,
            CrdcStaffing.source,
            CrdcStaffing.year,
        )
        .where(CrdcStaffing.year == year, scope)
        .order_by(CrdcStaffing.school_id)
    )
    return {
        school: SchoolSupport(counselor, psychologist, social_worker, sworn, source, year)
        for school, counselor, psychologist, social_worker, sworn, source, year in rows.tuples()
    }
